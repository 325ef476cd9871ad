import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/api-version";
import { ADMIN_API_VERSION, adminSchema, validateAdminDocument } from "../../../simulator/shopify";
import { at, seededHarness } from "./helpers";

describe("the vendored Admin schema", () => {
  it("is the version the app pins, so the simulator and the app speak the same API", () => {
    expect(ADMIN_API_VERSION).toBe(SHOPIFY_API_VERSION);
  });

  it("loads the pinned 2026-07 schema with its query and mutation roots", () => {
    const schema = adminSchema();
    expect(schema.getQueryType()?.name).toBe("QueryRoot");
    expect(schema.getMutationType()?.getFields()["discountCodeBasicCreate"]).toBeDefined();
  });

  it("accepts a document that only uses fields the schema has", () => {
    // GIVEN a document the app could send
    const source = `query { shop { id name myshopifyDomain plan { displayName shopifyPlus } } }`;
    // WHEN it is validated THEN there are no errors
    expect(validateAdminDocument(source)).toEqual([]);
  });

  it("reports a field the schema does not have, and a syntax error", () => {
    expect(validateAdminDocument(`{ shop { planName } }`)[0]?.message).toMatch(
      /Cannot query field "planName" on type "Shop"/,
    );
    expect(validateAdminDocument(`{ shop { `)[0]?.message).toMatch(/Syntax Error/);
  });
});

describe("a request with a document that does not validate", () => {
  it("is answered like Shopify: HTTP 200, errors with locations and a code, no data", async () => {
    // GIVEN a seeded shop
    const { sim, demo } = seededHarness();
    // WHEN the app sends a document selecting a field Shop does not have
    const response = await sim.handle({
      shop: demo.domain,
      apiVersion: "2026-07",
      accessToken: demo.accessToken,
      body: JSON.stringify({ query: "query Q {\n  shop { name planName }\n}" }),
    });
    // THEN it is rejected before execution
    expect(response.status).toBe(200);
    const body = response.body as Record<string, unknown>;
    expect(body).not.toHaveProperty("data");
    expect(at(body, "errors", 0, "message")).toMatch(/^Field 'planName' doesn't exist on type 'Shop'\./);
    expect(at(body, "errors", 0, "locations")).toEqual([{ line: 2, column: 15 }]);
    expect(at(body, "errors", 0, "extensions", "code")).toBe("undefinedField");
    expect(sim.requestLog.at(-1)).toMatchObject({ outcome: "invalid-document", executed: false });
  });

  it("rejects a mutation argument the input type does not have", async () => {
    const { gql } = seededHarness();
    const response = await gql(
      `mutation { discountCodeBasicCreate(basicCodeDiscount: { title: "x", bogus: 1 }) { userErrors { message } } }`,
    );
    expect(response.data).toBeUndefined();
    expect(JSON.stringify(response.errors)).toMatch(/bogus/);
  });

  it("rejects variables that do not match their declared types", async () => {
    const { gql } = seededHarness();
    const response = await gql(`query P($first: Int!) { products(first: $first) { nodes { id } } }`, { first: "ten" });
    expect(response.data).toBeUndefined();
    expect(at(response, "errors", 0, "extensions", "code")).toBe("INVALID_VARIABLE");
  });
});

describe("fields the simulator does not model", () => {
  it("resolve to null when nullable, so reads of optional data still work", async () => {
    const { gql, demo } = seededHarness();
    const response = await gql(`query C($id: ID!) { customer(id: $id) { id defaultAddress { city } } }`, {
      id: demo.customerIds[0],
    });
    expect(at(response, "data", "customer", "defaultAddress")).toBeNull();
    expect(response.errors).toBeUndefined();
  });

  it("fail loudly, naming the field, when the schema says non-null", async () => {
    const { gql } = seededHarness();
    const response = await gql(`{ shop { name features { giftCards } } }`);
    expect(at(response, "errors", 0, "message")).toBe("simulator does not model Shop.features");
    expect(at(response, "errors", 0, "extensions", "code")).toBe("SIMULATOR_NOT_MODELLED");
  });

  it("fail loudly for an unmodelled mutation instead of returning a silent null", async () => {
    const { gql } = seededHarness();
    const response = await gql(
      `mutation { discountAutomaticActivate(id: "gid://shopify/DiscountAutomaticNode/1") { userErrors { message } } }`,
    );
    expect(at(response, "errors", 0, "message")).toBe("simulator does not model Mutation.discountAutomaticActivate");
  });
});
