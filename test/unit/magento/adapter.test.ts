import { describe, expect, it } from "vitest";
import { PlatformAuthError, RetriablePlatformError } from "../../../app/platforms/errors";
import { forgetMagentoCaches } from "../../../app/platforms/magento/adapter.server";
import type { SalesRule } from "../../../simulator/magento";
import { adapterFor, createMagentoShop, dynamicSpec, magento, requestsTo } from "./helpers";

const DAY = 24 * 3600_000;
const current = () => ({ startsAt: new Date(Date.now() - DAY), endsAt: new Date(Date.now() + 7 * DAY) });

function rulesOfGroup(shop: { store: { rules: Map<number, SalesRule> } }, groupKey: string): SalesRule[] {
  return [...shop.store.rules.values()].filter((r) => r.name?.startsWith(`Promo Codes [${groupKey}]`));
}

function ruleOfGroup(shop: { store: { rules: Map<number, SalesRule> } }, groupKey: string): SalesRule {
  const [rule, ...more] = rulesOfGroup(shop, groupKey);
  if (!rule || more.length) throw new Error(`expected one rule for ${groupKey}`);
  return rule;
}

describe("Magento adapter: the store", () => {
  it("GIVEN a connected store WHEN described THEN its name and currency come from store groups and configs, with the bearer token", async () => {
    const shop = await createMagentoShop({ connect: false });
    const profile = await adapterFor(shop).describeShop();
    expect(profile).toEqual({ name: "Maple Outfitters", contactEmail: null, plan: null, currencyCode: "EUR" });
    expect(requestsTo(shop, "GET", "/store/storeConfigs").at(-1)?.outcome).toBe("ok");
  });

  it("GIVEN a revoked token THEN calls fail with PlatformAuthError carrying Magento's message", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    magento().setBearerIntegrationTokens(shop.baseUrl, false);
    const error = await adapter.findCode("ANY").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformAuthError);
    expect((error as Error).message).toMatch(/HTTP 401.*The consumer isn't authorized to access Magento_SalesRule::quote/);
  });
});

