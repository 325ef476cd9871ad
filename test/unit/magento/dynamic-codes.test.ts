// Dynamic codes issued end to end on a Magento store: the dynamic-codes service over the real adapter and the
// Magento simulator. Coupon codes are unique across a Magento store, so a drawn code may already be a coupon of one
// of the merchant's own rules; it must be redrawn like any collision, never adopted or revoked as the customer's.
import { describe, expect, it } from "vitest";
import { parseDynamicSettings } from "../../../app/domain/pools/dynamic";
import { isAppRule } from "../../../app/platforms/magento/rule-spec";
import type { DiscountPlatform } from "../../../app/platforms/port";
import { reconcileStalePendingCodes, revokeDynamicCodes, STALE_PENDING_MS } from "../../../app/services/pools/dynamic.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { noSleep, wrapCreate } from "../dynamic/helpers";
import { adapterFor, createMagentoShop, type MagentoTestShop } from "./helpers";

async function arrange() {
  const shop = await createMagentoShop();
  const parsed = parseDynamicSettings({ value: { type: "percentage", percent: 10 } });
  if (parsed.type !== "valid") throw new Error(JSON.stringify(parsed.errors));
  const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Welcome", kind: "DYNAMIC", dynamicConfig: parsed.settings } });
  const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "42" } });
  const staff = shop.store.saveRule({ name: "Staff 50%", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
  return { shop, pool, customer, staff, input: { shopId: shop.id, poolId: pool.id, customerId: customer.id } };
}

/** An adapter on which the merchant's rule takes the first drawn code just before the app posts it. */
function merchantTakesFirstCode(shop: MagentoTestShop, ruleId: number, drawn: string[]): DiscountPlatform {
  return wrapCreate(adapterFor(shop), (real, spec, call) => {
    drawn.push(spec.code);
    if (call === 1) shop.store.saveCoupon({ rule_id: ruleId, code: spec.code, type: 0 });
    return real(spec);
  });
}

const couponsOf = (shop: MagentoTestShop, ruleId: number) => [...shop.store.coupons.values()].filter((c) => c.rule_id === ruleId).map((c) => c.code);

describe("Magento dynamic codes end to end", () => {
  it("GIVEN a drawn code that is already a coupon of the merchant's own rule WHEN the code is issued THEN a fresh code is created on the app's rule, and revoking it leaves the merchant's coupon alone", async () => {
    const { shop, pool, staff, input } = await arrange();
    const drawn: string[] = [];
    const result = await issueCode(shop.db, input, { platform: merchantTakesFirstCode(shop, staff.rule_id, drawn), sleep: noSleep });

    expect(drawn).toHaveLength(2);
    expect(drawn[1]).not.toBe(drawn[0]);
    expect(result).toMatchObject({ type: "issued", issued: { code: drawn[1] } });
    const row = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    const appRule = [...shop.store.rules.values()].find((r) => isAppRule(r.name))!;
    expect(row).toMatchObject({ code: drawn[1], status: "ASSIGNED", platformRef: expect.stringMatching(new RegExp(`^${appRule.rule_id}:\\d+:${drawn[1]}$`)) });
    expect(couponsOf(shop, appRule.rule_id)).toEqual([drawn[1]]);

    expect(await revokeDynamicCodes(shop.db, pool.id, { codes: [drawn[1]!] }, { platform: adapterFor(shop) })).toEqual({ revoked: [drawn[1]], skipped: [] });
    expect(couponsOf(shop, appRule.rule_id)).toEqual([]);
    expect(couponsOf(shop, staff.rule_id)).toEqual([drawn[0]]);
  });

  it("GIVEN an attempt left PENDING on a code the merchant's rule holds WHEN it is resumed THEN the code is redrawn, not adopted", async () => {
    const { shop, pool, staff, input } = await arrange();
    const killed = wrapCreate(adapterFor(shop), () => Promise.reject(new Error("worker killed")));
    await expect(issueCode(shop.db, input, { platform: killed })).rejects.toThrow("worker killed");
    const pending = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, status: "PENDING" } });
    shop.store.saveCoupon({ rule_id: staff.rule_id, code: pending.code, type: 0 });

    const result = await issueCode(shop.db, input, { platform: adapterFor(shop), sleep: noSleep });

    expect(result).toMatchObject({ type: "issued", issued: { codeId: pending.id.toString() } });
    const row = await shop.db.code.findFirstOrThrow({ where: { id: pending.id } });
    expect(row.code).not.toBe(pending.code);
    expect(row.status).toBe("ASSIGNED");
    expect(couponsOf(shop, staff.rule_id)).toEqual([pending.code]);
  });

  it("GIVEN a stale PENDING attempt whose code only the merchant's rule holds WHEN the sweep reconciles THEN it is discarded, not Assigned", async () => {
    const { shop, pool, staff, input } = await arrange();
    const killed = wrapCreate(adapterFor(shop), () => Promise.reject(new Error("worker killed")));
    await expect(issueCode(shop.db, input, { platform: killed })).rejects.toThrow("worker killed");
    const pending = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, status: "PENDING" } });
    shop.store.saveCoupon({ rule_id: staff.rule_id, code: pending.code, type: 0 });

    const later = new Date(Date.now() + STALE_PENDING_MS + 60_000);
    expect(await reconcileStalePendingCodes(shop.db, { platform: adapterFor(shop), now: later })).toEqual({ confirmed: 0, discarded: 1 });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(0);
  });

  it("GIVEN a code row whose reference points at the merchant's coupon WHEN it is revoked THEN the merchant's coupon survives", async () => {
    const { shop, pool, customer, staff } = await arrange();
    const coupon = shop.store.saveCoupon({ rule_id: staff.rule_id, code: "STAFF50", type: 0 });
    await shop.db.code.create({
      data: { shopId: shop.id, poolId: pool.id, code: "STAFF50", codeKey: "STAFF50", status: "ASSIGNED", customerId: customer.id, platformRef: `${staff.rule_id}:${coupon.coupon_id}:STAFF50` },
    });

    expect(await revokeDynamicCodes(shop.db, pool.id, { codes: ["STAFF50"] }, { platform: adapterFor(shop) })).toEqual({ revoked: ["STAFF50"], skipped: [] });
    expect(couponsOf(shop, staff.rule_id)).toEqual(["STAFF50"]);
  });
});
