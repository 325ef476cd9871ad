import { describe, expect, it } from "vitest";
import { issueCode } from "../../../app/services/pools/issue.server";
import { poolStats } from "../../../app/services/pools/pools.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

describe("pool stats", () => {
  it("counts each status from the index, moves available codes past their expiry to expired, and never counts another shop's pool", async () => {
    const mine = await createTestShop();
    const theirs = await createTestShop();
    const pool = await createPoolWithCodes(mine, ["A1", "A2", "A3", "A4"], {
      expiresAt: (i) => (i === 0 ? new Date(Date.now() - 60_000) : i === 1 ? new Date(Date.now() + 86_400_000) : null),
    });
    await mine.db.code.updateMany({ where: { poolId: pool.id, code: "A4" }, data: { status: "RETIRED" } });
    const other = await createPoolWithCodes(theirs, ["B1", "B2"]);

    const stats = await poolStats(mine.db, mine.id, [pool.id, other.id]);
    expect(stats.get(pool.id)).toMatchObject({ total: 4, available: 2, expired: 1, retired: 1, assigned: 0 });
    // Asked through another shop's client, the pool is not found: nothing of it is counted.
    expect(stats.get(other.id)).toMatchObject({ total: 0, available: 0 });
  });
});

describe("issues per day and the depletion forecast, from the issuances", () => {
  it("GIVEN initial issues over several days, a reissue and another pool's issue THEN the chart and the 7-day rate count this pool's initial issues by UTC day", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 20 }, (_, i) => `D${i}`));
    const other = await createPoolWithCodes(shop, ["OTHER"]);
    const customers = await createCustomers(shop, 7);
    const now = new Date();
    const daysAgo = [0, 0, 3, 6, 7, 31];
    for (const [i, days] of daysAgo.entries()) {
      const issued = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[i]! });
      if (issued.type !== "issued") throw new Error(issued.type);
      await shop.db.issuance.update({ where: { id: BigInt(issued.issued.issuanceId) }, data: { createdAt: new Date(now.getTime() - days * 86_400_000) } });
    }
    // Neither a reissue nor another pool's issue is a code going out of this pool.
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[0]!, reissue: true })).toMatchObject({ type: "issued" });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: other.id, customerId: customers[6]! })).toMatchObject({ type: "issued" });

    const stats = (await poolStats(shop.db, shop.id, [pool.id], now)).get(pool.id)!;
    expect(stats.daily).toHaveLength(30);
    const counted = stats.daily.flatMap((d, i) => (d.count > 0 ? [[29 - i, d.count]] : []));
    expect(counted).toEqual([
      [7, 1],
      [6, 1],
      [3, 1],
      [0, 2],
    ]);
    expect(stats.daily.at(-1)!.day.toISOString()).toBe(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
    // Today and the six days before: 4 issues, so 4/7 a day; 14 codes left last about 24 days.
    expect(stats).toMatchObject({ available: 14, assigned: 6, issuedLast7Days: 4, daysLeft: 24 });
  });
});
