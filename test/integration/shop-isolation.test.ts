import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { listJobFailures } from "../../app/jobs/failures.server";
import { listCustomers } from "../../app/services/customers.server";
import { shopOverview } from "../../app/services/overview.server";
import { redactCustomer, redactShop } from "../../app/services/privacy.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { unprocessedEventIds } from "../../app/services/webhooks.server";
import { SHOP_OWNED_DELEGATES, seedEveryTable } from "../support/seed-shop-rows";
import { createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

describe("two shops side by side on PostgreSQL", () => {
  it("GIVEN rows in every table for both WHEN shop A reads any table through its client THEN it sees only its own", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await seedEveryTable(a, `a${a.id.slice(0, 8)}`);
    await seedEveryTable(b, `b${b.id.slice(0, 8)}`);
    for (const delegate of SHOP_OWNED_DELEGATES) {
      const rows = (await (a.db[delegate] as unknown as { findMany(): Promise<{ shopId: string }[]> }).findMany()) ?? [];
      expect(rows.length, delegate).toBeGreaterThan(0);
      expect(rows.every((r) => r.shopId === a.id), delegate).toBe(true);
      const all = await (prisma[delegate] as unknown as { count(args: object): Promise<number> }).count({
        where: { shopId: { in: [a.id, b.id] } },
      });
      expect(all, delegate).toBe(rows.length * 2);
    }
  });

  it("every service answers shop A with shop A's data only", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await seedEveryTable(a, `a${a.id.slice(0, 8)}`);
    await seedEveryTable(b, `b${b.id.slice(0, 8)}`);

    const overview = await shopOverview(a.db);
    expect(overview.shop.domain).toBe(a.domain);
    expect([overview.pools, overview.codesAvailable, overview.customers, overview.orders, overview.events, overview.failures]).toEqual([1, 1, 1, 1, 1, 1]);
    expect((await listCustomers(a.db)).customers.map((c) => c.shopId)).toEqual([a.id]);
    expect((await listJobFailures(a.id)).map((f) => f.shopId)).toEqual([a.id]);
    const stale = await unprocessedEventIds(a.id, new Date(Date.now() + 60_000));
    expect(stale).toHaveLength(1);

    // Redacting B's customer through A's client finds nothing and deletes nothing.
    const bCustomer = await b.db.customer.findFirstOrThrow();
    const idOfB = bCustomer.platformId.split("/").pop()!;
    expect(await redactCustomer(a.db, { id: idOfB })).toEqual({ deleted: false });
    expect(await b.db.customer.count()).toBe(1);
  });

  it("GIVEN rows in every table for two shops WHEN shop A is redacted THEN no table holds a row of A, and B keeps all of its rows", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await seedEveryTable(a, `a${a.id.slice(0, 8)}`);
    await seedEveryTable(b, `b${b.id.slice(0, 8)}`);
    const count = (delegate: (typeof SHOP_OWNED_DELEGATES)[number], shopId: string) =>
      (prisma[delegate] as unknown as { count(args: object): Promise<number> }).count({ where: { shopId } });
    const before = new Map<string, number>();
    for (const delegate of SHOP_OWNED_DELEGATES) before.set(delegate, await count(delegate, b.id));

    await redactShop(a.id);
    for (const delegate of SHOP_OWNED_DELEGATES) {
      // Issuances have no foreign key to cascade along (decision 0015): redaction deletes them itself.
      expect(await count(delegate, a.id), delegate).toBe(0);
      expect(await count(delegate, b.id), delegate).toBe(before.get(delegate));
    }
  });

  it("GIVEN two customers with issued codes WHEN one is redacted THEN their issuances go and their codes stay used without them; the other's are untouched", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["R-1", "R-2", "R-3"]);
    const [gone, stays] = await Promise.all(
      [1, 2].map((n) =>
        shop.db.customer.create({ data: { shopId: shop.id, platformId: `gid://shopify/Customer/${n}`, email: `c${n}@example.com` } }),
      ),
    );
    for (const customer of [gone!, gone!, stays!]) {
      const issued = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer.id, source: "test" });
      expect(issued.type).toBe("issued");
    }
    expect(await redactCustomer(shop.db, { id: "1" })).toEqual({ deleted: true });

    expect(await shop.db.issuance.findMany({ select: { customerId: true } })).toEqual([{ customerId: stays!.id }]);
    const codes = await shop.db.code.findMany({ select: { status: true, customerId: true }, orderBy: { code: "asc" } });
    expect(codes.filter((c) => c.customerId === null)).toEqual([
      { status: "ASSIGNED", customerId: null },
      { status: "ASSIGNED", customerId: null },
    ]);
    expect(codes.filter((c) => c.customerId === stays!.id)).toHaveLength(1);
    // Used codes are never given again.
    const next = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: stays!.id, source: "test" });
    expect(next.type).toBe("pool_empty");
  });
});
