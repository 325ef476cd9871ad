import { describe, expect, it } from "vitest";
import { at, BASIC_CREATE, basicInput, dataOf, seededHarness } from "./helpers";

const CODE_OWNER = /* GraphQL */ `
  query CodeOwner($code: String!) {
    app { id }
    codeDiscountNodeByCode(code: $code) {
      codeDiscount {
        __typename
        ... on DiscountCodeBasic { codes(first: 2) { nodes { code createdBy { id title } } } }
        ... on DiscountCodeFreeShipping { codes(first: 2) { nodes { code createdBy { id } } } }
      }
    }
  }
`;

describe("simulator: who created a redeem code (DiscountRedeemCode.createdBy)", () => {
  it("GIVEN a code the app created through the API THEN createdBy is the calling app; GIVEN the merchant's own code THEN it is null", async () => {
    const h = seededHarness();
    dataOf(await h.gql(BASIC_CREATE, { input: basicInput({ code: "APPMADE1" }) }));
    const mine = dataOf(await h.gql(CODE_OWNER, { code: "appmade1" }));
    const appId = at(mine, "app", "id");
    expect(appId).toMatch(/^gid:\/\/shopify\/App\/\d+$/);
    expect(at(mine, "codeDiscountNodeByCode", "codeDiscount", "codes", "nodes")).toEqual([
      { code: "APPMADE1", createdBy: { id: appId, title: "Promo Codes" } },
    ]);

    const merchants = dataOf(await h.gql(CODE_OWNER, { code: "SHIPFREE75" }));
    expect(at(merchants, "codeDiscountNodeByCode", "codeDiscount", "codes", "nodes")).toEqual([{ code: "SHIPFREE75", createdBy: null }]);
  });

  it("creates codes added in bulk in the name of the app that added them", async () => {
    const h = seededHarness({ bulkCodes: { startDelayMs: 0, codesPerSecond: 1000 } });
    const discountId = h.demo.discountIds[0]!;
    dataOf(
      await h.gql(
        `mutation Add($id: ID!, $codes: [DiscountRedeemCodeInput!]!) {
          discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) { userErrors { message } }
        }`,
        { id: discountId, codes: [{ code: "BULK-ONE" }] },
      ),
    );
    h.clock.advance(10);
    const store = h.sim.state(h.demo.domain);
    expect(store.findRedeemCode("BULK-ONE")?.createdBy?.id).toBe(h.sim.app.id);
    expect(store.findRedeemCode("WELCOME10")?.createdBy).toBeNull();
  });

  it("lets tests arrange customers that discounts can then be restricted to", async () => {
    const h = seededHarness();
    const customer = h.sim.state(h.demo.domain).addCustomer({ email: "new@example.com" });
    const created = dataOf(
      await h.gql(BASIC_CREATE, {
        input: basicInput({ code: "FORNEW1", context: { customers: { add: [`gid://shopify/Customer/${customer.id}`] } } }),
      }),
    );
    expect(at(created, "discountCodeBasicCreate", "userErrors")).toEqual([]);
    expect(h.sim.state(h.demo.domain).discountByCode("FORNEW1")?.context).toEqual({ kind: "customers", customerIds: [customer.id] });
  });
});
