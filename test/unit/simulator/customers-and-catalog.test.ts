import { describe, expect, it } from "vitest";
import { ShopifySimulator } from "../../../simulator/shopify";
import { at, dataOf, seededHarness } from "./helpers";

describe("customers", () => {
  it("filters with Shopify search syntax and pages with cursors", async () => {
    const { gql, demo } = seededHarness();
    const all = dataOf(await gql(`{ customers(first: 50) { nodes { id email tags } } }`));
    const customers = at(all, "customers", "nodes") as { id: string; email: string; tags: string[] }[];
    expect(customers).toHaveLength(30);
    const vip = customers.filter((c) => c.tags.includes("vip")).map((c) => c.id);
    const tagged = dataOf(await gql(`{ customers(first: 50, query: "tag:vip") { nodes { id } } }`));
    expect((at(tagged, "customers", "nodes") as { id: string }[]).map((c) => c.id)).toEqual(vip);
    const notTagged = dataOf(await gql(`{ customers(first: 50, query: "-tag:vip") { nodes { id } } }`));
    expect((at(notTagged, "customers", "nodes") as unknown[]).length).toBe(30 - vip.length);
    const byEmail = dataOf(
      await gql(`query C($q: String) { customers(first: 5, query: $q) { nodes { id } } }`, {
        q: `email:${customers[4]?.email}`,
      }),
    );
    expect(at(byEmail, "customers", "nodes")).toEqual([{ id: demo.customerIds[4] }]);

    // Pages of 10 walk all 30 without overlap.
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const data = dataOf(
        await gql(
          `query P($after: String) { customers(first: 10, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
          { after },
        ),
      );
      seen.push(...(at(data, "customers", "nodes") as { id: string }[]).map((c) => c.id));
      after = at(data, "customers", "pageInfo", "endCursor") as string;
      expect(at(data, "customers", "pageInfo", "hasNextPage")).toBe(page < 2);
    }
    expect(new Set(seen).size).toBe(30);
  });

  it("names an unsupported search field instead of silently ignoring it", async () => {
    const { gql } = seededHarness();
    const response = await gql(`{ customers(first: 5, query: "favourite_colour:blue") { nodes { id } } }`);
    expect(at(response, "errors", 0, "message")).toMatch(
      /does not model search field "favourite_colour" for customers/,
    );
  });

  it("requires first or last on a connection, as Shopify does", async () => {
    const { gql } = seededHarness();
    const response = await gql(`{ customers { nodes { id } } }`);
    expect(at(response, "errors", 0, "message")).toBe("you must provide one of first or last");
  });

  it("adds tags with tagsAdd, de-duplicated and case-insensitive", async () => {
    const { gql, demo } = seededHarness();
    const id = demo.customerIds[2];
    const mutation = `mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { ... on Customer { tags } } userErrors { field message } } }`;
    await gql(mutation, { id, tags: ["promo-2026"] });
    const result = dataOf(await gql(mutation, { id, tags: ["PROMO-2026", "winback, lapsed"] }));
    const tags = at(result, "tagsAdd", "node", "tags") as string[];
    expect(tags.filter((t) => t.toLowerCase() === "promo-2026")).toHaveLength(1);
    expect(tags).toEqual(expect.arrayContaining(["winback", "lapsed"]));
    const missing = dataOf(await gql(mutation, { id: "gid://shopify/Customer/1", tags: ["x"] }));
    expect(at(missing, "tagsAdd", "userErrors")).toEqual([{ field: ["id"], message: "Node does not exist" }]);
  });

  it("updates a customer with customerUpdate and reports UserError shapes", async () => {
    const { gql, demo } = seededHarness();
    const mutation = `mutation U($input: CustomerInput!) { customerUpdate(input: $input) { customer { firstName note tags } userErrors { field message } } }`;
    const ok = dataOf(
      await gql(mutation, {
        input: { id: demo.customerIds[0], firstName: "Avery", note: "prefers email", tags: ["a", "b"] },
      }),
    );
    expect(at(ok, "customerUpdate")).toEqual({
      customer: { firstName: "Avery", note: "prefers email", tags: ["a", "b"] },
      userErrors: [],
    });
    const bad = dataOf(await gql(mutation, { input: { id: demo.customerIds[0], email: "not-an-email" } }));
    expect(at(bad, "customerUpdate", "userErrors")).toEqual([{ field: ["email"], message: "Email is invalid" }]);
  });

  it("stores metafields on customers with metafieldsSet, atomically", async () => {
    const { gql, demo } = seededHarness();
    const set = `mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key value type } userErrors { field code message } } }`;
    const ownerId = demo.customerIds[1];
    const ok = dataOf(
      await gql(set, {
        m: [{ ownerId, namespace: "promo", key: "last_code", type: "single_line_text_field", value: "VIP-1" }],
      }),
    );
    expect(at(ok, "metafieldsSet")).toEqual({
      metafields: [{ namespace: "promo", key: "last_code", value: "VIP-1", type: "single_line_text_field" }],
      userErrors: [],
    });
    // One bad entry: nothing is written.
    const bad = dataOf(
      await gql(set, {
        m: [
          { ownerId, namespace: "promo", key: "last_code", type: "single_line_text_field", value: "VIP-2" },
          { ownerId, namespace: "promo", key: "score", type: "number_integer", value: "high" },
        ],
      }),
    );
    expect(at(bad, "metafieldsSet", "userErrors")).toEqual([
      { field: ["metafields", "1", "value"], code: "INVALID_VALUE", message: "Value must be an integer." },
    ]);
    const read = dataOf(
      await gql(
        `query R($id: ID!) { customer(id: $id) { metafield(namespace: "promo", key: "last_code") { value } } }`,
        { id: ownerId },
      ),
    );
    expect(at(read, "customer", "metafield", "value")).toBe("VIP-1");
    const noOwner = dataOf(
      await gql(set, {
        m: [{ ownerId: "gid://shopify/Customer/1", namespace: "promo", key: "k1", type: "boolean", value: "true" }],
      }),
    );
    expect(at(noOwner, "metafieldsSet", "userErrors", 0, "code")).toBe("INVALID");
  });
});

describe("catalog and orders", () => {
  it("answers product, variant and collection lookups by id", async () => {
    const { gql, demo } = seededHarness();
    const data = dataOf(
      await gql(
        `query L($p: ID!, $v: ID!, $c: ID!) {
          product(id: $p) { title handle vendor productType variants(first: 3) { nodes { id } } collections(first: 3) { nodes { id } } }
          productVariant(id: $v) { id product { id } }
          collection(id: $c) { title products(first: 20) { nodes { id } } }
        }`,
        { p: demo.productIds[0], v: demo.variantIds[0], c: demo.collectionIds[0] },
      ),
    );
    expect(at(data, "product")).toMatchObject({
      title: "Merino Trail Socks",
      handle: "merino-trail-socks",
      vendor: "Northwind Goods",
      productType: "Apparel",
    });
    expect(at(data, "productVariant", "product", "id")).toBe(demo.productIds[0]);
    expect((at(data, "collection", "products", "nodes") as { id: string }[]).map((p) => p.id)).toContain(
      demo.productIds[0],
    );
  });

  it("reads an order with its customer, codes, totals and line items", async () => {
    const { gql, demo } = seededHarness();
    const data = dataOf(
      await gql(
        `query O($id: ID!) { order(id: $id) { name discountCodes totalPriceSet { shopMoney { amount currencyCode } } customer { id } lineItems(first: 5) { nodes { quantity variant { id } } } } }`,
        { id: demo.orderIds[1] },
      ),
    );
    expect(at(data, "order", "name")).toBe("#1002");
    expect(at(data, "order", "discountCodes")).toEqual(["WELCOME10"]);
    expect(at(data, "order", "totalPriceSet", "shopMoney", "currencyCode")).toBe("USD");
    expect(at(data, "order", "customer", "id")).toMatch(/^gid:\/\/shopify\/Customer\//);
  });

  it("resolves node(id) across types", async () => {
    const { gql, demo } = seededHarness();
    const data = dataOf(
      await gql(`query N($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
        ids: [demo.productIds[0], demo.discountIds[0], "gid://shopify/Product/1"],
      }),
    );
    expect(at(data, "nodes")).toEqual([
      { __typename: "Product", id: demo.productIds[0] },
      { __typename: "DiscountCodeNode", id: demo.discountIds[0] },
      null,
    ]);
  });
});

