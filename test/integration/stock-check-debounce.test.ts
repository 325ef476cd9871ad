import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueues } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
});

afterAll(async () => {
  await worker.close();
  await closeQueues();
});

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
    const deadline = Date.now() + 10_000;
    let alerted = await shop.db.pool.findUniqueOrThrow({ where: { id: pool.id } });
    while (!alerted.lowStockAlertedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      alerted = await shop.db.pool.findUniqueOrThrow({ where: { id: pool.id } });
    }
    expect(alerted.lowStockAlertedAt).not.toBeNull();
  });
});
