import { QueueEvents } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue } from "../../app/jobs/enqueue.server";
import { listJobFailures } from "../../app/jobs/failures.server";
import { startPingWorker } from "../support/ping-worker";
import { createTestShop } from "../support/shops";

afterAll(async () => {
  await closeQueues();
});

describe("job retries", () => {
  it("retries a transient failure with exponential backoff until it succeeds", async () => {
    const shop = await createTestShop();
    const attempts: number[] = [];
    const flaky = await startPingWorker(async (payload) => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error("transient");
      return { pong: payload.nonce };
    });
    const pingEvents = new QueueEvents("system", { connection: redisConnection(), prefix: queuePrefix() });
    try {
      await pingEvents.waitUntilReady();
      const job = await enqueue("system", "ping", { shopId: shop.id, nonce: "n1" }, { backoff: { type: "exponential", delay: 200 } });
      expect(await job.waitUntilFinished(pingEvents, 20_000)).toMatchObject({ pong: "n1" });
      expect(attempts).toHaveLength(3);
      // Exponential: the second wait is about twice the first.
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(180);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(380);
      expect(await listJobFailures(shop.id)).toHaveLength(0);
    } finally {
      await pingEvents.close();
      await flaky.close();
    }
  });
});
