// Segments on the real stack: requests drained by the worker through Redis, recompute jobs backfilling a new
// segment, the minute sweep catching what a lost job left behind, a worker killed (SIGKILL) after writing but
// before committing, and a producer that reports a new event while its customer is being evaluated.
import { spawn } from "node:child_process";
import path from "node:path";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { REASONS } from "../../app/domain/segments/dependencies";
import { drainRequests, pendingRequestCount, recordRequest } from "../../app/services/segments/requests.server";
import { createSegment } from "../../app/services/segments/segments.server";
import { requestSegmentEvaluation } from "../../app/services/segments/triggers.server";
import { createTestShop } from "../support/shops";
import { addCustomer, addEvent, DAY, HOUR, members, only, transitionsOf } from "../unit/segments/helpers";

let worker: RunningWorker;
let events: QueueEvents;

beforeAll(async () => {
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
  events = new QueueEvents("segments", { connection: redisConnection(), prefix: queuePrefix() });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events.close();
  await worker.close();
  await closeQueues();
});

const anyView = (value: number) =>
  only({
    kind: "product_activity",
    action: "viewed",
    target: { type: "any" },
    op: "at_least",
    value,
    window: { value: 7, unit: "days" },
  });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe("segments with the worker on Redis and PostgreSQL", () => {
  it("GIVEN a new segment WHEN it is created THEN the recompute job backfills existing customers; then reported views put new members in", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    await addEvent(shop, ada, Date.now() - HOUR);
    const created = await createSegment(shop.db, shop.id, { name: "Browsers", rules: anyView(1) });
    if (created.type !== "saved") throw new Error(created.type);
    const segment = created.segment.id;
    const recomputed = await eventually(
      () => shop.db.segment.findUniqueOrThrow({ where: { id: segment } }),
      (s) => s.recomputedAt !== null,
    );
    expect(recomputed.recomputedAt).not.toBeNull();
    expect(await members(shop, segment)).toEqual([ada]);

    await addEvent(shop, bob, Date.now() - 60_000);
    await requestSegmentEvaluation(shop.id, [bob], "events");
    expect(
      await eventually(
        () => members(shop, segment),
        (m) => m.length === 2,
      ),
    ).toEqual([ada, bob].sort());
    expect(await pendingRequestCount(shop.db)).toBe(0);
  });

  it("GIVEN requests whose job Redis never got WHEN the minute sweep runs THEN it drains them", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const created = await createSegment(shop.db, shop.id, { name: "Swept", rules: anyView(1) });
    if (created.type !== "saved") throw new Error(created.type);
    await eventually(
      () => shop.db.segment.findUniqueOrThrow({ where: { id: created.segment.id } }),
      (s) => s.recomputedAt !== null,
    );
    await addEvent(shop, ada, Date.now() - HOUR);
    // Stored, but no drain job asked for (as when Redis refused the enqueue).
    await recordRequest(shop.db, shop.id, [ada], REASONS.events);
    const job = await enqueue("segments", "expireAll", {});
    await job.waitUntilFinished(events, 20_000);
    expect(
      await eventually(
        () => members(shop, created.segment.id),
        (m) => m.length === 1,
      ),
    ).toEqual([ada]);
  });

  it("GIVEN a worker killed after writing a batch but before committing WHEN another drain runs THEN nothing was lost and the customer entered exactly once", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const now = Date.now();
    const created = await createSegment(shop.db, shop.id, { name: "Killed mid-batch", rules: anyView(1) });
    if (created.type !== "saved") throw new Error(created.type);
    const segment = created.segment.id;
    await eventually(
      () => shop.db.segment.findUniqueOrThrow({ where: { id: segment } }),
      (s) => s.recomputedAt !== null,
    );
    await addEvent(shop, ada, now - DAY);
    await recordRequest(shop.db, shop.id, [ada], REASONS.events);

    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.resolve("test/integration/segments-drain-child.ts")],
      {
        env: { ...process.env, SHOP_ID: shop.id, NOW_MS: String(now) },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("written") && resolve());
      child.on("exit", (code) => reject(new Error(`the drain exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));

    // PostgreSQL rolls the dead backend's transaction back once it notices; until then the shop lock is held.
    const result = await eventually(
      () => drainRequests(shop.id, { now: () => new Date(now) }),
      (r) => r.ran && r.customers === 1,
    );
    expect(result).toMatchObject({ customers: 1, entered: 1 });
    expect(await members(shop, segment)).toEqual([ada]);
    expect(await transitionsOf(shop, segment)).toEqual([
      { kind: "ENTER", customerId: ada, products: [expect.any(String)] },
    ]);
    expect(await shop.db.segment.findUniqueOrThrow({ where: { id: segment } })).toMatchObject({ memberCount: 1 });
  });

  it("GIVEN a producer reporting a second view while the first is being evaluated WHEN the drain commits THEN the customer stays pending and the next drain sees both views", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const now = Date.now();
    const created = await createSegment(shop.db, shop.id, { name: "Raced", rules: anyView(2) });
    if (created.type !== "saved") throw new Error(created.type);
    const segment = created.segment.id;
    await eventually(
      () => shop.db.segment.findUniqueOrThrow({ where: { id: segment } }),
      (s) => s.recomputedAt !== null,
    );
    await addEvent(shop, ada, now - 2 * HOUR);
    await recordRequest(shop.db, shop.id, [ada], REASONS.events);

    let raced = false;
    await drainRequests(shop.id, {
      now: () => new Date(now),
      budgetMs: 0,
      onClaimed: async () => {
        if (raced) return;
        raced = true;
        // Another connection: the drain only read the request, so the producer is not kept waiting.
        await addEvent(shop, ada, now - HOUR);
        await recordRequest(shop.db, shop.id, [ada], REASONS.events);
      },
    });
    expect(raced).toBe(true);
    expect(await pendingRequestCount(shop.db)).toBe(1);
    await drainRequests(shop.id, { now: () => new Date(now) });
    expect(await members(shop, segment)).toEqual([ada]);
    expect(await pendingRequestCount(shop.db)).toBe(0);
  });
});
