// Calling the /api/v1 route modules directly, as React Router would: a Request, the route's params.
import { expect } from "vitest";
import { createApiKey } from "../../../app/services/api-keys.server";
import { createTestShop, type TestShop } from "../../support/shops";

export const BASE = "https://promo-app.test/api/v1";

export interface ApiShop extends TestShop {
  key: string;
  keyId: string;
}

export async function createApiShop(): Promise<ApiShop> {
  const shop = await createTestShop();
  const created = await createApiKey(shop.db, shop.id, "Test integration");
  if (created.type !== "created") throw new Error(`could not create a key: ${created.type}`);
  return { ...shop, key: created.secret, keyId: created.apiKey.id };
}

interface RouteModule {
  loader: (args: never) => Promise<Response>;
  action: (args: never) => Promise<Response>;
}

export interface CallOptions {
  key?: string | null;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  /** A value to send as JSON (sets Content-Type unless given). */
  json?: unknown;
  body?: BodyInit | null;
  query?: Record<string, string>;
}

export function apiRequest(method: string, path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  let body = options.body ?? null;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const url = new URL(`${BASE}${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const init: RequestInit & { duplex?: "half" } = { method, headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  return new Request(url, init);
}

/** Dispatches like React Router: GET and HEAD to the loader, everything else to the action. */
export async function call(route: RouteModule, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const request = apiRequest(method, path, options);
  const args = { request, params: options.params ?? {}, context: {} } as never;
  return method === "GET" || method === "HEAD" ? route.loader(args) : route.action(args);
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(typeof body.error.code).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}
