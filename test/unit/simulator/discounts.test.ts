import { describe, expect, it } from "vitest";
import { at, BASIC_CREATE, basicInput, dataOf, seededHarness } from "./helpers";

const BY_CODE = /* GraphQL */ `
  query ByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic {
          title
          status
          usageLimit
          appliesOncePerCustomer
          combinesWith {
            orderDiscounts
            productDiscounts
            shippingDiscounts
          }
          minimumRequirement {
            ... on DiscountMinimumSubtotal {
              greaterThanOrEqualToSubtotal {
                amount
              }
            }
          }
          context {
            __typename
            ... on DiscountCustomers {
              customers {
                id
              }
            }
          }
          customerGets {
            value {
              __typename
              ... on DiscountPercentage {
                percentage
              }
              ... on DiscountAmount {
                amount {
                  amount
                }
                appliesOnEachItem
              }
            }
            items {
              __typename
              ... on DiscountProducts {
                products(first: 5) {
                  nodes {
                    id
                  }
                }
                productVariants(first: 5) {
                  nodes {
                    id
                  }
                }
              }
            }
          }
          codes(first: 5) {
            nodes {
              code
            }
          }
        }
      }
    }
  }
`;

describe("discountCodeBasicCreate", () => {
  it("creates a discount that codeDiscountNodeByCode then finds, with what was asked for", async () => {
    // GIVEN a seeded shop and a customer, a product and a variant from it
    const { gql, demo } = seededHarness();
    const input = basicInput({
      code: "VIP-7Q2X",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: [demo.customerIds[3]] } },
      customerGets: {
        value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } },
        items: { products: { productsToAdd: [demo.productIds[0]], productVariantsToAdd: [demo.variantIds[5]] } },
      },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "40.00" } },
      combinesWith: { shippingDiscounts: true },
    });
    // WHEN the app creates it
    const created = dataOf(await gql(BASIC_CREATE, { input }));
    expect(at(created, "discountCodeBasicCreate", "userErrors")).toEqual([]);
    const id = at(created, "discountCodeBasicCreate", "codeDiscountNode", "id");
    expect(id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    // THEN looking the code up (case-insensitively, as Shopify does) finds the same discount
    const found = dataOf(await gql(BY_CODE, { code: "vip-7q2x" }));
    expect(at(found, "codeDiscountNodeByCode", "id")).toBe(id);
    expect(at(found, "codeDiscountNodeByCode", "codeDiscount")).toEqual({
      __typename: "DiscountCodeBasic",
      title: "Spring promo",
      status: "ACTIVE",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      minimumRequirement: { greaterThanOrEqualToSubtotal: { amount: "40.0" } },
      context: { __typename: "DiscountCustomers", customers: [{ id: demo.customerIds[3] }] },
      customerGets: {
        value: { __typename: "DiscountAmount", amount: { amount: "5.0" }, appliesOnEachItem: false },
        items: {
          __typename: "DiscountProducts",
          products: { nodes: [{ id: demo.productIds[0] }] },
          productVariants: { nodes: [{ id: demo.variantIds[5] }] },
        },
      },
      codes: { nodes: [{ code: "VIP-7Q2X" }] },
    });
  });

  it("answers TAKEN on basicCodeDiscount.code when another discount already uses the code", async () => {
    // GIVEN the seeded WELCOME10 discount
    const { gql, sim, demo } = seededHarness();
    const before = sim.state(demo.domain).discounts.size;
    // WHEN the app creates another discount with the same code in different case
    const response = dataOf(await gql(BASIC_CREATE, { input: basicInput({ code: "welcome10" }) }));
    // THEN nothing is created and the error names the field the way Shopify does
    expect(at(response, "discountCodeBasicCreate", "codeDiscountNode")).toBeNull();
    expect(at(response, "discountCodeBasicCreate", "userErrors")).toEqual([
      {
        field: ["basicCodeDiscount", "code"],
        code: "TAKEN",
        message: "Code must be unique. Please try a different code.",
      },
    ]);
    expect(sim.state(demo.domain).discounts.size).toBe(before);
  });

  it("reports every invalid reference and value in one answer, and creates nothing", async () => {
    const { gql, sim, demo } = seededHarness();
    const before = sim.state(demo.domain).discounts.size;
    const input = basicInput({
      code: "X".repeat(256),
      title: "",
      context: { customers: { add: ["gid://shopify/Customer/1"] } },
      customerGets: {
        value: { percentage: 1.5 },
        items: {
          products: {
            productsToAdd: ["gid://shopify/Product/1", demo.productIds[0]],
            productVariantsToAdd: ["gid://shopify/ProductVariant/2"],
          },
        },
      },
    });
    const errors = at(dataOf(await gql(BASIC_CREATE, { input })), "discountCodeBasicCreate", "userErrors") as {
      field: string[];
      code: string;
    }[];
    const byField = Object.fromEntries(errors.map((e) => [e.field.join("."), e.code]));
    expect(byField).toEqual({
      "basicCodeDiscount.title": "BLANK",
      "basicCodeDiscount.code": "TOO_LONG",
      "basicCodeDiscount.context.customers.add": "INVALID",
      "basicCodeDiscount.customerGets.value.percentage": "VALUE_OUTSIDE_RANGE",
      "basicCodeDiscount.customerGets.items.products.productsToAdd": "INVALID",
      "basicCodeDiscount.customerGets.items.products.productVariantsToAdd": "INVALID",
    });
    expect(sim.state(demo.domain).discounts.size).toBe(before);
  });

  it("applies to collections, and requires a start date", async () => {
    const { gql, demo } = seededHarness();
    const ok = dataOf(
      await gql(BASIC_CREATE, {
        input: basicInput({
          customerGets: { value: { percentage: 0.2 }, items: { collections: { add: [demo.collectionIds[1]] } } },
        }),
      }),
    );
    expect(at(ok, "discountCodeBasicCreate", "userErrors")).toEqual([]);
    const missing = dataOf(await gql(BASIC_CREATE, { input: basicInput({ code: "NOSTART", startsAt: null }) }));
    expect(at(missing, "discountCodeBasicCreate", "userErrors", 0)).toMatchObject({
      field: ["basicCodeDiscount", "startsAt"],
      code: "BLANK",
    });
  });

  it("is SCHEDULED before startsAt and becomes ACTIVE as the clock passes it", async () => {
    const { gql, clock } = seededHarness();
    const startsAt = new Date(clock.now() + 60_000).toISOString();
    await gql(BASIC_CREATE, { input: basicInput({ code: "LATER", startsAt }) });
    expect(at(await gql(BY_CODE, { code: "LATER" }), "data", "codeDiscountNodeByCode", "codeDiscount", "status")).toBe(
      "SCHEDULED",
    );
    clock.advance(60_000);
    expect(at(await gql(BY_CODE, { code: "LATER" }), "data", "codeDiscountNodeByCode", "codeDiscount", "status")).toBe(
      "ACTIVE",
    );
  });
});

