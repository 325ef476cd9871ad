import { describe, expect, it } from "vitest";
import { issueBatch, issueCode } from "../../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

describe("issuing codes from a static pool", () => {
  it("GIVEN a pool WHEN a customer is issued a code THEN it is assigned to them at once and never given again", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["A1", "A2", "A3"]);
    const [ada, bob] = await createCustomers(shop, 2);
    const first = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    const second = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob! });
    expect(first).toMatchObject({ type: "issued", issued: { code: "A1", kind: "INITIAL" } });
    expect(second).toMatchObject({ type: "issued", issued: { code: "A2" } });
    const a1 = await shop.db.code.findFirstOrThrow({ where: { code: "A1" } });
    expect(a1).toMatchObject({ status: "ASSIGNED", customerId: ada });
  });

  it("returns the same code for the same idempotency key, and refuses the key for another customer", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["K1", "K2"]);
    const [ada, bob] = await createCustomers(shop, 2);
    const input = { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: "order-1001" };
    const first = await issueCode(shop.db, input);
    const retry = await issueCode(shop.db, input);
    expect(retry).toMatchObject({ type: "issued", replayed: true });
    expect(retry.type === "issued" && first.type === "issued" && retry.issued.code === first.issued.code).toBe(true);
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
    expect(await issueCode(shop.db, { ...input, customerId: bob! })).toEqual({ type: "idempotency_conflict" });
  });

  it("reissue returns the customer's last code from the pool, and nothing (never a fresh code) if they never got one", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["R1", "R2"]);
    const [ada, bob] = await createCustomers(shop, 2);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    const again = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, reissue: true });
    expect(again).toMatchObject({ type: "issued", issued: { code: "R1", kind: "REISSUE" } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob!, reissue: true })).toEqual({
      type: "never_issued",
    });
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("GIVEN a customer who got two codes from a pool WHEN a code is reissued THEN it is the later one, also after a reissue of it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["FIRST", "SECOND", "SPARE"]);
    const [ada] = await createCustomers(shop, 1);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    for (let i = 0; i < 2; i++) {
      expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, reissue: true })).toMatchObject({
        type: "issued",
        issued: { code: "SECOND", kind: "REISSUE" },
      });
    }
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("never issues an expired or retired code, and says what the pool does when it is empty", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["OLD", "RET", "GOOD"], {
      expiresAt: (i) => (i === 0 ? new Date(Date.now() - 60_000) : null),
    });
    await shop.db.code.updateMany({ where: { code: "RET" }, data: { status: "RETIRED" } });
    await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: "SEND_FALLBACK", fallbackCode: "SORRY10" } });
    const [ada, bob] = await createCustomers(shop, 2);
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! })).toMatchObject({
      type: "issued",
      issued: { code: "GOOD" },
    });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob! })).toEqual({
      type: "pool_empty",
      behavior: "SEND_FALLBACK",
      fallbackCode: "SORRY10",
    });
  });

  it("skips expired and retired codes on every path: with an idempotency key, and in a batch", async () => {
    const shop = await createTestShop();
    const past = new Date(Date.now() - 60_000);
    // Each path's first candidate in claim order is expired, then one is retired: only the GOOD codes may go out.
    const pool = await createPoolWithCodes(shop, ["OLD-1", "RET-1", "GOOD-1", "OLD-2", "OLD-3", "RET-2", "GOOD-2", "GOOD-3"], {
      expiresAt: (i) => ([0, 3, 4].includes(i) ? past : null),
    });
    await shop.db.code.updateMany({ where: { code: { in: ["RET-1", "RET-2"] } }, data: { status: "RETIRED" } });
    const [ada, bob, cyd, dee] = await createCustomers(shop, 4);
    const keyed = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: "order-expiry" });
    expect(keyed).toMatchObject({ type: "issued", issued: { code: "GOOD-1" } });
    const batch = await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: [bob!, cyd!, dee!], source: "broadcast:expiry" });
    const given = await shop.db.code.findMany({ where: { customerId: { not: null } }, select: { code: true }, orderBy: { code: "asc" } });
    expect(given.map((c) => c.code)).toEqual(["GOOD-1", "GOOD-2", "GOOD-3"]);
    expect(batch.issued.map((i) => i.code).sort()).toEqual(["GOOD-2", "GOOD-3"]);
    expect(batch.unserved).toEqual([expect.any(String)]);
    expect(await shop.db.code.count({ where: { code: { startsWith: "OLD" }, status: "AVAILABLE", customerId: null } })).toBe(3);
  });

  it("refuses deleted pools, and dynamic pools whose settings are missing (creating nothing)", async () => {
    const shop = await createTestShop();
    const [ada] = await createCustomers(shop, 1);
    const dynamic = await shop.db.pool.create({ data: { shopId: shop.id, name: "Dyn", kind: "DYNAMIC" } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: dynamic.id, customerId: ada! })).toMatchObject({
      type: "dynamic_refused",
      reason: "settings_invalid",
    });
    expect(await shop.db.code.count({ where: { poolId: dynamic.id } })).toBe(0);
    const gone = await createPoolWithCodes(shop, ["X"]);
    await shop.db.pool.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: gone.id, customerId: ada! })).toEqual({ type: "pool_not_found" });
  });
});

