// Issuing dynamic codes through issueCode: the intended code is recorded before Shopify is asked, and every kind of
// retry (same key, lost response, killed worker, concurrent requests) ends with exactly one code on the store and
// one in the database.
import { describe, expect, it } from "vitest";
import { RetriablePlatformError } from "../../../app/platforms/errors";
import { ShopifyAdminClient } from "../../../app/platforms/shopify/admin-client.server";
import { ShopifyPlatform } from "../../../app/platforms/shopify/adapter.server";
import { listCustomerCodes } from "../../../app/services/customers.server";
import { revokeDynamicCodes } from "../../../app/services/pools/dynamic.server";
import { issueCode, type IssueResult } from "../../../app/services/pools/issue.server";
import { listPoolCodes } from "../../../app/services/pools/pools.server";
import { recordRedemptions, releaseRedemptions } from "../../../app/services/redemptions.server";
import { unauthenticated } from "../../../app/shopify.server";
import { parseGid } from "../../../simulator/shopify";
import { appDiscounts, dynamicPool, dynamicShop, executedCreates, noSleep, simulator, wrapCreate } from "./helpers";

function codeOf(result: IssueResult): string {
  if (result.type !== "issued") throw new Error(`expected a code, got ${JSON.stringify(result)}`);
  return result.issued.code;
}

const TEN_PERCENT = { value: { type: "percentage", percent: 10 } } as const;