describe("code discount lifecycle", () => {
  it("deactivates (EXPIRED, endsAt now), then deletes, freeing the code for reuse", async () => {
    const { gql, clock } = seededHarness();
    const created = dataOf(await gql(BASIC_CREATE, { input: basicInput({ code: "ONCE" }) }));
    const id = at(created, "discountCodeBasicCreate", "codeDiscountNode", "id");

    const deactivated = dataOf(
      await gql(
        `mutation D($id: ID!) { discountCodeDeactivate(id: $id) { codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } } userErrors { field code message } } }`,
        { id },
      ),
    );
    expect(at(deactivated, "discountCodeDeactivate", "codeDiscountNode", "codeDiscount")).toEqual({
      status: "EXPIRED",
      endsAt: new Date(clock.now()).toISOString().replace(".000", ""),
    });

    const deleted = dataOf(
      await gql(`mutation X($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { code } } }`, {
        id,
      }),
    );
    expect(at(deleted, "discountCodeDelete", "deletedCodeDiscountId")).toBe(id);
    expect(at(await gql(BY_CODE, { code: "ONCE" }), "data", "codeDiscountNodeByCode")).toBeNull();
    const again = dataOf(await gql(BASIC_CREATE, { input: basicInput({ code: "ONCE" }) }));
    expect(at(again, "discountCodeBasicCreate", "userErrors")).toEqual([]);
  });

  it("answers a userError for an id that is not a discount", async () => {
    const { gql } = seededHarness();
    const response = dataOf(
      await gql(
        `mutation { discountCodeDelete(id: "gid://shopify/DiscountCodeNode/1") { deletedCodeDiscountId userErrors { field code } } }`,
      ),
    );
    expect(at(response, "discountCodeDelete")).toEqual({
      deletedCodeDiscountId: null,
      userErrors: [{ field: ["id"], code: "INVALID" }],
    });
  });

  it("creates free-shipping discounts with a minimum subtotal", async () => {
    const { gql } = seededHarness();
    const response = dataOf(
      await gql(
        `mutation F($input: DiscountCodeFreeShippingInput!) {
          discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
            codeDiscountNode { codeDiscount { __typename ... on DiscountCodeFreeShipping { title destinationSelection { __typename } minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount } } } } } }
            userErrors { field code }
          }
        }`,
        {
          input: {
            title: "Ship free",
            code: "SHIPNOW",
            startsAt: "2026-11-01T00:00:00Z",
            destination: { all: true },
            minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50" } },
          },
        },
      ),
    );
    expect(at(response, "discountCodeFreeShippingCreate")).toEqual({
      codeDiscountNode: {
        codeDiscount: {
          __typename: "DiscountCodeFreeShipping",
          title: "Ship free",
          destinationSelection: { __typename: "DiscountCountryAll" },
          minimumRequirement: { greaterThanOrEqualToSubtotal: { amount: "50.0" } },
        },
      },
      userErrors: [],
    });
  });

  it("rejects any input array over 250 items before executing", async () => {
    const { gql, sim, demo } = seededHarness();
    const ids = Array.from({ length: 251 }, () => demo.customerIds[0]);
    const response = await gql(BASIC_CREATE, {
      input: basicInput({ code: "BIG", context: { customers: { add: ids } } }),
    });
    expect(response.data).toBeUndefined();
    expect(at(response, "errors", 0)).toMatchObject({
      message: "The input array size of 251 is greater than the maximum allowed of 250.",
      extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
    });
    expect(sim.state(demo.domain).discountByCode("BIG")).toBeUndefined();
  });
});

