import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueues } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { importUpload } from "../../app/services/pools/imports.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { retireCodes, updatePool } from "../../app/services/pools/pools.server";
import { checkPoolStock, expireCodes } from "../../app/services/pools/stock.server";
import { bytesOf, createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
});

afterAll(async () => {
  await worker.close();
  await closeQueues();
});

/** Waits (up to 10 s) for the worker's stock check to set or clear the pool's low-stock alert. */
async function alertBecomes(shop: TestShop, poolId: string, alerted: boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pool = await shop.db.pool.findUniqueOrThrow({ where: { id: poolId } });
    if ((pool.lowStockAlertedAt !== null) === alerted || Date.now() > deadline) return pool.lowStockAlertedAt !== null;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("stock checks after issuing", () => {
  it("GIVEN a burst of issues that lasts longer than the debounce WHEN it ends THEN a check still runs after the last issue", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 12 }, (_, i) => `D${i}`));
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 2 } });
    const customers = await createCustomers(shop, 10);
    // Issues spread over ~3 s: the pool only crosses its threshold with the last ones.
    for (const customerId of customers) {
      await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId });
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(await alertBecomes(shop, pool.id, true)).toBe(true);
  });
});

// The pool's stock changes without any issue: only the change itself can ask for the check that moves the banner.
describe("stock checks after other changes to a pool's stock", () => {
  it("GIVEN a pool alerted as low WHEN an upload refills it THEN the banner's alert clears with no issue after it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["LOW1"]);
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 2 } });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer: null })).toMatchObject({ level: "low", alerted: true });
    const outcome = await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "paste", source: bytesOf("R1\nR2\nR3\nR4\n") });
    expect(outcome.type).toBe("done");
    expect(await alertBecomes(shop, pool.id, false)).toBe(false);
  });

  it("GIVEN a pool over its line WHEN unused codes are retired THEN it is alerted with no issue after it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["T1", "T2", "T3", "T4", "T5"]);
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 2 } });
    expect(await retireCodes(shop.db, shop.id, pool.id, { codes: ["T1", "T2", "T3"] })).toBe(3);
    expect(await alertBecomes(shop, pool.id, true)).toBe(true);
  });

  it("GIVEN a pool over its line WHEN the sweep expires codes past their date THEN it is alerted with no issue after it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["X1", "X2", "X3", "X4", "X5"], {
      expiresAt: (i) => (i < 3 ? new Date(Date.now() - 60_000) : null),
    });
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 2 } });
    expect(await expireCodes(shop.db, shop.id)).toBe(3);
    expect(await alertBecomes(shop, pool.id, true)).toBe(true);
  });

  it("GIVEN a pool WHEN its threshold is raised over what is left THEN it is alerted with no issue after it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["H1", "H2", "H3"], { name: "Raised" });
    const saved = await updatePool(shop.db, pool.id, { name: "Raised", lowStockThreshold: 5 });
    expect(saved.type).toBe("saved");
    expect(await alertBecomes(shop, pool.id, true)).toBe(true);
  });
});
