import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { listJobFailures } from "../../app/jobs/failures.server";
import { listCustomers } from "../../app/services/customers.server";
import { shopOverview } from "../../app/services/overview.server";
import { redactCustomer } from "../../app/services/privacy.server";
import { unprocessedEventIds } from "../../app/services/webhooks.server";
import { SHOP_OWNED_DELEGATES, seedEveryTable } from "../support/seed-shop-rows";
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
    expect([overview.pools, overview.customers, overview.orders, overview.events, overview.failures]).toEqual([1, 1, 1, 1, 1]);
    expect((await listCustomers(a.db)).map((c) => c.shopId)).toEqual([a.id]);
    expect((await listJobFailures(a.id)).map((f) => f.shopId)).toEqual([a.id]);
    const stale = await unprocessedEventIds(a.id, new Date(Date.now() + 60_000));
    expect(stale).toHaveLength(1);

    // Redacting B's customer through A's client finds nothing and deletes nothing.
    const bCustomer = await b.db.customer.findFirstOrThrow();
    const idOfB = bCustomer.platformId.split("/").pop()!;
    expect(await redactCustomer(a.db, { id: idOfB })).toEqual({ deleted: false });
    expect(await b.db.customer.count()).toBe(1);
  });
});
