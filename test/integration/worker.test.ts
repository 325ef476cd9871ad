import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue } from "../../app/jobs/enqueue.server";
import { listJobFailures } from "../../app/jobs/failures.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { createTestShop } from "../support/shops";

let worker: RunningWorker;
let events: QueueEvents;

beforeAll(async () => {
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
  events = new QueueEvents("webhooks", { connection: redisConnection(), prefix: queuePrefix() });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events.close();
  await worker.close();
  await closeQueues();
});

describe("the worker on Redis", () => {
  it("GIVEN a stored webhook WHEN its job is enqueued THEN the worker processes it and marks it processed", async () => {
    const shop = await createTestShop();
    const event = await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: "w1",
        topic: "customers/create",
        payload: { id: 42, email: "worker@example.com" },
        occurredAt: new Date(),
      },
    });
    const job = await enqueue("webhooks", "process", { shopId: shop.id, eventId: event.id.toString() });
    await job.waitUntilFinished(events, 20_000);
    expect((await shop.db.event.findUniqueOrThrow({ where: { id: event.id } })).processedAt).not.toBeNull();
    expect(await shop.db.customer.count({ where: { email: "worker@example.com" } })).toBe(1);
  });

  it("enqueuing the same job id twice runs it once", async () => {
    const shop = await createTestShop();
    const event = await shop.db.event.create({
      data: { shopId: shop.id, source: "WEBHOOK", externalId: "w2", topic: "customers/create", payload: { id: 43 }, occurredAt: new Date() },
    });
    const payload = { shopId: shop.id, eventId: event.id.toString() };
    const first = await enqueue("webhooks", "process", payload, { jobId: `dup-${event.id}` });
    const second = await enqueue("webhooks", "process", payload, { jobId: `dup-${event.id}` });
    expect(second.id).toBe(first.id);
    await first.waitUntilFinished(events, 20_000);
    expect(await shop.db.customer.count()).toBe(1);
  });

  it("GIVEN a job that can never succeed WHEN it fails THEN it is not retried and the failure is kept visible for its shop", async () => {
    const shop = await createTestShop();
    const event = await shop.db.event.create({
      data: { shopId: shop.id, source: "WEBHOOK", externalId: "w3", topic: "orders/create", payload: { nonsense: true }, occurredAt: new Date() },
    });
    const job = await enqueue("webhooks", "process", { shopId: shop.id, eventId: event.id.toString() });
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/unexpected payload/);
    const deadline = Date.now() + 5000;
    let failures = await listJobFailures(shop.id);
    while (failures.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      failures = await listJobFailures(shop.id);
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ queue: "webhooks", jobName: "process", attempts: 1 });
  });
});
