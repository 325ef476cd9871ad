/**
 * msw request handlers that route the app's Magento REST calls (`https://<host>/rest/<store_code>/V1/...`) to a
 * MagentoSimulator. A host no store is registered at fails like an unreachable server.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { MagentoSimulator } from "./simulator";

export const MAGENTO_REST_URL = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/rest\/.+$/;

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

export function magentoRestHandlers(sim: MagentoSimulator): HttpHandler[] {
  return [
    http.all(MAGENTO_REST_URL, async ({ request }) => {
      let response;
      try {
        response = await sim.handle({
          method: request.method,
          url: request.url,
          authorization: request.headers.get("authorization"),
          body: request.method === "GET" || request.method === "DELETE" ? null : await request.text(),
          signal: request.signal,
        });
      } catch (error) {
        // The caller gave up (its fetch already rejected); end the exchange quietly.
        if (isAbort(error) || request.signal.aborted) return HttpResponse.error();
        throw error;
      }
      if (response.networkError) return HttpResponse.error();
      if (typeof response.body === "string") {
        return new HttpResponse(response.body, { status: response.status, headers: response.headers });
      }
      return new HttpResponse(JSON.stringify(response.body), { status: response.status, headers: response.headers });
    }),
  ];
}