describe("Magento adapter: dynamic codes on one sales rule per group key", () => {
  it("GIVEN a percentage spec WHEN two codes of one group are created THEN one rule carries both as generated coupons", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec();
    const first = await adapter.createDynamicCode(spec);
    const second = await adapter.createDynamicCode({ ...spec, code: "SECOND1" });
    expect(first).toMatchObject({ type: "created", platformRef: expect.stringMatching(new RegExp(`^\\d+:\\d+:${spec.code}$`)) });
    expect(second).toMatchObject({ type: "created" });

    const rule = ruleOfGroup(shop, spec.groupKey);
    expect(rule).toMatchObject({
      name: `Promo Codes [${spec.groupKey}] until 2026-11-29`,
      simple_action: "by_percent",
      discount_amount: 15,
      coupon_type: "SPECIFIC_COUPON",
      use_auto_generation: true,
      uses_per_coupon: 1,
      uses_per_customer: 1,
      website_ids: [1],
      customer_group_ids: [0, 1],
      is_active: true,
      is_rss: false,
      stop_rules_processing: false,
      simple_free_shipping: "0",
      store_labels: [{ store_id: 0, store_label: "Welcome back" }],
      // Days in the store's zone (Europe/Paris): 23:30 UTC is already the next day there.
      from_date: "2026-11-22",
      to_date: "2026-11-29",
      action_condition: null,
      condition: null,
    });
    const coupons = [...shop.store.coupons.values()].filter((c) => c.rule_id === rule.rule_id);
    expect(coupons.map((c) => [c.code, c.type, c.usage_limit, c.expiration_date])).toEqual([
      [spec.code, 1, 1, "2026-11-29"],
      ["SECOND1", 1, 1, "2026-11-29"],
    ]);
    // The rule was looked up and created once; the second code used the cached id.
    expect(requestsTo(shop, "POST", "/salesRules")).toHaveLength(1);
    expect(requestsTo(shop, "GET", "/salesRules/search")).toHaveLength(1);
  });

  it("GIVEN codes that end N days after issue WHEN issued on different days THEN each end day gets its own rule, since coupons take their rule's end", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec({ endsAt: null });
    const monday = { startsAt: new Date("2026-11-23T09:00:00Z"), endsAt: new Date("2026-12-23T09:00:00Z") };
    const tuesday = { startsAt: new Date("2026-11-24T09:00:00Z"), endsAt: new Date("2026-12-24T09:00:00Z") };
    await adapter.createDynamicCode({ ...spec, ...monday, code: "MON1" });
    await adapter.createDynamicCode({ ...spec, ...monday, code: "MON2" });
    await adapter.createDynamicCode({ ...spec, ...tuesday, code: "TUE1" });
    await adapter.createDynamicCode({ ...spec, code: "NEVER1" });
    const rules = rulesOfGroup(shop, spec.groupKey);
    expect(rules.map((r) => [r.to_date, [...shop.store.coupons.values()].filter((c) => c.rule_id === r.rule_id).map((c) => c.code)])).toEqual([
      ["2026-12-23", ["MON1", "MON2"]],
      ["2026-12-24", ["TUE1"]],
      [null, ["NEVER1"]],
    ]);
    expect(shop.store.couponByCode("TUE1")?.expiration_date).toBe("2026-12-24");
  });

  it("GIVEN a fresh process WHEN a code of an existing group is created THEN the rule is found by its name, not created again", async () => {
    const shop = await createMagentoShop({ connect: false });
    const spec = dynamicSpec();
    await adapterFor(shop).createDynamicCode(spec);
    forgetMagentoCaches();
    expect(await adapterFor(shop).createDynamicCode({ ...spec, code: "AFTERRESTART" })).toMatchObject({ type: "created" });
    expect(requestsTo(shop, "POST", "/salesRules")).toHaveLength(1);
    expect(shop.store.rules.size).toBe(1);
  });

  it("GIVEN the merchant changes the customer groups in Settings WHEN the next code of a group is created THEN it goes on a rule with the new groups, in this process and after a restart", async () => {
    const shop = await createMagentoShop({ connect: false });
    const spec = { ...dynamicSpec(), ...current() };
    const membersOnly = { websiteIds: [1], customerGroupIds: [1] };
    await adapterFor(shop, {}, membersOnly).createDynamicCode({ ...spec, code: "MEMBERS1" });
    const ruleOf = (code: string) => shop.store.rules.get(shop.store.couponByCode(code)!.rule_id)!;
    expect(ruleOf("MEMBERS1").customer_group_ids).toEqual([1]);

    // Guests (group 0) were left out, so their codes were refused at checkout; the merchant adds them.
    await adapterFor(shop, {}, { websiteIds: [1], customerGroupIds: [1, 0] }).createDynamicCode({ ...spec, code: "GUESTS1" });
    expect([...ruleOf("GUESTS1").customer_group_ids].sort()).toEqual([0, 1]);
    forgetMagentoCaches();
    await adapterFor(shop, {}, { websiteIds: [1], customerGroupIds: [0, 1] }).createDynamicCode({ ...spec, code: "GUESTS2" });
    expect(ruleOf("GUESTS2").rule_id).toBe(ruleOf("GUESTS1").rule_id);

    // Back to members only: the first rule serves again, and the earlier codes kept theirs.
    await adapterFor(shop, {}, membersOnly).createDynamicCode({ ...spec, code: "MEMBERS2" });
    expect(ruleOf("MEMBERS2").rule_id).toBe(ruleOf("MEMBERS1").rule_id);
    expect(rulesOfGroup(shop, spec.groupKey)).toHaveLength(2);
  });

  it("GIVEN concurrent first codes of one group in one process THEN they share one rule", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec();
    const results = await Promise.all(["C1AAAA", "C2BBBB", "C3CCCC"].map((code) => adapter.createDynamicCode({ ...spec, code })));
    expect(results.map((r) => r.type)).toEqual(["created", "created", "created"]);
    expect(shop.store.rules.size).toBe(1);
  });

  it("maps a fixed amount to cart_fixed, free shipping to a 0 % rule freeing the shipment, and a minimum subtotal to a cart condition", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const fixed = dynamicSpec({ value: { type: "fixed_amount", amount: "7.50" }, minimumSubtotal: "50.00", usageLimit: null, oncePerCustomer: false });
    const free = dynamicSpec({ value: { type: "free_shipping" }, combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false } });
    await adapter.createDynamicCode(fixed);
    await adapter.createDynamicCode(free);
    expect(ruleOfGroup(shop, fixed.groupKey)).toMatchObject({
      simple_action: "cart_fixed",
      discount_amount: 7.5,
      uses_per_coupon: 0,
      uses_per_customer: 0,
      condition: {
        condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Combine",
        aggregator_type: "all",
        conditions: [{ condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Address", attribute_name: "base_subtotal", operator: ">=", value: "50.00" }],
      },
    });
    expect(ruleOfGroup(shop, free.groupKey)).toMatchObject({ simple_action: "by_percent", discount_amount: 0, simple_free_shipping: "2", stop_rules_processing: true });
  });

  it("GIVEN triggered products WHEN the rule is made THEN it is restricted to their SKUs read from Magento, and checkout honours it", async () => {
    const shop = await createMagentoShop({ connect: false });
    const mug = shop.store.addProduct({ sku: "MUG-BLUE", price: 20 });
    const tee = shop.store.addProduct({ sku: "TEE-RED", price: 30 });
    shop.store.addProduct({ sku: "CAP", price: 15 });
    const spec = dynamicSpec({ ...current(), target: { type: "products", productIds: [String(mug.id)], variantIds: [`gid://magento/Product/${tee.id}`] } });
    expect(await adapterFor(shop).createDynamicCode(spec)).toMatchObject({ type: "created" });
    expect(ruleOfGroup(shop, spec.groupKey).action_condition).toEqual({
      condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product\\Combine",
      aggregator_type: "all",
      value: "1",
      conditions: [{ condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product", attribute_name: "sku", operator: "()", value: "MUG-BLUE, TEE-RED" }],
    });
    const order = shop.store.placeOrder({ customer: { id: 5, email: "c@example.com" }, lines: [{ sku: "MUG-BLUE" }, { sku: "CAP" }], couponCode: spec.code });
    expect(order.discount_amount).toBe(-3); // 15 % of the mug only
  });

  it("GIVEN a triggered product that no longer exists THEN target_gone names it and no rule is made", async () => {
    const shop = await createMagentoShop({ connect: false });
    const mug = shop.store.addProduct({ sku: "MUG" });
    const spec = dynamicSpec({ target: { type: "products", productIds: [String(mug.id), "999999"], variantIds: [] } });
    expect(await adapterFor(shop).createDynamicCode(spec)).toEqual({ type: "target_gone", ids: ["999999"] });
    expect(shop.store.rules.size).toBe(0);
    expect(shop.store.coupons.size).toBe(0);
  });

  it("restricts collections to Magento categories", async () => {
    const shop = await createMagentoShop({ connect: false });
    const spec = dynamicSpec({ target: { type: "collections", collectionIds: ["12", "gid://magento/Category/15"] } });
    await adapterFor(shop).createDynamicCode(spec);
    expect(ruleOfGroup(shop, spec.groupKey).action_condition?.conditions).toEqual([
      { condition_type: "Magento\\SalesRule\\Model\\Rule\\Condition\\Product", attribute_name: "category_ids", operator: "()", value: "12, 15" },
    ]);
  });

  it("answers invalid values itself, and Magento's refusals as invalid with Magento's message", async () => {
    const shop = await createMagentoShop({ connect: false });
    expect(await adapterFor(shop).createDynamicCode(dynamicSpec({ value: { type: "percentage", percent: 150 } }))).toEqual({
      type: "invalid",
      message: "A percentage must be above 0 and at most 100, not 150",
    });
    const noWebsites = adapterFor(shop, {}, { websiteIds: [], customerGroupIds: [1] });
    expect(await noWebsites.createDynamicCode(dynamicSpec())).toEqual({
      type: "invalid",
      message: "Magento refused the sales rule: Please specify a website.; ",
    });
    expect(shop.store.coupons.size).toBe(0);
  });

  it("GIVEN the code is already a coupon of another rule THEN code_taken; GIVEN it is on this group's rule THEN created (a lost earlier answer)", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const other = shop.store.saveRule({ name: "Merchant rule", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    shop.store.saveCoupon({ rule_id: other.rule_id, code: "TAKEN01", type: 0 });
    expect(await adapter.createDynamicCode(dynamicSpec({ code: "taken01" }))).toEqual({ type: "code_taken" });

    const spec = dynamicSpec();
    const first = await adapter.createDynamicCode(spec);
    expect(await adapter.createDynamicCode(spec)).toEqual(first);
    expect([...shop.store.coupons.values()].filter((c) => c.code === spec.code)).toHaveLength(1);
  });

  it("GIVEN the merchant deleted the group's rule WHEN the next code is created THEN the rule is made again", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec();
    await adapter.createDynamicCode(spec);
    shop.store.deleteRule(ruleOfGroup(shop, spec.groupKey).rule_id);
    expect(await adapter.createDynamicCode({ ...spec, code: "REBUILT1" })).toMatchObject({ type: "created" });
    expect(ruleOfGroup(shop, spec.groupKey).rule_id).toBe(2);
  });
});

