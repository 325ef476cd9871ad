import { describe, expect, it } from "vitest";
import { processSyncRedeemable } from "../../../app/jobs/processors/pools.server";
import { platformFor } from "../../../app/platforms/index.server";
import { runRedeemableSync, startRedeemableSync } from "../../../app/services/pools/redeemable.server";
import { createPoolWithCodes } from "../../support/pools";
import { createMagentoShop, magento, requestsTo } from "./helpers";

const noWait = { pollMs: 0, sleep: () => Promise.resolve() };

async function setup(codes: string[]) {
  const shop = await createMagentoShop();
  const rule = shop.store.saveRule({ name: "Partner vouchers", coupon_type: "SPECIFIC_COUPON", is_active: true, website_ids: [1], customer_group_ids: [0, 1] });
  const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "MAGENTO" });
  const pool = await createPoolWithCodes(shop, codes);
  return { shop, rule, platform, pool };
}

describe("making a pool's codes redeemable at checkout (Magento sales rule)", () => {
  it("GIVEN 600 codes WHEN synced to a chosen rule THEN they become its coupons 250 a call, each marked, the run done", async () => {
    const codes = Array.from({ length: 600 }, (_, i) => `MRDM${String(i).padStart(4, "0")}`);
    const { shop, rule, platform, pool } = await setup(codes);
    const discountId = String(rule.rule_id);
    expect((await platform.listDiscounts()).map((d) => d.id)).toContain(discountId);

    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId });
    if (start.type !== "started") throw new Error(start.type);
    expect(await runRedeemableSync(shop.db, start.importId, platform, noWait)).toEqual({ added: 600, failed: 0 });

    expect([...shop.store.coupons.values()].filter((c) => c.rule_id === rule.rule_id && c.type === 0)).toHaveLength(600);
    expect(await shop.db.code.count({ where: { poolId: pool.id, platformRef: discountId } })).toBe(600);
    expect(await shop.db.codeImport.findFirstOrThrow({ where: { id: start.importId } })).toMatchObject({ status: "SUCCEEDED", itemsDone: 600, accepted: 600 });
    // One rule check per batch of 250: 3 batches.
    expect(requestsTo(shop, "GET", `/salesRules/${rule.rule_id}`)).toHaveLength(3);

    // A customer can now redeem a pool code at checkout.
    shop.store.addProduct({ sku: "MUG", price: 10 });
    expect(shop.store.placeOrder({ customer: { id: 3, email: "c@example.com" }, lines: [{ sku: "MUG" }], couponCode: "MRDM0042" }).coupon_code).toBe("MRDM0042");
  });

  it("reports the codes another rule already holds, one by one, and leaves them unmarked", async () => {
    const { shop, rule, platform, pool } = await setup(["FINE1", "HELD", "FINE2"]);
    const other = shop.store.saveRule({ name: "Other", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] });
    shop.store.saveCoupon({ rule_id: other.rule_id, code: "HELD", type: 0 });
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: String(rule.rule_id) });
    if (start.type !== "started") throw new Error(start.type);
    expect(await runRedeemableSync(shop.db, start.importId, platform, noWait)).toEqual({ added: 2, failed: 1 });
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { id: start.importId } });
    expect((run.report as { failures: { code: string; reason: string }[] }).failures).toEqual([{ code: "HELD", reason: expect.stringMatching(/^TAKEN/) }]);
    expect(await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, code: "HELD" } })).toMatchObject({ platformRef: null });
  });

  it("GIVEN a rule that takes no coupons THEN the run fails with Magento's reason and nothing is marked", async () => {
    const { shop, platform, pool } = await setup(["A1", "A2"]);
    const automatic = shop.store.saveRule({ name: "10% for everyone", coupon_type: "NO_COUPON", website_ids: [1], customer_group_ids: [1] });
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: String(automatic.rule_id) });
    if (start.type !== "started") throw new Error(start.type);
    expect(await runRedeemableSync(shop.db, start.importId, platform, noWait)).toEqual({ added: 0, failed: 0 });
    expect(await shop.db.codeImport.findFirstOrThrow({ where: { id: start.importId } })).toMatchObject({
      status: "FAILED",
      error: 'Sales rule "10% for everyone" does not take specific coupon codes (its coupon type is NO_COUPON)',
    });
    expect(await shop.db.code.count({ where: { poolId: pool.id, platformRef: { not: null } } })).toBe(0);
  });

  it("GIVEN the job dies after Magento saved some coupons THEN the retried job adds the rest and counts every code once", async () => {
    const { shop, rule, pool } = await setup(["R1", "R2", "R3", "R4"]);
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: String(rule.rule_id) });
    if (start.type !== "started") throw new Error(start.type);
    // The store goes away mid-batch: saves run, answers are lost, and lookups fail too.
    magento().injectFault(shop.baseUrl, { kind: "executeThenFail", status: 502 }, { times: 1, match: { method: "POST", path: "/coupons" } });
    magento().injectFault(shop.baseUrl, { kind: "status", status: 503 }, { times: 4, match: { path: "/coupons/search" } });
    await expect(processSyncRedeemable({ shopId: shop.id, importId: start.importId })).rejects.toThrow(/HTTP 503/);
    expect(await shop.db.code.count({ where: { poolId: pool.id, platformRef: { not: null } } })).toBe(0);

    // BullMQ retries the job once the store is back; R1 was saved by the lost call and is recognised.
    expect(magento().pendingFaults(shop.baseUrl)).toBe(0);
    expect(await processSyncRedeemable({ shopId: shop.id, importId: start.importId })).toEqual({ added: 4, failed: 0 });
    expect([...shop.store.coupons.values()].filter((c) => c.rule_id === rule.rule_id).map((c) => c.code).sort()).toEqual(["R1", "R2", "R3", "R4"]);
  });
});
