// The same-key race on the machine's PostgreSQL (real row locking, and the PostgreSQL driver adapter's own shape
// of a unique violation from a raw statement), with Shopify still the store simulator. The rest of the dynamic
// tests run on PGlite, which serialises transactions and reports errors differently.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres, type Database } from "../../../app/db/connect.server";
import { ensureDisposableDatabase } from "../../../app/db/disposable-database.server";
import { forShop } from "../../../app/db/shop-scope.server";
import { parseDynamicSettings } from "../../../app/domain/pools/dynamic";
import { issueCode } from "../../../app/services/pools/issue.server";
import { appDiscounts, dynamicShop, noSleep } from "./helpers";

const url = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/promo_test";
let pg: Database;

beforeAll(async () => {
  await ensureDisposableDatabase(url);
  pg = connectPostgres(url, { max: 12 });
});

afterAll(async () => {
  await pg?.close();
});

describe("dynamic codes on PostgreSQL", () => {
  it("GIVEN twelve concurrent issues with one key THEN one code on Shopify, one code row and one issuance, and every caller gets that code", async () => {
    const shop = await dynamicShop(1);
    const customer = await shop.db.customer.findFirstOrThrow({ select: { platformId: true } });
    // The same shop on PostgreSQL: its rows live there; Shopify (and the offline session) stay where they are.
    const row = await pg.prisma.shop.create({ data: { domain: shop.domain, name: "race" } });
    const db = forShop(row.id, pg.prisma);
    const { id: customerId } = await db.customer.create({ data: { shopId: row.id, platformId: customer.platformId }, select: { id: true } });
    const settings = parseDynamicSettings({ value: { type: "percentage", percent: 5 } });
    if (settings.type !== "valid") throw new Error("settings");
    const pool = await db.pool.create({ data: { shopId: row.id, name: "Race", kind: "DYNAMIC", dynamicConfig: settings.settings } });
    try {
      const input = { shopId: row.id, poolId: pool.id, customerId, idempotencyKey: "race-key" };
      const results = await Promise.all(Array.from({ length: 12 }, () => issueCode(db, input, { platform: shop.platform, sleep: noSleep })));
      const codes = new Set(results.map((r) => (r.type === "issued" ? r.issued.code : r.type)));
      expect(codes.size).toBe(1);
      expect([...codes][0]).toMatch(/^[A-Z2-9]{7}$/);
      expect(appDiscounts(shop)).toHaveLength(1);
      expect(await db.code.findMany({ where: { poolId: pool.id }, select: { status: true } })).toEqual([{ status: "ASSIGNED" }]);
      expect(await db.issuance.count({ where: { poolId: pool.id } })).toBe(1);
    } finally {
      // Codes have no foreign key to their pool (decision 0021): the shop row's cascade does not reach them.
      await pg.prisma.code.deleteMany({ where: { pool: { shopId: row.id } } });
      await pg.prisma.shop.delete({ where: { id: row.id } });
    }
  });
});