describe("web pixel", () => {
  it("creates the app's pixel once, then reads it back; a second create is TAKEN", async () => {
    const { gql } = seededHarness();
    const create = `mutation W($s: JSON!) { webPixelCreate(webPixel: { settings: $s }) { webPixel { id settings } userErrors { field code message } } }`;
    const first = dataOf(await gql(create, { s: JSON.stringify({ accountID: "shop-1" }) }));
    expect(at(first, "webPixelCreate", "userErrors")).toEqual([]);
    expect(at(first, "webPixelCreate", "webPixel", "settings")).toBe('{"accountID":"shop-1"}');
    const read = dataOf(await gql(`{ webPixel { id settings } }`));
    expect(at(read, "webPixel", "id")).toBe(at(first, "webPixelCreate", "webPixel", "id"));
    const second = dataOf(await gql(create, { s: "{}" }));
    expect(at(second, "webPixelCreate", "userErrors", 0, "code")).toBe("TAKEN");
  });
});

describe("access scopes", () => {
  it("answers ACCESS_DENIED for a field the shop's granted scopes do not cover", async () => {
    const sim = new ShopifySimulator();
    sim.registerShop({ domain: "scoped.myshopify.com", accessToken: "t", scopes: ["read_products"] });
    const denied = await sim.graphql(
      "scoped.myshopify.com",
      `mutation { discountCodeDelete(id: "gid://shopify/DiscountCodeNode/1") { userErrors { message } } }`,
    );
    expect(at(denied, "errors", 0, "extensions", "code")).toBe("ACCESS_DENIED");
    expect(at(denied, "errors", 0, "message")).toMatch(/write_discounts/);
    const allowed = await sim.graphql("scoped.myshopify.com", `{ products(first: 1) { nodes { id } } }`);
    expect(allowed.errors).toBeUndefined();
  });
});
