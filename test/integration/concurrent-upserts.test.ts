// Find-or-create through the shop-scoped client under concurrency, on real PostgreSQL with a connection pool: two
// API calls for a customer the app has never seen, or two webhooks for the same new order, arrive at the same
// moment. Each must end with one row and no error.
import { describe, expect, it } from "vitest";
import { ensureCustomer } from "../../app/services/customers.server";
import { createTestShop } from "../support/shops";

describe("concurrent find-or-create on PostgreSQL", () => {
  it("GIVEN 16 simultaneous ensureCustomer calls for one new customer THEN all get the same row and none fails", async () => {
    const shop = await createTestShop();
    for (let round = 0; round < 5; round++) {
      const platformId = `gid://shopify/Customer/${9_000_000 + round}`;
      const settled = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) => ensureCustomer(shop.db, shop.id, { platformId, email: `c${round}@example.com`, firstName: `Try ${i}` })),
      );
      const failed = settled.filter((s) => s.status === "rejected").map((s) => String((s as PromiseRejectedResult).reason).slice(0, 200));
      expect(failed).toEqual([]);
      const ids = new Set(settled.map((s) => (s as PromiseFulfilledResult<string>).value));
      expect(ids.size).toBe(1);
      expect(await shop.db.customer.count({ where: { platformId } })).toBe(1);
    }
  });
});