describe("issuing a dynamic code", () => {
  it("GIVEN a dynamic pool WHEN a customer is issued a code THEN Shopify holds one discount for them alone and the code is Assigned to them, expiring N days after issue", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, { ...TEN_PERCENT, expiry: { type: "after", amount: 7, unit: "days" }, code: { prefix: "BDAY-" } }, "Birthday");
    const before = Date.now();
    const result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, source: "test" }, { sleep: noSleep });
    const after = Date.now();
    expect(result).toMatchObject({ type: "issued", replayed: false, issued: { kind: "INITIAL", code: expect.stringMatching(/^BDAY-[A-Z2-9]{7}$/) } });
    if (result.type !== "issued") return;
    const expires = result.issued.expiresAt!.getTime();
    expect(expires - result.issued.issuedAt.getTime()).toBe(7 * 86_400_000);
    expect(result.issued.issuedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(result.issued.issuedAt.getTime()).toBeLessThanOrEqual(after);

    const row = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    expect(row).toMatchObject({ status: "ASSIGNED", customerId: shop.customers[0], code: result.issued.code, platformRef: expect.stringMatching(/DiscountCodeNode/) });
    const customer = await shop.db.customer.findFirstOrThrow({ where: { id: shop.customers[0]! } });
    const discount = simulator().state(shop.domain).discountByCode(result.issued.code)!;
    expect(discount).toMatchObject({
      title: `Birthday · ${result.issued.code}`,
      context: { kind: "customers", customerIds: [parseGid(customer.platformId)!.id] },
      value: { kind: "percentage", percentage: 0.1 },
      usageLimit: 1,
    });
    expect(Date.parse(discount.endsAt!)).toBe(Math.floor(expires / 1000) * 1000);
    expect(appDiscounts(shop)).toHaveLength(1);

    // No message needed: the code shows on the pool's codes list and on the customer's page.
    const listed = await listPoolCodes(shop.db, pool.id);
    expect(listed.codes.map((c) => ({ code: c.code, status: c.status, customer: c.customer?.id }))).toEqual([
      { code: result.issued.code, status: "ASSIGNED", customer: shop.customers[0] },
    ]);
    expect((await listCustomerCodes(shop.db, shop.customers[0]!)).codes).toEqual([
      expect.objectContaining({ kind: "INITIAL", source: "test", pool: expect.objectContaining({ id: pool.id, kind: "DYNAMIC" }), code: expect.objectContaining({ code: result.issued.code, status: "ASSIGNED" }) }),
    ]);
  });

  it("GIVEN the same idempotency key again THEN the same code comes back and Shopify is not asked again; a fresh issue makes a second, different code", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "order-1001" };
    const first = codeOf(await issueCode(shop.db, input));
    const retry = await issueCode(shop.db, input);
    expect(retry).toMatchObject({ type: "issued", replayed: true, issued: { code: first } });
    expect(executedCreates(shop)).toBe(1);
    expect(await issueCode(shop.db, { ...input, customerId: shop.customers[1]! })).toEqual({ type: "idempotency_conflict" });
    const second = codeOf(await issueCode(shop.db, { ...input, idempotencyKey: "order-1002" }));
    expect(second).not.toBe(first);
    expect(appDiscounts(shop)).toHaveLength(2);
  });

  it("reissue returns the customer's last code from the pool and never creates one; nothing for a customer who never got one", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const [ada, bob] = shop.customers;
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! }));
    const again = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, reissue: true });
    expect(again).toMatchObject({ type: "issued", issued: { code, kind: "REISSUE" } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob!, reissue: true })).toEqual({ type: "never_issued" });
    expect(executedCreates(shop)).toBe(1);
  });

  it("GIVEN a deleted or unknown pool THEN pool_not_found and nothing is created", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    await shop.db.pool.update({ where: { id: pool.id }, data: { deletedAt: new Date() } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! })).toEqual({ type: "pool_not_found" });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "k" })).toEqual({ type: "pool_not_found" });
    expect(executedCreates(shop)).toBe(0);
    expect(await shop.db.code.count()).toBe(0);
  });

  it("GIVEN codes that apply to triggered products THEN the code covers exactly those; WHEN none are given THEN it is refused and nothing is recorded", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, { ...TEN_PERCENT, appliesTo: { type: "triggered_products" } });
    const triggered = [shop.productGids[2]!, shop.variantGids[5]!];
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, triggeredProducts: triggered }));
    expect(simulator().state(shop.domain).discountByCode(code)?.items).toEqual({
      kind: "products",
      productIds: [parseGid(triggered[0]!)!.id],
      variantIds: [parseGid(triggered[1]!)!.id],
    });
    const refusal = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[1]!, idempotencyKey: "no-products" });
    expect(refusal).toEqual({ type: "dynamic_refused", reason: "no_triggered_products", message: expect.stringContaining("none were given") });
    expect(await shop.db.code.count()).toBe(1);
    expect(await shop.db.issuance.count({ where: { idempotencyKey: "no-products" } })).toBe(0);
  });

  it("GIVEN Shopify refuses (product gone, customer gone) THEN the refusal is typed, nothing is left behind and the key can be used again", async () => {
    const shop = await dynamicShop();
    const gonePool = await dynamicPool(shop, { ...TEN_PERCENT, appliesTo: { type: "products", productIds: ["gid://shopify/Product/987654321"] } });
    const input = { shopId: shop.id, poolId: gonePool.id, customerId: shop.customers[0]!, idempotencyKey: "gone-1" };
    expect(await issueCode(shop.db, input)).toEqual({
      type: "dynamic_refused",
      reason: "target_gone",
      message: expect.stringContaining("gid://shopify/Product/987654321"),
      ids: ["gid://shopify/Product/987654321"],
    });
    expect(await shop.db.code.count()).toBe(0);
    expect(await shop.db.issuance.count()).toBe(0);

    const pool = await dynamicPool(shop, TEN_PERCENT);
    const ghost = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "gid://shopify/Customer/1" }, select: { id: true } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ghost.id })).toMatchObject({ type: "dynamic_refused", reason: "customer_gone" });
    // The key that was refused works once the cause is gone.
    expect(await issueCode(shop.db, { ...input, poolId: pool.id })).toMatchObject({ type: "issued", replayed: false });
    expect(appDiscounts(shop)).toHaveLength(1);
  });
});

