import { describe, expect, it } from "vitest";
import { renderMessage } from "../../../simulator/magento";
import { harness, ruleBody, TOKEN } from "./helpers";

describe("Magento simulator: request contract", () => {
  it("GIVEN no bearer token or a wrong one WHEN a rule is created THEN Magento's 401 names the ACL resource and nothing is saved", async () => {
    const h = harness();
    for (const token of [null, "wrong-token"]) {
      const response = await h.call("POST", "/salesRules", { body: ruleBody(), token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        message: "The consumer isn't authorized to access %resources.",
        parameters: { resources: "Magento_SalesRule::quote" },
      });
    }
    expect(h.sim.state("https://shop.magento.test").rules.size).toBe(0);
  });

  it("GIVEN a 2.4.4+ store whose OAuth setting refuses integration tokens as bearer tokens THEN the right token still gets 401", async () => {
    const h = harness({ bearerIntegrationTokens: false });
    expect((await h.call("GET", "/store/storeViews")).status).toBe(401);
    h.sim.setBearerIntegrationTokens("https://shop.magento.test", true);
    expect((await h.call("GET", "/store/storeViews", { token: TOKEN })).status).toBe(200);
  });

  it("GIVEN a token without the Sales resource WHEN orders are searched THEN 401 names Magento_Sales::actions_view", async () => {
    const h = harness({ resources: ["Magento_SalesRule::quote"] });
    const response = await h.call("GET", "/orders", { query: "searchCriteria=" });
    expect(response.status).toBe(401);
    expect(renderMessage(response.body as { message: string })).toBe("The consumer isn't authorized to access Magento_Sales::actions_view.");
  });

  it("refuses a body without its top-level parameter key, the way ServiceInputProcessor does", async () => {
    const h = harness();
    const response = await h.call("POST", "/salesRules", { body: { name: "flat, no rule key" } });
    expect(response.status).toBe(400);
    // The stricter check fires first: Magento would ignore "name" and then complain that "rule" is missing.
    expect((response.body as { message: string }).message).toMatch(/\[simulator\] unexpected top-level key "name"/);
    const missing = await h.call("POST", "/coupons", { body: {} });
    expect(missing.body).toEqual({ message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: "coupon" } });
  });

  it("accepts the snake_case form of a top-level parameter, as Magento does (couponSpec or coupon_spec)", async () => {
    const h = harness();
    const rule = await h.call("POST", "/salesRules", { body: ruleBody({ use_auto_generation: true }) });
    const ruleId = (rule.body as { rule_id: number }).rule_id;
    const generated = await h.call("POST", "/coupons/generate", { body: { coupon_spec: { rule_id: ruleId, quantity: 2, length: 8 } } });
    expect(generated.status).toBe(200);
    expect(generated.body).toHaveLength(2);
  });

  it("GIVEN an unknown field in a data object THEN 400 'Property ... does not have accessor method' with its parameters", async () => {
    const h = harness();
    const response = await h.call("POST", "/salesRules", { body: ruleBody({ coupon_code: "SPRING" }) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      message: 'Property "%1" does not have accessor method "%2" in class "%3".',
      parameters: ["CouponCode", "getCouponCode", "Magento\\SalesRule\\Api\\Data\\RuleInterface"],
    });
    expect(renderMessage(response.body as { message: string })).toBe(
      'Property "CouponCode" does not have accessor method "getCouponCode" in class "Magento\\SalesRule\\Api\\Data\\RuleInterface".',
    );
  });

  it("checks nested objects too: a condition's unknown field and a camelCase field are both refused", async () => {
    const h = harness();
    const unknown = await h.call("POST", "/salesRules", {
      body: ruleBody({ action_condition: { condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product\\Combine", attribute: "sku" } }),
    });
    expect((unknown.body as { parameters: unknown[] }).parameters).toEqual(["Attribute", "getAttribute", "Magento\\SalesRule\\Api\\Data\\ConditionInterface"]);
    const camel = await h.call("POST", "/coupons", { body: { coupon: { ruleId: 1, code: "X" } } });
    expect(camel.status).toBe(400);
    expect((camel.body as { message: string }).message).toMatch(/snake_case: "rule_id"/);
  });

  it("converts types like Magento (numeric strings are ints, 1 is true) and refuses what it cannot convert", async () => {
    const h = harness();
    const ok = await h.call("POST", "/salesRules", { body: ruleBody({ uses_per_coupon: "3", is_active: 1, discount_amount: "12.5" }) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ uses_per_coupon: 3, is_active: true, discount_amount: 12.5 });

    const bad = await h.call("POST", "/salesRules", { body: ruleBody({ uses_per_coupon: "three" }) });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      message: 'Error occurred during "uses_per_coupon" processing. Invalid type for value: "three". Expected Type: "int".',
    });
    const list = await h.call("POST", "/salesRules", { body: ruleBody({ website_ids: 1 }) });
    expect((list.body as { message: string }).message).toMatch(/Expected Type: "int\[\]"/);
  });

  it("answers 'Decoding error.' to a body that is not JSON, and 404 to a route Magento does not have", async () => {
    const h = harness();
    const broken = await h.call("POST", "/salesRules", { body: '{"rule": ' });
    expect(broken).toMatchObject({ status: 400, body: { message: "Decoding error." } });
    const noRoute = await h.call("GET", "/salesRule/search", { query: "searchCriteria=" });
    expect(noRoute).toMatchObject({ status: 404, body: { message: "Request does not match any route." } });
  });

  it("GIVEN an unknown store code in the URL THEN Magento reads it as part of the path: 404 no route", async () => {
    const h = harness({ storeCodes: ["default", "fr"] });
    expect((await h.call("GET", "/store/storeViews", { storeCode: "fr" })).status).toBe(200);
    expect((await h.call("GET", "/store/storeViews", { storeCode: "all" })).status).toBe(200);
    const unknown = await h.call("GET", "/store/storeViews", { storeCode: "de" });
    expect(unknown).toMatchObject({ status: 404, body: { message: "Request does not match any route." } });
  });

  it("validates rules like RuleRepository: dates in order, a website and customer groups when given", async () => {
    const h = harness();
    const dates = await h.call("POST", "/salesRules", { body: ruleBody({ from_date: "2026-12-01", to_date: "2026-11-01" }) });
    expect(dates.body).toEqual({ message: "End Date must follow Start Date.; " });
    const empty = await h.call("POST", "/salesRules", { body: ruleBody({ website_ids: [], customer_group_ids: [] }) });
    expect(empty.body).toEqual({ message: "Please specify a website.; Please specify Customer Groups.; " });
    const freeShipping = await h.call("POST", "/salesRules", { body: ruleBody({ simple_free_shipping: "FREE" }) });
    expect((freeShipping.body as { message: string }).message).toMatch(/\[simulator\] simple_free_shipping/);
  });

  it("echoes a saved rule with its new rule_id, its conditions and the coupon type's API name", async () => {
    const h = harness();
    const actionCondition = {
      condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product\\Combine",
      aggregator_type: "all",
      conditions: [{ condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product", attribute_name: "sku", operator: "()", value: "MUG-1, MUG-2" }],
    };
    const response = await h.call("POST", "/salesRules", { body: ruleBody({ action_condition: actionCondition }) });
    expect(response.body).toMatchObject({ rule_id: 1, name: "Spring sale", coupon_type: "SPECIFIC_COUPON", action_condition: actionCondition });
    const fetched = await h.call("GET", "/salesRules/1");
    expect(fetched.body).toEqual(response.body);
  });
});
