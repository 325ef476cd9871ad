// Tasks on the real stack: PostgreSQL, Redis and the worker. Delays wait as delayed BullMQ jobs and survive a
// worker restart; a task whose job Redis lost is found by the sweeper; a worker killed in the middle of a task
// (a real process, SIGKILL) leaves the customer with one code and one message once another worker takes over; and
// several workers racing for one task run it once.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Worker } from "bullmq";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { queuePrefix, redisConnection } from "../../app/jobs/connection.server";
import { closeQueues, enqueue, queue } from "../../app/jobs/enqueue.server";
import { processRunTask, processTaskSweep } from "../../app/jobs/processors/automation.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { onOrderEvent } from "../../app/services/scenarios/triggers.server";
import { runTask } from "../../app/services/tasks/run.server";
import { scheduleTask, taskJobId } from "../../app/services/tasks/schedule.server";
import { createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";
import { makeCustomer, makeOrder, makeScenario, makeTemplate, minutes } from "../unit/scenarios/helpers";

const running: { close(): Promise<void> }[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const w of running.splice(0)) await w.close();
});

afterAll(async () => {
  await closeQueues();
});

async function worker(): Promise<RunningWorker> {
  const w = await startWorker({ schedules: false, concurrency: 4, log: () => undefined });
  running.push(w);
  return w;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A scenario (code, then message) triggered by an order paid at `at`; its task is due at `at` + 1 minute. */
async function pendingTask(shop: TestShop, at: Date, codes = ["W-1", "W-2", "W-3"]) {
  const pool = await createPoolWithCodes(shop, codes);
  const template = await makeTemplate(shop);
  await makeScenario(shop, {
    delay: { value: 1, unit: "minute" },
    actions: [
      { type: "generate_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
    ],
  });
  const customer = await makeCustomer(shop);
  const order = await makeOrder(shop, customer.id);
  const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { at });
  if (result.type !== "processed" || result.started.length !== 1) throw new Error("expected one task");
  return { taskId: result.started[0]!.taskId, dueAt: result.started[0]!.dueAt, pool };
}

async function task(shop: TestShop, taskId: string) {
  return shop.db.task.findFirstOrThrow({ where: { id: taskId } });
}

async function delivered(shop: TestShop, taskId: string) {
  const issuances = await shop.db.issuance.findMany({ where: { idempotencyKey: { startsWith: `task:${taskId}` } }, include: { code: true } });
  const messages = await shop.db.message.findMany({ where: { taskId } });
  return { codes: issuances.map((i) => i.code?.code), messages };
}

describe("delayed tasks on the worker", () => {
  it("GIVEN a scenario with a delay WHEN its trigger arrives THEN the task waits as a delayed job and the worker runs it when due, not before", async () => {
    await worker();
    const shop = await createTestShop();
    const { taskId, dueAt } = await pendingTask(shop, new Date(Date.now() - minutes(1) + 3000));
    const job = await queue("automation").getJob(taskJobId(taskId, dueAt));
    expect(await job?.getState()).toBe("delayed");
    expect(await task(shop, taskId)).toMatchObject({ status: "PENDING" });

    const done = await waitFor("the task to run", () => task(shop, taskId), (t) => t.status === "EXECUTED");
    expect(done.executedAt!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    const { codes, messages } = await delivered(shop, taskId);
    expect(codes).toEqual(["W-1"]);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain("W-1");
  });

  it("GIVEN a delayed task WHEN the worker stops before it is due and another starts after THEN the delayed job survived and the task runs", async () => {
    const first = await worker();
    const shop = await createTestShop();
    const { taskId, dueAt } = await pendingTask(shop, new Date(Date.now() - minutes(1) + 2000));
    await first.close();
    running.splice(running.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, Math.max(0, dueAt.getTime() - Date.now()) + 1000));
    expect(await task(shop, taskId)).toMatchObject({ status: "PENDING" });

    await worker();
    await waitFor("the task to run after the restart", () => task(shop, taskId), (t) => t.status === "EXECUTED");
    expect((await delivered(shop, taskId)).messages).toHaveLength(1);
  });

  it("GIVEN a task whose job Redis lost WHEN the sweeper runs THEN it is enqueued again and runs once", async () => {
    const shop = await createTestShop();
    // Due a minute ago, enqueued while no worker runs; then the queue's data is wiped, as a Redis flush would.
    const { taskId, dueAt } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
    await queue("automation").obliterate({ force: true });
    expect(await queue("automation").getJob(taskJobId(taskId, dueAt))).toBeUndefined();
    expect(await task(shop, taskId)).toMatchObject({ status: "PENDING" });
    await worker();

    await enqueue("automation", "sweepAll", {});
    await waitFor("the swept task to run", () => task(shop, taskId), (t) => t.status === "EXECUTED");
    const { codes, messages } = await delivered(shop, taskId);
    expect(codes).toHaveLength(1);
    expect(messages).toHaveLength(1);
    // A second sweep finds nothing to do.
    expect(await processTaskSweep({ shopId: shop.id })).toEqual({ requeued: 0, markedFailed: 0, windowsClosed: 0 });
  });

  it("GIVEN a task whose job failed for good without the task being marked WHEN the sweeper runs THEN the task is failed with the job's reason", async () => {
    const shop = await createTestShop();
    const { taskId, dueAt } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
    await queue("automation").obliterate({ force: true });
    const failing = await startWorker({
    schedules: false,
      concurrency: 1,
      log: () => undefined,
      processors: { automation: { run: async () => Promise.reject(new Error("database went away")) } },
    });
    running.push(failing);
    await enqueue("automation", "run", { shopId: shop.id, taskId }, { jobId: taskJobId(taskId, dueAt), attempts: 1 });
    await waitFor("the job to fail", async () => (await queue("automation").getJob(taskJobId(taskId, dueAt)))?.getState(), (s) => s === "failed");
    // The worker's own sweep may get there first; either way only the sweep marks it (with the job's reason; the
    // replaced processor marks nothing, and the real one would say "Failed after N attempt(s)").
    await processTaskSweep({ shopId: shop.id });
    expect(await task(shop, taskId)).toMatchObject({ status: "FAILED", error: "The task's job failed: database went away" });
  });

  it("GIVEN an executed task with a waiting time WHEN the waiting time ends THEN its check job closes it as conditions not met, and the sweeper would too", async () => {
    await worker();
    const shop = await createTestShop();
    const { taskId } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
    await waitFor("the task to run", () => task(shop, taskId), (t) => t.status === "EXECUTED");
    const checkAt = new Date(Date.now() + 1500);
    await shop.db.task.update({ where: { id: taskId }, data: { checkAt, finishedAt: null } });
    await scheduleTask(shop.id, taskId, checkAt);
    const closed = await waitFor("the window to close", () => task(shop, taskId), (t) => t.status === "CONDITIONS_NOT_MET");
    expect(closed.finishedAt).toEqual(checkAt);

    const second = await createTestShop();
    const other = await pendingTask(second, new Date(Date.now() - minutes(2)), ["W-9"]);
    await waitFor("the task to run", () => task(second, other.taskId), (t) => t.status === "EXECUTED");
    await second.db.task.update({ where: { id: other.taskId }, data: { checkAt: new Date(Date.now() - 1000), finishedAt: null } });
    expect(await processTaskSweep({ shopId: second.id })).toMatchObject({ windowsClosed: 1 });
    expect(await task(second, other.taskId)).toMatchObject({ status: "CONDITIONS_NOT_MET" });
  });
});

describe("races and crashes", () => {
  it("GIVEN one task WHEN ten runs start at once on PostgreSQL THEN exactly one executes it: one code, one message", async () => {
    const shop = await createTestShop();
    const { taskId } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
    const results = await Promise.all(Array.from({ length: 10 }, () => runTask(shop.db, shop.id, taskId)));
    expect(results.filter((r) => r.type === "executed")).toHaveLength(1);
    expect(results.every((r) => ["executed", "busy", "nothing_to_do"].includes(r.type))).toBe(true);
    const { codes, messages } = await delivered(shop, taskId);
    expect(codes).toHaveLength(1);
    expect(messages).toHaveLength(1);
  });

  it("GIVEN two workers and several jobs for one task (a re-enqueue after a flush) WHEN they race THEN the task runs once", async () => {
    const shop = await createTestShop();
    const { taskId, pool } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
    await queue("automation").obliterate({ force: true });
    await worker();
    await worker();
    await Promise.all(["a", "b", "c", "d"].map((tag) => enqueue("automation", "run", { shopId: shop.id, taskId }, { jobId: `race-${taskId}-${tag}` })));
    await waitFor("the task to run", () => task(shop, taskId), (t) => t.status === "EXECUTED");
    await new Promise((r) => setTimeout(r, 500));
    const { codes, messages } = await delivered(shop, taskId);
    expect(codes).toHaveLength(1);
    expect(messages).toHaveLength(1);
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "ASSIGNED" } })).toBe(1);
  });

  /** A worker in its own process (the real processor) that stops dead once the given step is done, until killed. */
  function childWorker(hangAfterStep: number): { child: ChildProcess; hanging: Promise<void> } {
    const source = `
import { Worker } from "bullmq";
import { registerDatabase } from "./app/db.server";
import { connectPostgres } from "./app/db/connect.server";
import { queuePrefix, redisConnection } from "./app/jobs/connection.server";
import { processRunTask } from "./app/jobs/processors/automation.server";

registerDatabase(connectPostgres(process.env.DATABASE_URL, { max: 4 }));
new Worker(
  "automation",
  (job) =>
    processRunTask(job.data, job, {
      leaseMs: 3000,
      onStep: async (step) => {
        // Done but not yet recorded in the task: only the action's own idempotency can save the retry now.
        if (step.index === ${hangAfterStep} && step.phase === "performed") {
          process.stdout.write("hanging\\n");
          await new Promise(() => undefined);
        }
      },
    }),
  { connection: redisConnection(), prefix: queuePrefix(), lockDuration: 2000, stalledInterval: 1000 },
);
`;
    // Evaluated from the repository root, so the app's modules and its node_modules resolve as they do for the worker.
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
      cwd: path.resolve("."),
      env: { ...process.env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const hanging = new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("hanging")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`child exited (${code}) before hanging: ${out}`)));
    });
    return { child, hanging };
  }

  for (const [step, what] of [
    [0, "after issuing the code"],
    [1, "after queuing the message"],
  ] as const) {
    it(`GIVEN a worker process killed ${what} WHEN another worker takes the job over THEN the customer has one code and one message`, { timeout: 60_000 }, async () => {
      const shop = await createTestShop();
      await queue("automation").obliterate({ force: true });
      const { child, hanging } = childWorker(step);
      const { taskId } = await pendingTask(shop, new Date(Date.now() - minutes(2)));
      await hanging;
      child.kill("SIGKILL");
      expect(await task(shop, taskId)).toMatchObject({ status: "PENDING" });
      const before = await delivered(shop, taskId);
      expect(before.codes).toHaveLength(1);
      expect(before.messages).toHaveLength(step === 1 ? 1 : 0);

      // A worker that notices stalled jobs quickly, running the same processor.
      const rescuer = new Worker("automation", (job) => processRunTask(job.data, job), {
        connection: redisConnection(),
        prefix: queuePrefix(),
        lockDuration: 2000,
        stalledInterval: 1000,
      });
      running.push(rescuer);
      await waitFor("the task to be finished by the rescuer", () => task(shop, taskId), (t) => t.status === "EXECUTED", 40_000);
      const after = await delivered(shop, taskId);
      expect(after.codes).toEqual(before.codes);
      expect(after.messages).toHaveLength(1);
      expect(after.messages[0]!.body).toContain(before.codes[0]!);
      expect(await shop.db.code.count({ where: { status: "ASSIGNED", customerId: (await task(shop, taskId)).customerId } })).toBe(1);
    });
  }
});
