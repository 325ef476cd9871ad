import { describe, expect, it } from "vitest";
import { poolStats } from "../../../app/services/pools/pools.server";
import { createPoolWithCodes } from "../../support/pools";
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
