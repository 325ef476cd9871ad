import { describe, expect, it } from "vitest";
import { COUPONS_PER_CALL } from "../../../app/platforms/magento/adapter.server";
import { adapterFor, createMagentoShop, dynamicSpec, magento, requestsTo } from "./helpers";

describe("Magento adapter: sales rules for static pools", () => {
  it("lists the rules that take specific coupons, past one page, without the app's own dynamic-pool rules", async () => {
    const shop = await createMagentoShop({ connect: false });
    for (let i = 1; i <= 120; i++) {
      shop.store.saveRule({ name: `Rule ${i}`, coupon_type: i % 10 === 0 ? "NO_COUPON" : "SPECIFIC_COUPON", is_active: i !== 3, use_auto_generation: i === 2, website_ids: [1], customer_group_ids: [1] });
    }
    const adapter = adapterFor(shop);
    await adapter.createDynamicCode(dynamicSpec());
    const discounts = await adapter.listDiscounts();
    expect(discounts).toHaveLength(108);
    expect(discounts.slice(0, 3)).toEqual([
      { id: "1", title: "Rule 1", status: "ACTIVE", kind: "SalesRule (specific coupons)" },
      { id: "2", title: "Rule 2", status: "ACTIVE", kind: "SalesRule (specific coupons, auto generation)" },
      { id: "3", title: "Rule 3", status: "INACTIVE", kind: "SalesRule (specific coupons)" },
    ]);
    expect(discounts.some((d) => d.title.startsWith("Promo Codes ["))).toBe(false);
    // Two pages of 100, stopping on total_count (Magento would answer page 3 with page 2 again).
    expect(requestsTo(shop, "GET", "/salesRules/search").filter((e) => JSON.stringify(e.query).includes('"page_size":"100"'))).toHaveLength(2);
  });

  it("GIVEN codes for a manual rule THEN each becomes a manual coupon of it, reported synchronously and done", async () => {
    const shop = await createMagentoShop({ connect: false });
    const rule = shop.store.saveRule({ name: "Partner codes", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    const adapter = adapterFor(shop);
    const started = await adapter.addCodesToDiscount(String(rule.rule_id), ["P-1", "P-2", "P-3"]);
    expect(started).toMatchObject({ type: "started", progress: { done: true, total: 3, imported: 3, failed: [] } });
    expect([...shop.store.coupons.values()].map((c) => [c.code, c.rule_id, c.type])).toEqual([
      ["P-1", rule.rule_id, 0],
      ["P-2", rule.rule_id, 0],
      ["P-3", rule.rule_id, 0],
    ]);
    if (started.type !== "started") return;
    expect(await adapter.bulkAddProgress(started.progress.ref)).toEqual(started.progress);
    expect(await adapter.discountOfCode("p-2")).toBe(String(rule.rule_id));
    expect(await adapter.discountOfCode("NOPE")).toBeNull();
  });

  it("uses generated coupons for a rule with auto generation, which refuses manual ones", async () => {
    const shop = await createMagentoShop({ connect: false });
    const rule = shop.store.saveRule({ name: "Auto", coupon_type: "SPECIFIC_COUPON", use_auto_generation: true, website_ids: [1], customer_group_ids: [1] });
    expect(await adapterFor(shop).addCodesToDiscount(String(rule.rule_id), ["A-1"])).toMatchObject({ progress: { imported: 1 } });
    expect(shop.store.couponByCode("A-1")?.type).toBe(1);
  });

  it("reports each code another rule already has, and adds the rest", async () => {
    const shop = await createMagentoShop({ connect: false });
    const other = shop.store.saveRule({ name: "Other", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    const target = shop.store.saveRule({ name: "Target", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    shop.store.saveCoupon({ rule_id: other.rule_id, code: "CLASH", type: 0 });
    const started = await adapterFor(shop).addCodesToDiscount(String(target.rule_id), ["OK-1", "clash", "OK-2"]);
    expect(started).toMatchObject({
      type: "started",
      progress: { imported: 2, failed: [{ code: "clash", reason: "TAKEN: another Magento sales rule already has this coupon code" }] },
    });
  });

  it("refuses rules that cannot take the codes, and calls with too many or no codes, without adding anything", async () => {
    const shop = await createMagentoShop({ connect: false });
    const noCoupon = shop.store.saveRule({ name: "Automatic discount", coupon_type: "NO_COUPON", website_ids: [1], customer_group_ids: [1] });
    const adapter = adapterFor(shop);
    expect(await adapter.addCodesToDiscount(String(noCoupon.rule_id), ["X"])).toEqual({
      type: "refused",
      message: 'Sales rule "Automatic discount" does not take specific coupon codes (its coupon type is NO_COUPON)',
    });
    expect(await adapter.addCodesToDiscount("999", ["X"])).toEqual({ type: "refused", message: "Sales rule 999 no longer exists in Magento" });
    expect(await adapter.addCodesToDiscount("gid://shopify/DiscountCodeNode/1", ["X"])).toMatchObject({ type: "refused" });
    expect(await adapter.addCodesToDiscount(String(noCoupon.rule_id), Array.from({ length: COUPONS_PER_CALL + 1 }, (_, i) => `C${i}`))).toMatchObject({ type: "refused" });
    expect(await adapter.addCodesToDiscount(String(noCoupon.rule_id), [])).toMatchObject({ type: "refused" });
    expect(shop.store.coupons.size).toBe(0);
  });

  it("GIVEN some coupon answers are lost after Magento saved them THEN each code is still added once and counted as added", async () => {
    const shop = await createMagentoShop({ connect: false });
    const rule = shop.store.saveRule({ name: "Flaky", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    magento().injectFault(shop.baseUrl, { kind: "executeThenFail", status: 504 }, { times: 3, match: { method: "POST", path: "/coupons" } });
    const codes = Array.from({ length: 10 }, (_, i) => `FLAKY-${i}`);
    expect(await adapterFor(shop).addCodesToDiscount(String(rule.rule_id), codes)).toMatchObject({ progress: { imported: 10, failed: [] } });
    expect(shop.store.coupons.size).toBe(10);
  });
});
