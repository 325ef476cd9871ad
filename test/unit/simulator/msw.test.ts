import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoShop, shopifyAdminHandlers, ShopifySimulator } from "../../../simulator/shopify";

// The unit project's setup file already routes fetch to a simulator through msw; outside it, start our own.
const shared = (globalThis as { __testSimulator?: ShopifySimulator }).__testSimulator;
const sim = shared ?? new ShopifySimulator();
const server = shared ? undefined : setupServer(...shopifyAdminHandlers(sim));
beforeAll(() => server?.listen({ onUnhandledFrame: "error" }));
afterAll(() => server?.close());

const domain = `msw-${process.pid}-${Date.now()}.myshopify.com`;
const demo = seedDemoShop(sim, { domain, accessToken: "shpat_msw_test" });

function post(query: string, options: { version?: string; token?: string; signal?: AbortSignal } = {}) {
  return fetch(`https://${domain}/admin/api/${options.version ?? "2026-07"}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": options.token ?? demo.accessToken },
    body: JSON.stringify({ query }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

const TAG = (tag: string) =>
  `mutation { tagsAdd(id: "${demo.customerIds[0]}", tags: ["${tag}"]) { userErrors { message } } }`;
const hasTag = (tag: string) =>
  sim
    .state(domain)
    .customers.get(demo.customerIds[0]?.split("/").pop() ?? "")
    ?.tags.includes(tag);

describe("the msw handlers in front of the simulator", () => {
  it("answer the app's fetch to the Admin GraphQL URL", async () => {
    const response = await post("{ shop { myshopifyDomain } }");
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { shop: { myshopifyDomain: string } };
      extensions: { cost: unknown };
    };
    expect(body.data.shop.myshopifyDomain).toBe(domain);
    expect(body.extensions.cost).toBeDefined();
  });

  it("pass the HTTP status through: 401 for a bad token, 404 for another API version", async () => {
    expect((await post("{ shop { name } }", { token: "nope" })).status).toBe(401);
    expect((await post("{ shop { name } }", { version: "2024-01" })).status).toBe(404);
  });

  it("turn 'execute then network error' into a rejected fetch, after the write happened", async () => {
    sim.injectFault(domain, { kind: "executeThenNetworkError" });
    await expect(post(TAG("net-drop"))).rejects.toThrow();
    expect(hasTag("net-drop")).toBe(true);
  });

  it("turn 'execute then fail' into a 502 page, after the write happened", async () => {
    sim.injectFault(domain, { kind: "executeThenFail" });
    const response = await post(TAG("bad-gateway"));
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/502 Bad Gateway/);
    expect(hasTag("bad-gateway")).toBe(true);
  });

  it("hold a 'timeout' request open until the client's own timeout aborts it, without executing", async () => {
    sim.injectFault(domain, { kind: "timeout" });
    const started = Date.now();
    await expect(post(TAG("never"), { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(hasTag("never")).toBe(false);
  });
});
