import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { importUpload, planPoolGeneration, runGeneration, stageTable } from "../../app/services/pools/imports.server";
import { bytesOf, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe("uploads to one pool at once on PostgreSQL", () => {
  it("GIVEN two overlapping files and a generation WHEN they run together THEN each code is added once, and every line is counted once as added or a duplicate", async () => {
    const shop = await createTestShop();
    const existing = range("E", 0, 100);
    const pool = await createPoolWithCodes(shop, existing);
    // Both files carry 10,000 codes of their own and the same 10,000 shared ones, and half the pool's codes each.
    const fileA = [...range("A", 0, 10_000), ...range("S", 0, 10_000), ...range("E", 0, 50)];
    const fileB = [...range("S", 0, 10_000), ...range("B", 0, 10_000), ...range("E", 50, 100)];
    const planned = await planPoolGeneration(shop.db, {
      shopId: shop.id,
      poolId: pool.id,
      options: { pattern: "G-#####", charset: "digits" },
      count: 2_000,
    });
    if (planned.type !== "started") throw new Error(`generation not started: ${planned.type}`);
    const upload = (codes: string[]) =>
      importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "paste", source: bytesOf(codes.join("\n"), 16 * 1024) });
    const [a, b, generated] = await Promise.all([upload(fileA), upload(fileB), runGeneration(shop.db, shop.id, planned.importId)]);
    if (a.type !== "done" || b.type !== "done") throw new Error(`uploads did not finish: ${a.type}, ${b.type}`);
    expect(generated).toEqual({ generated: 2_000 });
    // Every non-blank line is exactly one of added or duplicate; the shared codes went to whichever upload was first.
    expect(a.report.accepted + a.report.duplicatesInPool).toBe(fileA.length);
    expect(b.report.accepted + b.report.duplicatesInPool).toBe(fileB.length);
    expect(a.report.accepted + b.report.accepted).toBe(30_000);
    expect(a.report.duplicatesInPool + b.report.duplicatesInPool).toBe(10_100);
    // Counted from the database: no key twice, nothing lost.
    const [counts] = await prisma.$queryRaw<{ codes: bigint; keys: bigint; shared: bigint }[]>`
      SELECT count(*) AS codes, count(DISTINCT code_key) AS keys, count(*) FILTER (WHERE code_key LIKE 'S%') AS shared
      FROM codes WHERE pool_id = ${pool.id}::uuid`;
    expect(counts).toEqual({ codes: 32_100n, keys: 32_100n, shared: 10_000n });
    const stages = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_tables WHERE tablename IN (${stageTable(a.importId)}, ${stageTable(b.importId)})`;
    expect(stages[0]?.n).toBe(0n);
  });
});
