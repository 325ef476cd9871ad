// Attempts nobody finishes: a dynamic code left PENDING by a caller without an idempotency key that gave up (a lost
// response, a killed worker) and never issued to that customer again. The per-minute sweep settles them without
// creating anything: what Shopify holds becomes Assigned, what it does not is discarded.
import { describe, expect, it } from "vitest";
import { RetriablePlatformError } from "../../../app/platforms/errors";
import { reconcileStalePendingCodes, STALE_PENDING_MS } from "../../../app/services/pools/dynamic.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { appDiscounts, dynamicPool, dynamicShop, executedCreates, noSleep, simulator, wrapCreate } from "./helpers";

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
    // Make those two attempts an hour and a minute old (recorded and last tried then); Cy's attempt starts now and
    // is still someone's to finish.
    const old = new Date(Date.now() - STALE_PENDING_MS - 60_000);
    await shop.db.code.updateMany({ where: { id: { in: [adaCode!.id, bobCode!.id] } }, data: { createdAt: old, assignedAt: old } });
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

  it("GIVEN an attempt recorded two hours ago WHEN it is resumed and the sweep runs while its create is in flight THEN the sweep leaves it and one discount is made and tracked", async () => {
    const shop = await dynamicShop(1);
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "task:1:code" };
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const killed = wrapCreate(shop.platform, () => Promise.reject(new Error("worker killed")));
    await expect(issueCode(shop.db, input, { platform: killed, now: () => twoHoursAgo })).rejects.toThrow("worker killed");

    const swept: unknown[] = [];
    const sweepMidCreate = wrapCreate(shop.platform, async (real, spec) => {
      swept.push(await reconcileStalePendingCodes(shop.db, { platform: shop.platform }));
      return real(spec);
    });
    const resumed = await issueCode(shop.db, input, { platform: sweepMidCreate, sleep: noSleep });

    expect(swept).toEqual([{ confirmed: 0, discarded: 0 }]);
    expect(resumed).toMatchObject({ type: "issued" });
    expect(await issueCode(shop.db, input, { platform: shop.platform, sleep: noSleep })).toMatchObject({ type: "issued", replayed: true });
    expect(appDiscounts(shop)).toHaveLength(1);
    expect(await shop.db.code.findMany({ select: { status: true } })).toEqual([{ status: "ASSIGNED" }]);
  });

  it("GIVEN the sweep picked a stale attempt WHEN the attempt is resumed while the sweep looks it up THEN the sweep's delete spares it", async () => {
    const shop = await dynamicShop(1);
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! };
    const killed = wrapCreate(shop.platform, () => Promise.reject(new Error("worker killed")));
    await expect(issueCode(shop.db, input, { platform: killed, now: () => new Date(Date.now() - 2 * 3600_000) })).rejects.toThrow("worker killed");

    // While the sweep asks the platform, the attempt is resumed: it marks itself in flight and its create starts,
    // held until the sweep has finished.
    let inFlight: Promise<unknown> | undefined;
    let createStarted!: () => void;
    const started = new Promise<void>((resolve) => (createStarted = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const heldCreate = wrapCreate(shop.platform, async (real, spec) => {
      createStarted();
      await gate;
      return real(spec);
    });
    const lookingUp = {
      ...shop.platform,
      findCode: async (code: string) => {
        inFlight = issueCode(shop.db, input, { platform: heldCreate, sleep: noSleep });
        await started;
        return shop.platform.findCode(code);
      },
    };
    const swept = await reconcileStalePendingCodes(shop.db, { platform: lookingUp });
    release();
    expect(swept).toEqual({ confirmed: 0, discarded: 0 });
    expect(await inFlight).toMatchObject({ type: "issued" });
    expect(appDiscounts(shop)).toHaveLength(1);
    expect(await shop.db.code.findMany({ select: { status: true } })).toEqual([{ status: "ASSIGNED" }]);
  });

  it("GIVEN an attempt's rows were discarded while its create ran WHEN the create succeeds THEN that discount is deactivated and a fresh code is recorded and created", async () => {
    const shop = await dynamicShop(1);
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "task:2:code" };
    const discardedMidCreate = wrapCreate(shop.platform, async (real, spec, call) => {
      if (call === 1) {
        await shop.db.issuance.deleteMany({});
        await shop.db.code.deleteMany({});
      }
      return real(spec);
    });

    const result = await issueCode(shop.db, input, { platform: discardedMidCreate, sleep: noSleep });

    expect(result).toMatchObject({ type: "issued" });
    const rows = await shop.db.code.findMany({ select: { code: true, status: true, platformRef: true } });
    expect(rows).toEqual([{ code: expect.any(String), status: "ASSIGNED", platformRef: expect.any(String) }]);
    // Two discounts were made: the untracked one is deactivated, the live one is the recorded code's.
    const store = simulator().state(shop.domain);
    expect(appDiscounts(shop)).toHaveLength(2);
    const live = appDiscounts(shop).filter((d) => store.discountStatus(d) !== "EXPIRED");
    expect(live.map((d) => store.discountCodes(d)[0]!.code)).toEqual([rows[0]!.code]);
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
