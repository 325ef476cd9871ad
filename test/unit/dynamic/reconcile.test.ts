// Attempts nobody finishes: a dynamic code left PENDING by a caller without an idempotency key that gave up (a lost
// response, a killed worker) and never issued to that customer again. The per-minute sweep settles them without
// creating anything: what Shopify holds becomes Assigned, what it does not is discarded.
import { describe, expect, it } from "vitest";
import { RetriablePlatformError } from "../../../app/platforms/errors";
import { reconcileStalePendingCodes, STALE_PENDING_MS } from "../../../app/services/pools/dynamic.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { appDiscounts, dynamicPool, dynamicShop, executedCreates, noSleep, wrapCreate } from "./helpers";

const TEN_PERCENT = { value: { type: "percentage", percent: 10 } } as const;

describe("stale dynamic attempts", () => {
  it("GIVEN three PENDING codes (created on Shopify but unheard, never created, and a fresh one) WHEN the sweep runs an hour later THEN the first is Assigned, the second is gone, the third is left to its caller", async () => {
    const shop = await dynamicShop(3);
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const [ada, bob, cy] = shop.customers as [string, string, string];
    // Ada's: Shopify created it, then the worker died before recording the answer.
    const diesAfter = wrapCreate(shop.platform, async (real, spec) => {
      await real(spec);
      throw new Error("worker killed");
    });
    await expect(issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada }, { platform: diesAfter })).rejects.toThrow("worker killed");
    // Bob's: the worker died before Shopify was asked.
    const diesBefore = wrapCreate(shop.platform, async () => {
      throw new RetriablePlatformError("connection reset", "SHOPIFY");
    });
    await expect(
      issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob }, { platform: diesBefore, sleep: noSleep, maxTransportRetries: 0 }),
    ).rejects.toThrow("connection reset");
    expect(await shop.db.code.count({ where: { status: "PENDING" } })).toBe(2);
    const [adaCode, bobCode] = await Promise.all(
      [ada, bob].map((customerId) => shop.db.code.findFirstOrThrow({ where: { customerId }, select: { id: true, code: true } })),
    );
    // Make those two an hour and a minute old; Cy's attempt starts now and is still someone's to finish.
    const old = new Date(Date.now() - STALE_PENDING_MS - 60_000);
    await shop.db.code.updateMany({ where: { id: { in: [adaCode!.id, bobCode!.id] } }, data: { createdAt: old } });
    await expect(issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: cy }, { platform: diesBefore, sleep: noSleep, maxTransportRetries: 0 })).rejects.toThrow();

    expect(await reconcileStalePendingCodes(shop.db, { platform: shop.platform })).toEqual({ confirmed: 1, discarded: 1 });
    expect(await shop.db.code.findFirst({ where: { id: adaCode!.id } })).toMatchObject({ status: "ASSIGNED", customerId: ada, platformRef: expect.stringMatching(/DiscountCodeNode/) });
    expect(await shop.db.code.findFirst({ where: { id: bobCode!.id } })).toBeNull();
    expect(await shop.db.issuance.count({ where: { customerId: bob } })).toBe(0);
    expect(await shop.db.code.count({ where: { customerId: cy, status: "PENDING" } })).toBe(1);
    // Nothing was created on Shopify by the reconcile: one discount, Ada's.
    expect(executedCreates(shop)).toBe(1);
    expect(appDiscounts(shop)).toHaveLength(1);
    // A second run finds nothing stale.
    expect(await reconcileStalePendingCodes(shop.db, { platform: shop.platform })).toEqual({ confirmed: 0, discarded: 0 });
  });

  it("GIVEN a shop with no stale attempt WHEN the sweep's reconcile runs THEN it asks no platform", async () => {
    const shop = await dynamicShop(1);
    await dynamicPool(shop, TEN_PERCENT);
    const asked: string[] = [];
    const watching = { ...shop.platform, findCode: async (code: string) => (asked.push(code), null) };
    expect(await reconcileStalePendingCodes(shop.db, { platform: watching })).toEqual({ confirmed: 0, discarded: 0 });
    expect(asked).toEqual([]);
  });
});