describe("batch issue", () => {
  it("gives N recipients N distinct codes in one operation and reports who was left without one", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 5 }, (_, i) => `B${i}`));
    const recipients = await createCustomers(shop, 7);
    const result = await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: recipients, source: "broadcast:1" });
    expect(result.issued).toHaveLength(5);
    expect(new Set(result.issued.map((i) => i.code)).size).toBe(5);
    expect(new Set(result.issued.map((i) => i.customerId)).size).toBe(5);
    // When codes run short, the first recipients in the caller's order are the ones served.
    expect(result.issued.map((i) => i.customerId).sort()).toEqual(recipients.slice(0, 5).sort());
    expect(result.unserved).toEqual(recipients.slice(5));
    expect(await shop.db.issuance.count()).toBe(5);
    // Each code row names the customer its issuance names.
    for (const issued of result.issued) {
      const code = await shop.db.code.findFirstOrThrow({ where: { code: issued.code } });
      expect(code).toMatchObject({ status: "ASSIGNED", customerId: issued.customerId });
      const issuance = await shop.db.issuance.findFirstOrThrow({ where: { codeId: code.id } });
      expect(issuance.customerId).toBe(issued.customerId);
    }
    // The pool is empty now: a second batch serves no one and records nothing.
    const again = await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: recipients.slice(5), source: "broadcast:2" });
    expect(again.issued).toEqual([]);
    expect(again.unserved).toEqual(recipients.slice(5));
    expect(await shop.db.issuance.count()).toBe(5);
  });

  it("a retried batch keeps each recipient's first code and serves only the rest", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 10 }, (_, i) => `Q${i}`));
    const recipients = await createCustomers(shop, 4);
    const first = await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: recipients.slice(0, 2), batchKey: "bc-1" });
    const retry = await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: recipients, batchKey: "bc-1" });
    expect(retry.issued).toHaveLength(4);
    expect(retry.issued.filter((i) => i.replayed).map((i) => i.code).sort()).toEqual(first.issued.map((i) => i.code).sort());
    expect(await shop.db.code.count({ where: { status: "ASSIGNED" } })).toBe(4);
  });
});

describe("expiry", () => {
  it("marks available codes past their expiry as expired, and leaves assigned and future ones alone", async () => {
    const { expireCodes } = await import("../../../app/services/pools/stock.server");
    const shop = await createTestShop();
    const past = new Date(Date.now() - 60_000);
    const pool = await createPoolWithCodes(shop, ["GONE", "HELD", "LATER"], {
      expiresAt: (i) => (i === 2 ? new Date(Date.now() + 86_400_000) : past),
    });
    await shop.db.code.updateMany({ where: { code: "HELD" }, data: { status: "ASSIGNED" } });
    expect(await expireCodes(shop.db, shop.id)).toBe(1);
    const statuses = await shop.db.code.findMany({ where: { poolId: pool.id }, orderBy: { code: "asc" }, select: { code: true, status: true } });
    expect(statuses).toEqual([
      { code: "GONE", status: "EXPIRED" },
      { code: "HELD", status: "ASSIGNED" },
      { code: "LATER", status: "AVAILABLE" },
    ]);
  });
});
