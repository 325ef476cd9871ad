import { describe, expect, it } from "vitest";
import { ShopifySimulator } from "../../../simulator/shopify";
import { at, seededHarness, SHOP } from "./helpers";

const SHOP_QUERY = JSON.stringify({ query: "{ shop { name } }" });

describe("the HTTP gates in front of the Admin API", () => {
  it("answers 404 for a shop that does not exist", async () => {
    const { sim } = seededHarness();
    const response = await sim.handle({
      shop: "nowhere.myshopify.com",
      apiVersion: "2026-07",
      accessToken: "x",
      body: SHOP_QUERY,
    });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: "Not Found" });
    expect(sim.requestLog.at(-1)).toMatchObject({
      shop: "nowhere.myshopify.com",
      outcome: "unknown-shop",
      executed: false,
    });
  });

  it("answers 401 with Shopify's message when the access token is missing or wrong", async () => {
    const { sim } = seededHarness();
    for (const accessToken of [undefined, "shpat_wrong"]) {
      const response = await sim.handle({ shop: SHOP, apiVersion: "2026-07", accessToken, body: SHOP_QUERY });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
  });

  it("rejects an API version other than the pinned one with a message naming both", async () => {
    const { sim, demo } = seededHarness();
    const response = await sim.handle({
      shop: SHOP,
      apiVersion: "2025-10",
      accessToken: demo.accessToken,
      body: SHOP_QUERY,
    });
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).toMatch(/2026-07.*2025-10/);
  });

  it("answers 400 for a body without a query", async () => {
    const { sim, demo } = seededHarness();
    const response = await sim.handle({
      shop: SHOP,
      apiVersion: "2026-07",
      accessToken: demo.accessToken,
      body: "{not json",
    });
    expect(response.status).toBe(400);
  });

  it("answers a valid query with data and extensions.cost", async () => {
    const { sim, demo } = seededHarness();
    const response = await sim.handle({
      shop: SHOP,
      apiVersion: "2026-07",
      accessToken: demo.accessToken,
      body: SHOP_QUERY,
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/application\/json/);
    expect(at(response.body, "data", "shop", "name")).toBe("Maple & Moss Outfitters");
    expect(at(response.body, "extensions", "cost")).toEqual({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 999, restoreRate: 100 },
    });
  });

  it("keeps each shop's state and token separate", async () => {
    // GIVEN two shops with different tokens
    const sim = new ShopifySimulator();
    sim.registerShop({ domain: "alpha.myshopify.com", accessToken: "token-a", plan: "basic" });
    sim.registerShop({ domain: "beta", accessToken: "token-b", plan: "plus" });
    // WHEN shop alpha's token is used against beta THEN it is refused
    const crossed = await sim.handle({
      shop: "beta.myshopify.com",
      apiVersion: "2026-07",
      accessToken: "token-a",
      body: SHOP_QUERY,
    });
    expect(crossed.status).toBe(401);
    // AND each shop reports its own plan and domain
    const beta = await sim.graphql("beta.myshopify.com", "{ shop { myshopifyDomain plan { shopifyPlus } } }");
    expect(at(beta, "data", "shop")).toEqual({ myshopifyDomain: "beta.myshopify.com", plan: { shopifyPlus: true } });
    // AND a write in one shop is invisible in the other
    await sim.graphql(
      "alpha.myshopify.com",
      `mutation { webPixelCreate(webPixel: { settings: "{\\"accountID\\":\\"1\\"}" }) { webPixel { id } userErrors { message } } }`,
    );
    expect(sim.state("alpha.myshopify.com").webPixels.size).toBe(1);
    expect(sim.state("beta.myshopify.com").webPixels.size).toBe(0);
  });
});
