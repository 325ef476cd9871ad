import { describe, expect, it } from "vitest";
import { BASE, createRule, harness, q } from "./helpers";

describe("Magento simulator: coupons", () => {
  it("GIVEN a specific-coupon rule WHEN a manual coupon is saved THEN it takes the rule's limits and expiry, whatever was sent", async () => {
    const h = harness();
    const ruleId = await createRule(h, { uses_per_coupon: 1, uses_per_customer: 1, to_date: "2026-12-31" });
    const response = await h.call("POST", "/coupons", {
      body: { coupon: { rule_id: ruleId, code: "SPRING-1", type: 0, usage_limit: 99, usage_per_customer: 99 } },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ coupon_id: 1, rule_id: ruleId, code: "SPRING-1", usage_limit: 1, usage_per_customer: 1, expiration_date: "2026-12-31", times_used: 0 });
  });

  it("enforces the coupon rules of CouponRepository::save, with Magento's wrapped messages", async () => {
    const h = harness();
    const manual = await createRule(h, { use_auto_generation: false });
    const auto = await createRule(h, { use_auto_generation: true });
    const none = await createRule(h, { coupon_type: "NO_COUPON" });
    const refusals = [
      [{ rule_id: 999, code: "A", type: 0 }, "No such entity with rule_id = 999"],
      [{ rule_id: none, code: "A", type: 0 }, "Specified rule does not allow coupons"],
      [{ rule_id: auto, code: "A", type: 0 }, "Specified rule only allows auto generated coupons"],
      // PHP's loose comparison: a missing type equals TYPE_MANUAL.
      [{ rule_id: auto, code: "A" }, "Specified rule only allows auto generated coupons"],
      [{ rule_id: manual, code: "A", type: 1 }, "Specified rule does not allow auto generated coupons"],
    ] as const;
    for (const [coupon, detail] of refusals) {
      const response = await h.call("POST", "/coupons", { body: { coupon } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: "Error occurred when saving coupon: %1", parameters: [detail] });
    }
    expect((await h.call("POST", "/coupons", { body: { coupon: { rule_id: auto, code: "A", type: 1 } } })).status).toBe(200);
    expect((await h.call("POST", "/coupons", { body: { coupon: { rule_id: manual, code: "B", type: 0 } } })).status).toBe(200);
  });

  it("GIVEN a coupon code exists (in any case) WHEN it is saved again THEN '%1 already exists.' and no second coupon", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "Dupe-Me", type: 0 } } });
    const again = await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "DUPE-ME", type: 0 } } });
    expect(again).toMatchObject({ status: 400, body: { message: "%1 already exists.", parameters: ["Coupon with the same code"] } });
    expect(h.sim.state(BASE).coupons.size).toBe(1);
  });

  it("finds a coupon by code (case-insensitively, like MySQL) with GET /V1/coupons/search", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "FindMe", type: 0 } } });
    const found = await h.call("GET", "/coupons/search", {
      query: q({ "[filter_groups][0][filters][0][field]": "code", "[filter_groups][0][filters][0][value]": "findme", "[filter_groups][0][filters][0][condition_type]": "eq" }),
    });
    expect(found.body).toMatchObject({ total_count: 1, items: [{ code: "FindMe", rule_id: ruleId }] });
    expect((found.body as { search_criteria: unknown }).search_criteria).toEqual({
      filter_groups: [{ filters: [{ field: "code", value: "findme", condition_type: "eq" }] }],
      page_size: 20,
    });
  });

  it("generates codes only for rules that allow auto generation, synchronously, as a string array", async () => {
    const h = harness();
    const manual = await createRule(h);
    const refused = await h.call("POST", "/coupons/generate", { body: { couponSpec: { rule_id: manual, quantity: 3, length: 6 } } });
    expect(refused.body).toEqual({
      message: "Error occurred when generating coupons: %1",
      parameters: ["Specified rule does not allow automatic coupon generation"],
    });
    const auto = await createRule(h, { use_auto_generation: true });
    const codes = await h.call("POST", "/coupons/generate", { body: { couponSpec: { rule_id: auto, quantity: 3, length: 6, prefix: "SB-", format: "num" } } });
    expect(codes.body).toEqual([expect.stringMatching(/^SB-\d{6}$/), expect.stringMatching(/^SB-\d{6}$/), expect.stringMatching(/^SB-\d{6}$/)]);
    expect([...h.sim.state(BASE).coupons.values()].every((c) => c.type === 1 && c.rule_id === auto)).toBe(true);
  });

  it("deletes by codes with the {failed_items, missing_items} result, and refuses missing codes when told not to ignore them", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    for (const code of ["DEL-1", "DEL-2", "KEEP"]) await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code, type: 0 } } });
    const strict = await h.call("POST", "/coupons/deleteByCodes", { body: { codes: ["DEL-1", "NOPE"], ignoreInvalidCoupons: false } });
    expect(strict).toMatchObject({ status: 400, body: { message: "Some coupons are invalid." } });
    expect(h.sim.state(BASE).coupons.size).toBe(3);

    const response = await h.call("POST", "/coupons/deleteByCodes", { body: { codes: ["DEL-1", "DEL-2", "NOPE"] } });
    expect(response.body).toEqual({ failed_items: [], missing_items: ["NOPE"] });
    expect([...h.sim.state(BASE).coupons.values()].map((c) => c.code)).toEqual(["KEEP"]);
    // Deleting again is harmless: the code is reported missing.
    expect((await h.call("POST", "/coupons/deleteByCodes", { body: { codes: ["DEL-1"] } })).body).toEqual({ failed_items: [], missing_items: ["DEL-1"] });
  });

  it("GIVEN a checkout with a coupon THEN it is redeemed within the rule's limits and its usage is counted", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    store.addProduct({ sku: "MUG", price: 20 });
    store.addProduct({ sku: "TEE", price: 30 });
    const ruleId = await createRule(h, {
      uses_per_coupon: 1,
      action_condition: {
        condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product\\Combine",
        aggregator_type: "all",
        conditions: [{ condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product", attribute_name: "sku", operator: "()", value: "MUG" }],
      },
    });
    await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "ONCE", type: 0 } } });
    const order = store.placeOrder({ customer: { id: 7, email: "a@example.com" }, lines: [{ sku: "MUG" }, { sku: "TEE" }], couponCode: "once" });
    expect(order).toMatchObject({ coupon_code: "ONCE", discount_amount: -2, subtotal: 50 });
    expect(store.couponByCode("ONCE")?.times_used).toBe(1);
    expect(() => store.placeOrder({ customer: { id: 8, email: "b@example.com" }, lines: [{ sku: "MUG" }], couponCode: "ONCE" })).toThrow(/not valid/);
  });
});
