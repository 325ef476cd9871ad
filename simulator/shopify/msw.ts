/**
 * msw request handlers that route the app's Admin GraphQL calls to a
 * ShopifySimulator, plus the Google Cloud Storage URLs of bulk operations
 * (staged uploads, result files). Use them in a vitest setup file
 * (`setupServer` from "msw/node") or in the demo process.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { BULK_RESULTS_URL_PREFIX, STAGED_UPLOADS_URL, type StorageResponse } from "./cloud-storage";
import type { ShopifySimulator } from "./simulator";

/** `https://<handle>.myshopify.com/admin/api/<version>/graphql.json` */
export const ADMIN_GRAPHQL_URL = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/([^/]+)\/graphql\.json$/;

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function storageResponse(response: StorageResponse): Response {
  return new HttpResponse(response.body, { status: response.status, headers: response.headers });
}

export function shopifyAdminHandlers(sim: ShopifySimulator): HttpHandler[] {
  return [
    // Staged upload targets of stagedUploadsCreate (multipart POST policy uploads; no access token).
    http.post(STAGED_UPLOADS_URL, async ({ request }) => storageResponse(await sim.storage.receiveStagedPost(request))),
    // Pre-signed bulk operation result files (`url`, `partialDataUrl`).
    http.get(`${BULK_RESULTS_URL_PREFIX}*`, ({ request }) => storageResponse(sim.storage.getObject(request.url))),
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