describe("dynamic codes exactly once", () => {
  it("GIVEN the response is lost after Shopify created the code (502) THEN the retry finds it instead of creating a second", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    simulator().injectFault(shop.domain, { kind: "executeThenFail", status: 502 }, { match: { rootField: "discountCodeBasicCreate" } });
    const result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "lost-1" }, { sleep: noSleep });
    const code = codeOf(result);
    expect(executedCreates(shop)).toBe(1);
    expect(appDiscounts(shop)).toHaveLength(1);
    expect(await shop.db.code.findMany({ select: { code: true, status: true } })).toEqual([{ code, status: "ASSIGNED" }]);
  });

  it("GIVEN Shopify ran the create but the connection hung (executeThenTimeout) THEN the timed-out attempt is found, not repeated", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const { admin } = await unauthenticated.admin(shop.domain);
    const platform = new ShopifyPlatform(new ShopifyAdminClient(shop.domain, admin.graphql, { timeoutMs: 300 }));
    simulator().injectFault(shop.domain, { kind: "executeThenTimeout" }, { match: { rootField: "discountCodeBasicCreate" } });
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! }, { platform, sleep: noSleep }));
    expect(executedCreates(shop)).toBe(1);
    expect(appDiscounts(shop).map((d) => simulator().state(shop.domain).discountCodes(d)[0]?.code)).toEqual([code]);
  });

  it("GIVEN 503s and a 429 before Shopify accepts THEN the code is created once", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    simulator().injectFault(shop.domain, { kind: "status", status: 503 }, { times: 2, match: { rootField: "discountCodeBasicCreate" } });
    simulator().injectFault(shop.domain, { kind: "status", status: 429, retryAfterSeconds: 0 }, { match: { rootField: "discountCodeBasicCreate" } });
    codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! }, { sleep: noSleep }));
    expect(executedCreates(shop)).toBe(1);
    expect(appDiscounts(shop)).toHaveLength(1);
  });

  it("GIVEN Shopify stays down past the retries THEN the error reaches the caller, the code stays PENDING, and the next attempt (same key) finishes it", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "down-1" };
    // The last failure is a lost response: Shopify created the code, the app never heard.
    simulator().injectFault(shop.domain, { kind: "status", status: 502 }, { times: 3, match: { rootField: "discountCodeBasicCreate" } });
    simulator().injectFault(shop.domain, { kind: "executeThenFail", status: 502 }, { match: { rootField: "discountCodeBasicCreate" } });
    await expect(issueCode(shop.db, input, { sleep: noSleep })).rejects.toBeInstanceOf(RetriablePlatformError);
    const pending = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    expect(pending).toMatchObject({ status: "PENDING", platformRef: null, customerId: shop.customers[0] });
    // Replays of the key do not hand out the PENDING code as if it were ready.
    const retried = await issueCode(shop.db, input, { sleep: noSleep });
    expect(retried).toMatchObject({ type: "issued", replayed: true, issued: { code: pending.code } });
    expect(executedCreates(shop)).toBe(1);
    expect(await shop.db.code.findFirstOrThrow({ where: { id: pending.id } })).toMatchObject({ status: "ASSIGNED" });
  });

  it("GIVEN a worker killed after Shopify created the code THEN the next issue for that customer (no key) adopts it instead of creating another", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! };
    const dying = wrapCreate(shop.platform, async (real, spec) => {
      await real(spec);
      throw new Error("worker killed");
    });
    await expect(issueCode(shop.db, input, { platform: dying })).rejects.toThrow("worker killed");
    expect(await shop.db.code.count({ where: { status: "PENDING" } })).toBe(1);
    const adopted = await issueCode(shop.db, input);
    expect(adopted).toMatchObject({ type: "issued", replayed: true });
    expect(executedCreates(shop)).toBe(1);
    expect(await shop.db.code.count()).toBe(1);
    expect(await shop.db.issuance.count()).toBe(1);
    // Once assigned, a new issue for the customer is a new code.
    codeOf(await issueCode(shop.db, input));
    expect(appDiscounts(shop)).toHaveLength(2);
  });

  it("GIVEN a worker killed after recording but before calling Shopify THEN the retry looks, finds nothing, and creates the recorded code", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "killed-early" };
    const dead = wrapCreate(shop.platform, async () => {
      throw new Error("worker killed");
    });
    await expect(issueCode(shop.db, input, { platform: dead })).rejects.toThrow("worker killed");
    const recorded = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    expect(executedCreates(shop)).toBe(0);
    expect(await issueCode(shop.db, input)).toMatchObject({ type: "issued", issued: { code: recorded.code } });
    expect(executedCreates(shop)).toBe(1);
    const lookups = simulator().requestLog.filter((e) => e.shop === shop.domain && e.operationName === "DynamicCodeOwner");
    expect(lookups.length).toBeGreaterThanOrEqual(1);
  });

  it("GIVEN an attempt left PENDING WHEN it is resumed after its end has passed THEN no dead code is created or handed out, and the key then gets a fresh code", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, { ...TEN_PERCENT, expiry: { type: "after", amount: 30, unit: "minutes" } });
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "past-its-end" };
    const dead = wrapCreate(shop.platform, async () => {
      throw new Error("worker killed");
    });
    await expect(issueCode(shop.db, input, { platform: dead })).rejects.toThrow("worker killed");
    const later = new Date(Date.now() + 2 * 3_600_000);

    const resumed = await issueCode(shop.db, input, { now: () => later });
    expect(resumed).toMatchObject({ type: "dynamic_refused", reason: "pool_expired", message: expect.stringContaining("before the store could create it") });
    expect(executedCreates(shop)).toBe(0);
    expect(await shop.db.code.count()).toBe(0);
    expect(await shop.db.issuance.count()).toBe(0);

    const fresh = await issueCode(shop.db, input, { now: () => later });
    expect(fresh).toMatchObject({ type: "issued", replayed: false, issued: { expiresAt: new Date(later.getTime() + 30 * 60_000) } });
    expect(executedCreates(shop)).toBe(1);
  });

  it("GIVEN five concurrent issues for one customer with one key THEN all answer the same code, and one code exists on Shopify and in the database", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const input = { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, idempotencyKey: "same-key" };
    const results = await Promise.all(Array.from({ length: 5 }, () => issueCode(shop.db, input, { sleep: noSleep })));
    const codes = new Set(results.map(codeOf));
    expect(codes.size).toBe(1);
    expect(results.filter((r) => r.type === "issued" && !r.replayed)).toHaveLength(1);
    expect(appDiscounts(shop)).toHaveLength(1);
    expect(await shop.db.code.count()).toBe(1);
    expect(await shop.db.issuance.count()).toBe(1);
    expect(await shop.db.code.findFirstOrThrow({})).toMatchObject({ status: "ASSIGNED", code: [...codes][0] });
  });

  it("GIVEN someone else's discount holds the drawn code THEN a fresh code is drawn and created; GIVEN that keeps happening THEN it gives up with a typed refusal", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const store = simulator().state(shop.domain);
    const merchant = [...store.discounts.values()][0]!;
    const attempted: string[] = [];
    const grabbed = wrapCreate(shop.platform, async (real, spec, call) => {
      attempted.push(spec.code);
      if (call === 1) store.addRedeemCode(merchant, spec.code); // the merchant's discount takes it first
      return real(spec);
    });
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! }, { platform: grabbed }));
    expect(attempted).toHaveLength(2);
    expect(code).toBe(attempted[1]);
    expect(code).not.toBe(attempted[0]);
    expect(await shop.db.code.findMany({ select: { code: true, status: true } })).toEqual([{ code, status: "ASSIGNED" }]);

    const alwaysTaken = wrapCreate(shop.platform, async (real, spec) => {
      store.addRedeemCode(merchant, spec.code);
      return real(spec);
    });
    const gaveUp = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[1]! }, { platform: alwaysTaken, maxCollisions: 2 });
    expect(gaveUp).toMatchObject({ type: "dynamic_refused", reason: "code_taken" });
    expect(await shop.db.code.count({ where: { customerId: shop.customers[1]! } })).toBe(0);
  });

  it("GIVEN another dynamic pool's code with the same text is on Shopify THEN it is not adopted as this customer's code", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const other = await dynamicPool(shop, TEN_PERCENT);
    const attempted: string[] = [];
    const collide = wrapCreate(shop.platform, async (real, spec, call) => {
      attempted.push(spec.code);
      if (call === 1) {
        // The same text was issued from the other pool a moment ago (an app-made discount, but not this row's).
        const made = await real({ ...spec, customerId: null });
        if (made.type !== "created") throw new Error(made.type);
        await shop.db.code.create({
          data: { shopId: shop.id, poolId: other.id, code: spec.code, codeKey: spec.code.toUpperCase(), status: "ASSIGNED", platformRef: made.platformRef },
        });
      }
      return real(spec);
    });
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! }, { platform: collide }));
    expect(code).toBe(attempted[1]);
    expect(code).not.toBe(attempted[0]);
  });
});

