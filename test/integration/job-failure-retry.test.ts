// A job whose attempts ran out during an outage (a database restart outlasting its backoff) used to stay failed for
// good: an orders/paid webhook hit by it was never processed. The per-shop sweep now hands such failures back, a
// few times, minutes later; one refused for good (UnrecoverableError) stays for the merchant. Real Redis, BullMQ and
// PostgreSQL.
import { QueueEvents, UnrecoverableError } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue } from "../../app/jobs/enqueue.server";
import { AUTO_RETRY_AFTER_MS, listJobFailures, MAX_AUTO_RETRIES, retryExhaustedJobs, retryShopJobFailure } from "../../app/jobs/failures.server";
import { startPingWorker } from "../support/ping-worker";
import { createTestShop } from "../support/shops";

afterAll(async () => {
  await closeQueues();
});

const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

async function failuresOf(shopId: string, nonce: string) {
  return prisma.jobFailure.findMany({ where: { shopId, payload: { path: ["nonce"], equals: nonce } }, orderBy: { id: "asc" } });
}

describe("jobs whose attempts ran out", () => {
  it("GIVEN a job that failed all its attempts during an outage WHEN the outage is over and ten minutes have passed THEN the sweep hands it back and it completes; a job refused for good stays failed", async () => {
    const shop = await createTestShop();
    let outage = true;
    const runs: string[] = [];
    const worker = await startPingWorker(async (payload) => {
      runs.push(payload.nonce);
      if (payload.nonce === "refused") throw new UnrecoverableError("the store refused this for good");
      if (outage) throw new Error("database is restarting");
      return { pong: payload.nonce };
    }, 2);
    const events = new QueueEvents("system", { connection: redisConnection(), prefix: queuePrefix() });
    try {
      await events.waitUntilReady();
      const fast = { attempts: 2, backoff: { type: "fixed", delay: 20 } };
      await enqueue("system", "ping", { shopId: shop.id, nonce: "outage" }, { ...fast, jobId: `outage-${shop.id}` });
      await enqueue("system", "ping", { shopId: shop.id, nonce: "refused" }, { ...fast, jobId: `refused-${shop.id}` });
      await expect.poll(async () => (await listJobFailures(shop.id)).length, { timeout: 20_000 }).toBe(2);
      expect((await failuresOf(shop.id, "outage"))[0]).toMatchObject({ retryable: true, attempts: 2 });
      expect((await failuresOf(shop.id, "refused"))[0]).toMatchObject({ retryable: false });

      outage = false;
      // Too early: an outage may still be going on.
      expect(await retryExhaustedJobs(shop.id, later(AUTO_RETRY_AFTER_MS / 60_000 - 1))).toBe(0);
      const retried = await retryExhaustedJobs(shop.id, later(AUTO_RETRY_AFTER_MS / 60_000 + 1));
      expect(retried).toBe(1);
      await expect.poll(() => runs.filter((n) => n === "outage").length, { timeout: 20_000 }).toBe(3);
      // Done, and no longer listed; the refused one is, and is not retried by the sweep.
      await expect.poll(async () => (await listJobFailures(shop.id)).map((f) => (f.payload as { nonce: string }).nonce), { timeout: 10_000 }).toEqual(["refused"]);
      expect(await retryExhaustedJobs(shop.id, later(60))).toBe(0);
      expect(runs.filter((n) => n === "refused")).toHaveLength(1);
    } finally {
      await events.close();
      await worker.close();
    }
  });

  it(`GIVEN a job that keeps failing THEN the sweep hands it back ${MAX_AUTO_RETRIES} times and then leaves it to the merchant, whose Retry still works`, async () => {
    const shop = await createTestShop();
    let runs = 0;
    let healed = false;
    const worker = await startPingWorker(async (payload) => {
      runs += 1;
      if (!healed) throw new Error("still down");
      return { pong: payload.nonce };
    });
    try {
      await enqueue("system", "ping", { shopId: shop.id, nonce: "stubborn" }, { attempts: 1, jobId: `stubborn-${shop.id}` });
      for (let round = 1; round <= MAX_AUTO_RETRIES; round++) {
        await expect.poll(async () => (await failuresOf(shop.id, "stubborn")).length, { timeout: 20_000 }).toBe(round);
        expect(await retryExhaustedJobs(shop.id, later(11 * round))).toBe(1);
      }
      await expect.poll(async () => (await failuresOf(shop.id, "stubborn")).length, { timeout: 20_000 }).toBe(MAX_AUTO_RETRIES + 1);
      expect(await retryExhaustedJobs(shop.id, later(24 * 60))).toBe(0);
      expect(runs).toBe(MAX_AUTO_RETRIES + 1);

      // The merchant fixes the cause and presses Retry: the same job runs again and completes.
      healed = true;
      const [open] = await listJobFailures(shop.id);
      const other = await createTestShop();
      expect(await retryShopJobFailure(other.id, open!.id.toString())).toBeNull();
      expect(await retryShopJobFailure(shop.id, open!.id.toString())).toEqual({ job: "system/ping", outcome: "retried" });
      await expect.poll(() => runs, { timeout: 20_000 }).toBe(MAX_AUTO_RETRIES + 2);
      await expect.poll(async () => (await listJobFailures(shop.id)).length, { timeout: 10_000 }).toBe(0);
      expect(await retryShopJobFailure(shop.id, open!.id.toString())).toBeNull();
    } finally {
      await worker.close();
    }
  });
});
