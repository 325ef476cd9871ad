// What every /api/v1 route does around its handler: answer OPTIONS and wrong methods (405 with Allow), authenticate
// the API key (401/403), count the request against its store's rate (429), run the handler with the shop-scoped
// client, and turn every failure into the JSON error shape. Route files stay one line per method.
import type { ShopDb } from "../../db/shop-scope.server";
import { authenticateApiKey } from "../api-keys.server";
import { apiRateRule, consumeRate, type RateState } from "../throttle.server";
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
  /** The store's request rate after this request, sent back as RateLimit-* headers. */
  rate: RateState;
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

/** RateLimit-Limit, -Remaining and -Reset (seconds), on every answer to an authenticated request. */
function rateHeaders(rate: RateState): Record<string, string> {
  return {
    "ratelimit-limit": String(rate.limit),
    ...(rate.remaining === null ? {} : { "ratelimit-remaining": String(rate.remaining) }),
    "ratelimit-reset": String(rate.resetSeconds),
  };
}

async function authenticate(request: Request): Promise<{ shopId: string; db: ShopDb; keyId: string; rate: RateState }> {
  const auth = await authenticateApiKey(request);
  switch (auth.type) {
    case "authenticated": {
      const rule = apiRateRule();
      const rate = await consumeRate(rule, auth.shopId);
      if (rate.limited) {
        throw new ApiError(
          429,
          "rate_limited",
          `Too many requests: this store's API keys may make ${rule.max} a minute together. Retry after ${rate.resetSeconds} s.`,
          { limitPerMinute: rule.max, retryAfterSeconds: rate.resetSeconds },
          { "retry-after": String(rate.resetSeconds), ...rateHeaders(rate) },
        );
      }
      return { ...auth, rate };
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
      // Once the request is counted, every answer to it (errors included) tells the caller where its store stands.
      let rate: RateState | undefined;
      const answer = (response: Response) => {
        const headers = new Headers(response.headers);
        if (rate) for (const [name, value] of Object.entries(rateHeaders(rate))) headers.set(name, value);
        return new Response(method === "HEAD" ? null : response.body, { status: response.status, statusText: response.statusText, headers });
      };
      try {
        const ctx = await context({ request, url: new URL(request.url), params });
        if ("rate" in ctx) rate = ctx.rate as RateState;
        return answer(await handler(ctx));
      } catch (error) {
        if (error instanceof ApiError) return answer(error.toResponse());
        if (error instanceof Response) return answer(error);
        console.error(`[api] ${method} ${new URL(request.url).pathname} failed:`, error);
        return answer(errorResponse(500, "internal_error", "Something went wrong on our side. Retry later; idempotent requests are safe to retry."));
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
