import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { createTestShop } from "../support/shops";

let worker: RunningWorker;
let events: QueueEvents;

beforeAll(async () => {
  // The tests run the sweep themselves; the schedules' own first run would sweep every shop of the shared test
  // database a second time, ahead of theirs.
  worker = await startWorker({ concurrency: 2, log: () => undefined, schedules: false });
  events = new QueueEvents("system", { connection: redisConnection(), prefix: queuePrefix() });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events.close();
  await worker.close();
  await closeQueues();
});

describe("the sweeper", () => {
  it("GIVEN a webhook stored while Redis was down WHEN the sweep runs THEN the event is enqueued and processed", async () => {
    const shop = await createTestShop();
    const event = await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: "stored-during-outage",
        topic: "customers/create",
        payload: { id: 77, email: "outage@example.com" },
        occurredAt: new Date(),
        receivedAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const job = await enqueue("system", "sweepAll", {});
    expect(await job.waitUntilFinished(events, 20_000)).toMatchObject({ shops: expect.any(Number) });
    // One sweep per installed shop of the shared test database is queued ahead of or behind this one.
    const deadline = Date.now() + 35_000;
    let processed = await shop.db.event.findUniqueOrThrow({ where: { id: event.id } });
    while (!processed.processedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      processed = await shop.db.event.findUniqueOrThrow({ where: { id: event.id } });
    }
    expect(processed.processedAt).not.toBeNull();
    expect(await shop.db.customer.count({ where: { email: "outage@example.com" } })).toBe(1);
  });

  it("GIVEN a shop/redact stored while Redis was down, for a shop that uninstalled the app (as every shop/redact is) WHEN the sweep runs THEN it is processed and the shop's data is gone", async () => {
    const shop = await createTestShop();
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date(Date.now() - 48 * 3_600_000) } });
    await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: "redact-during-outage",
        topic: "shop/redact",
        payload: { shop_id: 1, shop_domain: shop.domain },
        occurredAt: new Date(),
        receivedAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const job = await enqueue("system", "sweepAll", {});
    await job.waitUntilFinished(events, 20_000);
    const deadline = Date.now() + 35_000;
    while ((await prisma.shop.count({ where: { id: shop.id } })) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await prisma.shop.count({ where: { id: shop.id } })).toBe(0);
  });

  it("leaves events younger than the grace period to the job that was enqueued with them", async () => {
    const shop = await createTestShop();
    await shop.db.event.create({
      data: { shopId: shop.id, source: "WEBHOOK", externalId: "fresh", topic: "customers/create", payload: { id: 78 }, occurredAt: new Date() },
    });
    const job = await enqueue("system", "sweep", { shopId: shop.id });
    expect(await job.waitUntilFinished(events, 20_000)).toEqual({ requeued: 0, abandonedUploads: 0, staleDynamic: { confirmed: 0, discarded: 0 }, retriedJobs: 0 });
  });
});
