// Scenarios end to end on PostgreSQL, Redis and the worker: a task cancelled while its delayed job waits is not
// run when the job fires; a scenario switched off after starting a task still finishes it; an executed task
// succeeds when the customer orders again inside the waiting time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioSettingsInput } from "../../app/domain/scenarios/scenario";
import { closeQueues, queue } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { setScenarioActive } from "../../app/services/scenarios/scenarios.server";
import { onOrderEvent } from "../../app/services/scenarios/triggers.server";
import { taskJobId } from "../../app/services/tasks/schedule.server";
import { createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";
import { makeCustomer, makeOrder, makeScenario, makeTemplate, minutes } from "../unit/scenarios/helpers";

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ schedules: false, concurrency: 4, log: () => undefined });
});

afterAll(async () => {
  await worker.close();
  await closeQueues();
});

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A scenario with a one-minute delay, triggered so that its task is due `dueInMs` from now. */
async function started(shop: TestShop, settings: Partial<ScenarioSettingsInput>, dueInMs: number) {
  const pool = await createPoolWithCodes(shop, ["FLOW-1", "FLOW-2"]);
  const template = await makeTemplate(shop);
  const scenario = await makeScenario(shop, {
    delay: { value: 1, unit: "minute" },
    actions: [
      { type: "generate_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
    ],
    ...settings,
  });
  const customer = await makeCustomer(shop);
  const order = await makeOrder(shop, customer.id);
  const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { at: new Date(Date.now() - minutes(1) + dueInMs) });
  if (result.type !== "processed" || !result.started[0]) throw new Error("no task");
  return { scenario, customer, order, pool, taskId: result.started[0].taskId, dueAt: result.started[0].dueAt };
}

describe("scenarios on the worker", () => {
  it("GIVEN a task waiting out its delay WHEN the trigger order is cancelled first THEN the delayed job fires and runs nothing", async () => {
    const shop = await createTestShop();
    const { taskId, dueAt, order, pool } = await started(shop, { cancelConditions: ["order_cancelled"] }, 2500);
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", order.id);
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "CANCELLED" });

    const job = await queue("automation").getJob(taskJobId(taskId, dueAt));
    await waitFor("the delayed job to fire", async () => job?.getState(), (s) => s === "completed", 15_000);
    expect((await queue("automation").getJob(taskJobId(taskId, dueAt)))?.returnvalue).toEqual({ type: "nothing_to_do", status: "CANCELLED" });
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "ASSIGNED" } })).toBe(0);
    expect(await shop.db.message.count({ where: { taskId } })).toBe(0);
  });

  it("GIVEN a scenario switched off while its task waits WHEN the task is due THEN the worker still runs it", async () => {
    const shop = await createTestShop();
    const { taskId, scenario } = await started(shop, {}, 2000);
    await setScenarioActive(shop.db, scenario.id, false);
    await waitFor("the task to run", () => shop.db.task.findFirstOrThrow({ where: { id: taskId } }), (t) => t.status === "EXECUTED");
    expect(await shop.db.message.count({ where: { taskId } })).toBe(1);
    // And, switched off, it starts nothing new.
    const again = await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, (await makeCustomer(shop)).id)).id);
    expect(again).toMatchObject({ type: "processed", started: [] });
  });

  it("GIVEN success on a new order WHEN the worker executed the task and the customer orders again THEN the task is successfully completed", async () => {
    const shop = await createTestShop();
    const { taskId, customer } = await started(shop, { success: { conditions: ["new_order"], wait: { value: 1, unit: "day" } } }, 0);
    const executed = await waitFor("the task to run", () => shop.db.task.findFirstOrThrow({ where: { id: taskId } }), (t) => t.status === "EXECUTED");
    expect(executed.checkAt!.getTime() - executed.executedAt!.getTime()).toBe(24 * 3_600_000);
    expect(executed.finishedAt).toBeNull();

    const next = await makeOrder(shop, customer.id, { placedAt: new Date(executed.executedAt!.getTime() + 1000) });
    await onOrderEvent(shop.db, shop.id, "orders/create", next.id);
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "SUCCEEDED", outcome: "New order by the customer" });
  });
});
