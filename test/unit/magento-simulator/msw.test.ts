import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";

const sim = () => globalThis.__testMagentoSimulator!;

describe("Magento simulator through msw (the app's fetch)", () => {
  it("GIVEN a registered store WHEN the app fetches its REST URL THEN the simulator answers with JSON", async () => {
    const baseUrl = `https://m-${randomUUID().slice(0, 8)}.magento.test/shop`;
    sim().registerStore({ baseUrl, token: "t0k3n", name: "Msw Store" });
    const response = await fetch(`${baseUrl}/rest/default/V1/store/storeViews`, { headers: { authorization: "Bearer t0k3n" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual([expect.objectContaining({ code: "default", website_id: 1 })]);
  });

  it("GIVEN a host no store is registered at THEN fetch fails like an unreachable server", async () => {
    await expect(fetch("https://nowhere.magento.test/rest/default/V1/store/storeViews")).rejects.toThrow();
  });

  it("sends POST bodies through and answers a web-server error page as text", async () => {
    const baseUrl = `https://m-${randomUUID().slice(0, 8)}.magento.test`;
    sim().registerStore({ baseUrl, token: "t" });
    sim().injectFault(baseUrl, { kind: "status", status: 503 });
    const failed = await fetch(`${baseUrl}/rest/default/V1/salesRules`, { method: "POST", headers: { authorization: "Bearer t" }, body: "{}" });
    expect(failed.status).toBe(503);
    expect(await failed.text()).toMatch(/Service Unavailable/);
    const created = await fetch(`${baseUrl}/rest/default/V1/salesRules`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: JSON.stringify({ rule: { name: "Through msw", website_ids: [1], customer_group_ids: [1] } }),
    });
    expect(await created.json()).toMatchObject({ rule_id: 1, name: "Through msw" });
  });
});
