/**
 * msw request handlers that route the app's Admin GraphQL calls to a
 * ShopifySimulator. Use them in a vitest setup file (`setupServer` from
 * "msw/node") or in the demo process.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { ShopifySimulator } from "./simulator";

/** `https://<handle>.myshopify.com/admin/api/<version>/graphql.json` */
export const ADMIN_GRAPHQL_URL = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/([^/]+)\/graphql\.json$/;

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

export function shopifyAdminHandlers(sim: ShopifySimulator): HttpHandler[] {
  return [
    http.post(ADMIN_GRAPHQL_URL, async ({ request }) => {
      const url = new URL(request.url);
      const match = ADMIN_GRAPHQL_URL.exec(`${url.origin}${url.pathname}`);
      const shop = match?.[1] ?? url.hostname;
      const apiVersion = match?.[2] ?? "";
      let response;
      try {
        response = await sim.handle({
          shop,
          apiVersion,
          accessToken: request.headers.get("x-shopify-access-token"),
          body: await request.text(),
          signal: request.signal,
        });
      } catch (error) {
        // The caller gave up (its fetch already rejected); end the exchange quietly.
        if (isAbort(error)) return HttpResponse.error();
        throw error;
      }
      if (response.networkError) return HttpResponse.error();
      if (typeof response.body === "string") {
        return new HttpResponse(response.body, { status: response.status, headers: response.headers });
      }
      return HttpResponse.json(response.body as Record<string, unknown>, {
        status: response.status,
        headers: response.headers,
      });
    }),
  ];
}
