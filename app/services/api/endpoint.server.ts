// What every /api/v1 route does around its handler: answer OPTIONS and wrong methods (405 with Allow), authenticate
// the API key (401/403), count the request against its store's rate (429), run the handler with the shop-scoped
// client, and turn every failure into the JSON error shape. Route files stay one line per method.
import type { ShopDb } from "../../db/shop-scope.server";
import { authenticateApiKey } from "../api-keys.server";
import { apiRateRule, consumeAttempt } from "../throttle.server";
import { ApiError, errorResponse } from "./errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestContext {
  request: Request;
  url: URL;
  params: Readonly<Record<string, string | undefined>>;
}

export interface ApiContext extends RequestContext {
  shopId: string;
  db: ShopDb;
  keyId: string;
}

export type ApiHandler<C extends RequestContext = ApiContext> = (context: C) => Promise<Response> | Response;

export interface RouteArgs {
  request: Request;
  params: Readonly<Record<string, string | undefined>>;
}

export interface ApiEndpoint {
  /** The methods the endpoint answers, as sent in the Allow header. */
  readonly allow: readonly string[];
  handle(args: RouteArgs): Promise<Response>;
}

const UNAUTHORIZED_HINT = "Send an API key as `Authorization: Bearer pk_...` (create one in the app's Settings).";

async function authenticate(request: Request): Promise<{ shopId: string; db: ShopDb; keyId: string }> {
  const auth = await authenticateApiKey(request);
  switch (auth.type) {
    case "authenticated": {
      const rule = apiRateRule();
      const rate = await consumeAttempt(rule, auth.shopId);
      if (rate.type === "limited") {
        throw new ApiError(
          429,
          "rate_limited",
          `Too many requests: this store's API keys may make ${rule.max} a minute together. Retry after ${rate.retryAfterSeconds} s.`,
          { limitPerMinute: rule.max, retryAfterSeconds: rate.retryAfterSeconds },
          { "retry-after": String(rate.retryAfterSeconds) },
        );
      }
      return auth;
    }
    case "missing":
      throw new ApiError(401, "missing_api_key", `No API key. ${UNAUTHORIZED_HINT}`, undefined, { "www-authenticate": 'Bearer realm="api"' });
    case "invalid":
      throw new ApiError(401, "invalid_api_key", `The API key is not valid. ${UNAUTHORIZED_HINT}`, undefined, {
        "www-authenticate": 'Bearer realm="api", error="invalid_token"',
      });
    case "revoked":
      throw new ApiError(403, "api_key_revoked", "This API key was revoked. Create a new one in the app's Settings.");
    case "shop_uninstalled":
      throw new ApiError(403, "shop_uninstalled", "The store this key belongs to has uninstalled the app.");
  }
}

function build<C extends RequestContext>(
  handlers: Partial<Record<HttpMethod, ApiHandler<C>>>,
  context: (base: RequestContext) => Promise<C>,
): ApiEndpoint {
  const methods = Object.keys(handlers) as HttpMethod[];
  const allow = [...methods, ...(handlers.GET ? ["HEAD"] : []), "OPTIONS"];
  const allowHeader = allow.join(", ");
  return {
    allow,
    async handle({ request, params }) {
      const method = request.method.toUpperCase();
      if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: allowHeader } });
      const handler = handlers[(method === "HEAD" ? "GET" : method) as HttpMethod];
      if (!handler) {
        return errorResponse(405, "method_not_allowed", `${method} is not supported here; use ${methods.join(" or ")}.`, { allow }, { allow: allowHeader });
      }
      try {
        const response = await handler(await context({ request, url: new URL(request.url), params }));
        return method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
      } catch (error) {
        if (error instanceof ApiError) return error.toResponse();
        if (error instanceof Response) return error;
        console.error(`[api] ${method} ${new URL(request.url).pathname} failed:`, error);
        return errorResponse(500, "internal_error", "Something went wrong on our side. Retry later; idempotent requests are safe to retry.");
      }
    },
  };
}

/** An endpoint that needs an API key; handlers get the key's shop and its shop-scoped client. */
export function apiEndpoint(handlers: Partial<Record<HttpMethod, ApiHandler>>): ApiEndpoint {
  return build<ApiContext>(handlers, async (base) => ({ ...base, ...(await authenticate(base.request)) }));
}

/** An endpoint anyone may call (the OpenAPI document, the not-found answer). */
export function publicEndpoint(handlers: Partial<Record<HttpMethod, ApiHandler<RequestContext>>>): ApiEndpoint {
  return build<RequestContext>(handlers, async (base) => base);
}