describe("a checkout redeeming a created code", () => {
  it("shows up in the discount's usage count and in the orders the app reads", async () => {
    const { gql, sim, demo } = seededHarness();
    await gql(BASIC_CREATE, {
      input: basicInput({ code: "TEN-OFF", customerGets: { value: { percentage: 0.1 }, items: { all: true } } }),
    });
    const order = sim.placeOrder(demo.domain, {
      customerId: demo.customerIds[0],
      lines: [{ variantId: demo.variantIds[0] ?? "", quantity: 2 }],
      discountCodes: ["ten-off"],
    });
    expect(order.totalCents).toBe(3240); // 2 × $18.00 − 10%
    const usage = await gql(
      `{ codeDiscountNodeByCode(code: "TEN-OFF") { codeDiscount { ... on DiscountCodeBasic { asyncUsageCount } } } }`,
    );
    expect(at(usage, "data", "codeDiscountNodeByCode", "codeDiscount", "asyncUsageCount")).toBe(1);
    const orders = await gql(
      `{ orders(first: 5, query: "discount_code:TEN-OFF") { nodes { discountCodes totalPriceSet { shopMoney { amount } } } } }`,
    );
    expect(at(orders, "data", "orders", "nodes")).toEqual([
      { discountCodes: ["TEN-OFF"], totalPriceSet: { shopMoney: { amount: "32.4" } } },
    ]);
  });
});