describe("Magento adapter: failures and exactly once", () => {
  it("GIVEN 5xx answers to a read WHEN looking a code up THEN it is retried with backoff and succeeds", async () => {
    const shop = await createMagentoShop({ connect: false });
    const waits: number[] = [];
    const adapter = adapterFor(shop, { sleep: (ms) => (waits.push(ms), Promise.resolve()), backoffMs: (n) => 100 * 2 ** n });
    magento().injectFault(shop.baseUrl, { kind: "status", status: 503 }, { times: 2, match: { path: "/coupons/search" } });
    expect(await adapter.findCode("NOPE")).toBeNull();
    expect(waits).toEqual([100, 200]);
    expect(requestsTo(shop, "GET", "/coupons/search").map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it("GIVEN a 5xx before Magento ran the create THEN the adapter looks the code up, finds nothing, creates it once", async () => {
    const shop = await createMagentoShop({ connect: false });
    const spec = dynamicSpec();
    magento().injectFault(shop.baseUrl, { kind: "status", status: 500 }, { match: { method: "POST", path: "/coupons" } });
    expect(await adapterFor(shop).createDynamicCode(spec)).toMatchObject({ type: "created" });
    expect(requestsTo(shop, "POST", "/coupons").map((e) => [e.status, e.executed])).toEqual([
      [500, false],
      [200, true],
    ]);
    expect(shop.store.coupons.size).toBe(1);
  });

  it("GIVEN Magento throttles the create with 429 THEN it waits Retry-After and creates once", async () => {
    const shop = await createMagentoShop({ connect: false });
    const waits: number[] = [];
    magento().injectFault(shop.baseUrl, { kind: "status", status: 429, retryAfterSeconds: 2 }, { match: { method: "POST", path: "/coupons" } });
    expect(await adapterFor(shop, { sleep: (ms) => (waits.push(ms), Promise.resolve()) }).createDynamicCode(dynamicSpec())).toMatchObject({ type: "created" });
    expect(waits).toEqual([2000]);
    expect(shop.store.coupons.size).toBe(1);
  });

  it("GIVEN a read that never answers THEN it times out, is retried, and a store that stays silent is a RetriablePlatformError", async () => {
    const shop = await createMagentoShop({ connect: false });
    magento().injectFault(shop.baseUrl, { kind: "timeout" }, { match: { path: "/coupons/search" } });
    expect(await adapterFor(shop, { timeoutMs: 50 }).findCode("X")).toBeNull();
    magento().injectFault(shop.baseUrl, { kind: "timeout" }, { times: 3, match: { path: "/coupons/search" } });
    const error = await adapterFor(shop, { timeoutMs: 50, maxRetries: 2 }).findCode("X").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriablePlatformError);
    expect((error as Error).message).toMatch(/no answer within 0.05 s/);
  });

  it("GIVEN Magento saved the coupon but the answer was lost THEN the adapter recognises it: one coupon, created", async () => {
    const shop = await createMagentoShop({ connect: false });
    const spec = dynamicSpec();
    magento().injectFault(shop.baseUrl, { kind: "executeThenFail", status: 502 }, { match: { method: "POST", path: "/coupons" } });
    const result = await adapterFor(shop).createDynamicCode(spec);
    expect(result).toMatchObject({ type: "created" });
    expect(shop.store.coupons.size).toBe(1);
    expect(requestsTo(shop, "POST", "/coupons")).toHaveLength(1);
  });

  it("GIVEN the answer was lost AND the store stays down THEN create fails retriably, and findCode later finds the coupon it made", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop, { maxRetries: 1 });
    const spec = dynamicSpec();
    magento().injectFault(shop.baseUrl, { kind: "executeThenTimeout" }, { match: { method: "POST", path: "/coupons" } });
    magento().injectFault(shop.baseUrl, { kind: "status", status: 503 }, { times: 2, match: { path: "/coupons/search" } });
    const error = await adapterFor(shop, { maxRetries: 1, timeoutMs: 100 }).createDynamicCode(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriablePlatformError);

    // What the dynamic service does on its retry: look the code up before creating again.
    const found = await adapter.findCode(spec.code);
    expect(found?.platformRef).toMatch(new RegExp(`:${spec.code}$`));
    expect(await adapter.createDynamicCode(spec)).toEqual({ type: "created", platformRef: found!.platformRef });
    expect(shop.store.coupons.size).toBe(1);
  });

  it("revokes a code by deleting its coupon; revoking again is harmless and checkout no longer takes it", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec({ ...current() });
    const created = await adapter.createDynamicCode(spec);
    if (created.type !== "created") throw new Error(created.type);
    await adapter.revokeCode(created.platformRef);
    await adapter.revokeCode(created.platformRef);
    expect(await adapter.findCode(spec.code)).toBeNull();
    // The second revoke finds no coupon left and deletes nothing.
    expect(requestsTo(shop, "POST", "/coupons/deleteByCodes").map((e) => e.input)).toEqual([{ codes: [spec.code], ignoreInvalidCoupons: true }]);
    shop.store.addProduct({ sku: "MUG" });
    expect(() => shop.store.placeOrder({ customer: { id: 1, email: "a@example.com" }, lines: [{ sku: "MUG" }], couponCode: spec.code })).toThrow(/not valid/);
  });

  it("finds codes without regard to case, as checkout does, and answers null for unknown codes", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const spec = dynamicSpec({ code: "MiXeD9" });
    const created = await adapter.createDynamicCode(spec);
    expect(await adapter.findCode("mixed9")).toEqual({ platformRef: (created as { platformRef: string }).platformRef });
    expect(await adapter.findCode("UNKNOWN")).toBeNull();
  });

  it("GIVEN a code on a merchant's rule or on another pool's rule THEN findCode does not answer it as the pool's, and revokeCode does not delete it", async () => {
    const shop = await createMagentoShop({ connect: false });
    const adapter = adapterFor(shop);
    const merchant = shop.store.saveRule({ name: "Staff 50%", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    const staff = shop.store.saveCoupon({ rule_id: merchant.rule_id, code: "STAFF50", type: 0 });
    const spec = dynamicSpec({ groupKey: "pool-a:0123456789abcdef" });
    const created = await adapter.createDynamicCode(spec);
    if (created.type !== "created") throw new Error(created.type);

    expect(await adapter.findCode("STAFF50")).toBeNull();
    expect(await adapter.findCode(spec.code, { poolId: "pool-a" })).toEqual({ platformRef: created.platformRef });
    expect(await adapter.findCode(spec.code, { poolId: "pool-b" })).toBeNull();

    await adapter.revokeCode(`${merchant.rule_id}:${staff.coupon_id}:STAFF50`);
    await adapter.revokeCode("STAFF50");
    expect(shop.store.couponByCode("STAFF50")).toBeDefined();
    expect(requestsTo(shop, "POST", "/coupons/deleteByCodes")).toHaveLength(0);
  });
});
