import { describe, expect, it } from "vitest";
import { ManualClock, seedDemoShop, ShopifySimulator } from "../../../simulator/shopify";
import { at, dataOf, seededHarness } from "./helpers";

const SNAPSHOT = /* GraphQL */ `
  {
    products(first: 50) {
      nodes {
        id
        title
        vendor
        productType
        variants(first: 5) {
          nodes {
            id
            title
            price
          }
        }
        collections(first: 5) {
          nodes {
            title
          }
        }
      }
    }
    customers(first: 50) {
      nodes {
        id
        email
        tags
        numberOfOrders
        amountSpent {
          amount
        }
      }
    }
    orders(first: 20) {
      nodes {
        id
        name
        discountCodes
        totalPriceSet {
          shopMoney {
            amount
          }
        }
      }
    }
  }
`;

async function snapshot(domain: string) {
  const sim = new ShopifySimulator({ clock: new ManualClock().now });
  seedDemoShop(sim, { domain });
  return sim.graphql(domain, SNAPSHOT);
}

describe("seedDemoShop", () => {
  it("produces exactly the same shop every time for the same domain", async () => {
    const a = await snapshot("same.myshopify.com");
    const b = await snapshot("same.myshopify.com");
    expect(a.errors).toBeUndefined();
    expect(a.data).toEqual(b.data);
  });

  it("gives different shops different ids, so a request against the wrong shop finds nothing", async () => {
    const a = dataOf(await snapshot("one.myshopify.com"));
    const b = dataOf(await snapshot("two.myshopify.com"));
    const ids = (d: Record<string, unknown>) => (at(d, "products", "nodes") as { id: string }[]).map((p) => p.id);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
  });

  it("builds a believable store: 12 products, 4 vendors, 4 types, 3 collections, 30 customers, 2 codes, 10 orders", async () => {
    const { gql, demo } = seededHarness();
    const data = dataOf(
      await gql(`{
        productsCount { count } collectionsCount { count } customersCount { count } ordersCount { count }
        productVendors(first: 10) { nodes } productTypes(first: 10) { nodes }
        codeDiscountNodes(first: 10) { nodes { codeDiscount { ... on DiscountCodeBasic { title } ... on DiscountCodeFreeShipping { title } } } }
      }`),
    );
    expect([
      at(data, "productsCount", "count"),
      at(data, "collectionsCount", "count"),
      at(data, "customersCount", "count"),
      at(data, "ordersCount", "count"),
    ]).toEqual([12, 3, 30, 10]);
    expect(at(data, "productVendors", "nodes")).toEqual([
      "Copperleaf Co.",
      "Harbor Lane",
      "Maple & Moss",
      "Northwind Goods",
    ]);
    expect(at(data, "productTypes", "nodes")).toEqual(["Accessories", "Apparel", "Home", "Kitchen"]);
    expect(demo.discountCodes).toEqual(["WELCOME10", "SHIPFREE75"]);
    const variants = demo.store.variants.size;
    expect(variants).toBeGreaterThanOrEqual(12);
    expect(variants).toBeLessThanOrEqual(36);
  });

  it("redeemed the seeded codes in some orders, with usage counts to match", async () => {
    const { gql } = seededHarness();
    const orders = at(dataOf(await gql(`{ orders(first: 10) { nodes { discountCodes } } }`)), "orders", "nodes") as {
      discountCodes: string[];
    }[];
    const uses = (code: string) => orders.filter((o) => o.discountCodes.includes(code)).length;
    expect([uses("WELCOME10"), uses("SHIPFREE75")]).toEqual([3, 3]);
    const usage = dataOf(
      await gql(
        `{ codeDiscountNodeByCode(code: "WELCOME10") { codeDiscount { ... on DiscountCodeBasic { asyncUsageCount } } } }`,
      ),
    );
    expect(at(usage, "codeDiscountNodeByCode", "codeDiscount", "asyncUsageCount")).toBe(3);
  });

  it("allocates order and line-item ids above 2^53, as decimal strings", async () => {
    const { demo, gql } = seededHarness();
    const orderId = demo.orderIds[0] ?? "";
    const numeric = BigInt(orderId.split("/").pop() ?? "0");
    expect(numeric > 2n ** 53n).toBe(true);
    // Round-tripping the exact id finds the order; a float-mangled id does not.
    expect(at(await gql(`query O($id: ID!) { order(id: $id) { id } }`, { id: orderId }), "data", "order", "id")).toBe(
      orderId,
    );
    const mangled = `gid://shopify/Order/${Number(numeric).toString()}`;
    expect(at(await gql(`query O($id: ID!) { order(id: $id) { id } }`, { id: mangled }), "data", "order")).toBeNull();
  });

  it("seeds into a shop registered beforehand, keeping its token", async () => {
    const sim = new ShopifySimulator();
    sim.registerShop({ domain: "pre.myshopify.com", accessToken: "shpat_pre", plan: "advanced", name: "Pre" });
    const demo = seedDemoShop(sim, { domain: "pre.myshopify.com" });
    expect(demo.accessToken).toBe("shpat_pre");
    expect(demo.store.products.size).toBe(12);
    expect(() => seedDemoShop(sim, { domain: "pre.myshopify.com" })).toThrow(/already has data/);
  });
});