describe("revoking dynamic codes", () => {
  it("GIVEN an assigned code WHEN revoked THEN Shopify stops accepting it and the row is retired; pending, unknown and already revoked codes are skipped", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, TEN_PERCENT);
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]! }));
    await shop.db.code.create({ data: { shopId: shop.id, poolId: pool.id, code: "PENDING1", codeKey: "PENDING1", status: "PENDING" } });
    const result = await revokeDynamicCodes(shop.db, pool.id, { codes: [code.toLowerCase(), "PENDING1", "NOPE"] });
    expect(result).toEqual({
      revoked: [code],
      skipped: expect.arrayContaining([
        { code: "NOPE", reason: "not_in_pool" },
        { code: "PENDING1", reason: "pending" },
      ]),
    });
    const store = simulator().state(shop.domain);
    expect(store.discountStatus(store.discountByCode(code)!)).toBe("EXPIRED");
    expect(await shop.db.code.findFirstOrThrow({ where: { code } })).toMatchObject({ status: "RETIRED", retiredAt: expect.any(Date) });
    expect(await revokeDynamicCodes(shop.db, pool.id, { codes: [code] })).toEqual({ revoked: [], skipped: [{ code, reason: "already_retired" }] });
    // A revoked code is never handed out again by a reissue.
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: shop.customers[0]!, reissue: true })).toEqual({ type: "never_issued" });
  });

  it("GIVEN a code good for 5 uses that one order redeemed WHEN revoked THEN Shopify stops accepting it, it stays redeemed, and cancelling the order leaves it retired", async () => {
    const shop = await dynamicShop();
    const pool = await dynamicPool(shop, { ...TEN_PERCENT, usageLimit: 5 });
    const customerId = shop.customers[0]!;
    const code = codeOf(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId }));
    const placed = await shop.db.order.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Order/1", customerId, totalPrice: "40.00", placedAt: new Date() },
    });
    await recordRedemptions(shop.db, shop.id, { orderId: placed.id, customerId, orderTotal: "40.00", placedAt: placed.placedAt, codes: [{ code, amount: "4.00" }] });

    expect(await revokeDynamicCodes(shop.db, pool.id, { codes: [code] })).toEqual({ revoked: [code], skipped: [] });
    const store = simulator().state(shop.domain);
    expect(store.discountStatus(store.discountByCode(code)!)).toBe("EXPIRED");
    expect(await shop.db.code.findFirstOrThrow({ where: { code } })).toMatchObject({ status: "REDEEMED", retiredAt: expect.any(Date) });
    expect(await revokeDynamicCodes(shop.db, pool.id, { codes: [code] })).toEqual({ revoked: [], skipped: [{ code, reason: "already_retired" }] });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId, reissue: true })).toEqual({ type: "never_issued" });

    // The order is cancelled: its use comes back on Shopify, but the code was revoked, so it is not the customer's again.
    await releaseRedemptions(shop.db, shop.id, placed.id);
    expect(await shop.db.code.findFirstOrThrow({ where: { code } })).toMatchObject({ status: "RETIRED" });
  });
});
