import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

describe("claiming from a pool stored after a big one", () => {
  it("GIVEN 300,000 codes of another pool before it WHEN a code is claimed THEN the claim reads the pool's own index, not the table", async () => {
    const shop = await createTestShop();
    const big = await createPoolWithCodes(shop, []);
    await prisma.$executeRaw`
      INSERT INTO codes (shop_id, pool_id, code, code_key, status, created_at)
      SELECT ${shop.id}::uuid, ${big.id}::uuid, 'BIG' || g, 'BIG' || g, 'AVAILABLE', now() FROM generate_series(1, 300000) g`;
    const small = await createPoolWithCodes(shop, ["LATE1", "LATE2"]);
    await prisma.$executeRawUnsafe("ANALYZE codes");

    const plan = await prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
      `EXPLAIN SELECT id FROM codes WHERE pool_id = '${small.id}'::uuid AND shop_id = '${shop.id}'::uuid AND status = 'AVAILABLE'
         AND (expires_at IS NULL OR expires_at > now()) ORDER BY id + 0 LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("codes_available_idx");
    expect(text).not.toMatch(/Seq Scan on codes|codes_pkey/);

    const [customer] = await createCustomers(shop, 1);
    const started = performance.now();
    const result = await issueCode(shop.db, { shopId: shop.id, poolId: small.id, customerId: customer! });
    expect(result).toMatchObject({ type: "issued", issued: { code: "LATE1" } });
    expect(performance.now() - started).toBeLessThan(1000);
    await prisma.code.deleteMany({ where: { poolId: big.id } });
  });
});

describe("redacting a customer", () => {
  it("finds the customer's issuances through an index rather than scanning every shop's", async () => {
    // With sequential scans priced out, the plan shows whether an index can serve the lookup at all, whatever the
    // table's size when this test happens to run.
    const plan = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT id FROM issuances WHERE customer_id = '00000000-0000-0000-0000-000000000001'::uuid`,
      );
    });
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("issuances_customer_id_pool_id_created_at_idx");
  });
});
