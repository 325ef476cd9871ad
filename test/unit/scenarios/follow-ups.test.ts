// Cancellation conditions (pending tasks) and success conditions (executed tasks inside their waiting time), fed
// by the same trigger calls order processing and the reviews API make.
import { describe, expect, it } from "vitest";
import type { ScenarioSettingsInput } from "../../../app/domain/scenarios/scenario";
import { onOrderEvent, onReviewCreated } from "../../../app/services/scenarios/triggers.server";
import { claimTask } from "../../../app/services/tasks/store.server";
import { runTask } from "../../../app/services/tasks/run.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";
import { makeCustomer, makeOrder, makeScenario, minutes } from "./helpers";

const HOUR = minutes(60);
const DAY = 24 * HOUR;

async function setup(settings: Partial<ScenarioSettingsInput>) {
  const shop = await createTestShop();
  const pool = await createPoolWithCodes(shop, ["F-1", "F-2", "F-3", "F-4"]);
  const scenario = await makeScenario(shop, { trigger: "order_paid", actions: [{ type: "generate_code", poolId: pool.id }], ...settings });
  const ada = await makeCustomer(shop, "Ada");
  const trigger = await makeOrder(shop, ada.id, { placedAt: new Date(Date.now() - 2 * HOUR) });
  return { shop, scenario, ada, trigger };
}

async function triggerTask(shop: TestShop, orderId: string, at = new Date(Date.now() - HOUR)) {
  const result = await onOrderEvent(shop.db, shop.id, "orders/paid", orderId, { at });
  if (result.type !== "processed" || result.started.length !== 1) throw new Error(`expected one task: ${JSON.stringify(result)}`);
  return result.started[0]!.taskId;
}

async function statusOf(shop: TestShop, taskId: string) {
  return shop.db.task.findFirstOrThrow({ where: { id: taskId }, select: { status: true, outcome: true, finishedAt: true } });
}

async function review(shop: TestShop, orderId: string | null, customerId: string | null, createdAt = new Date()) {
  const row = await shop.db.review.create({ data: { shopId: shop.id, externalId: `r-${Math.random()}`, orderId, customerId, rating: 5, createdAt } });
  return onReviewCreated(shop.db, shop.id, row.id);
}

describe("cancellation conditions", () => {
  it("GIVEN “new order by the same customer” WHEN that customer places another order THEN the pending task is cancelled; another customer's order and the trigger order itself change nothing", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["new_order"] });
    const taskId = await triggerTask(shop, trigger.id);
    const bob = await makeCustomer(shop, "Bob");

    await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, bob.id)).id);
    await onOrderEvent(shop.db, shop.id, "orders/create", trigger.id, { at: new Date() });
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });

    const result = await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id)).id);
    expect(result).toMatchObject({ cancelled: [{ taskId, condition: "new_order" }] });
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "New order by the same customer", finishedAt: expect.any(Date) });
  });

  it("GIVEN “new order” WHEN the customer's other order was placed before the trigger THEN it does not count as new", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["new_order"] });
    const taskId = await triggerTask(shop, trigger.id, new Date(Date.now() - HOUR));
    const older = await makeOrder(shop, ada.id, { placedAt: new Date(Date.now() - 3 * HOUR) });
    await onOrderEvent(shop.db, shop.id, "orders/create", older.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
  });

  it("GIVEN “the trigger order is cancelled” WHEN it is THEN the task is cancelled, and a cancelled other order changes nothing", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    const taskId = await triggerTask(shop, trigger.id);
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", (await makeOrder(shop, ada.id)).id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "The trigger order is cancelled" });
  });

  it("GIVEN “the trigger order is completed” WHEN it is fulfilled THEN the task is cancelled", async () => {
    const { shop, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_completed"] });
    const taskId = await triggerTask(shop, trigger.id);
    await onOrderEvent(shop.db, shop.id, "orders/fulfilled", trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "The trigger order is completed" });
  });

  it("GIVEN “a review for the trigger order” WHEN a review of it arrives THEN the task is cancelled; a review of another order changes nothing", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_review"] });
    const taskId = await triggerTask(shop, trigger.id);
    await review(shop, (await makeOrder(shop, ada.id)).id, ada.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
    await review(shop, trigger.id, ada.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "A review for the trigger order" });
  });

  it("GIVEN no cancellation conditions WHEN the order is cancelled, completed, reviewed and the customer orders again THEN the task stays pending", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: [] });
    const taskId = await triggerTask(shop, trigger.id);
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    await onOrderEvent(shop.db, shop.id, "orders/fulfilled", trigger.id);
    await review(shop, trigger.id, ada.id);
    await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id)).id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
  });

  it("GIVEN a task a runner is executing WHEN a cancellation condition is met THEN it is not cancelled under the runner", async () => {
    const { shop, trigger } = await setup({ delay: { value: 0, unit: "minute" }, cancelConditions: ["order_cancelled"] });
    const taskId = await triggerTask(shop, trigger.id);
    const now = new Date();
    const claimed = await claimTask(shop.db, shop.id, taskId, { now, dueBy: now, leaseUntil: new Date(now.getTime() + 60_000), runner: "other", actions: [] });
    expect(claimed).not.toBeNull();
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
  });

  it("GIVEN an executed task WHEN a cancellation condition is met afterwards THEN it stays executed", async () => {
    const { shop, trigger } = await setup({ delay: { value: 0, unit: "minute" }, cancelConditions: ["order_cancelled"] });
    const taskId = await triggerTask(shop, trigger.id);
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed" });
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "EXECUTED" });
  });
});

describe("cancellation conditions met before the task existed (events processed out of order)", () => {
  const later = () => new Date(Date.now() + 2 * DAY);

  it("GIVEN “the trigger order is cancelled” WHEN orders/cancelled was processed before the event that started the task THEN the task is cancelled as it starts, and no code is issued when its time comes", async () => {
    const { shop, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    await shop.db.order.update({ where: { id: trigger.id }, data: { cancelledAt: new Date(Date.now() - 30 * 60_000) } });
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    const result = await onOrderEvent(shop.db, shop.id, "orders/paid", trigger.id, { at: new Date(Date.now() - HOUR) });
    if (result.type !== "processed" || !result.started[0]) throw new Error("no task started");
    const taskId = result.started[0].taskId;
    expect(result.cancelled).toEqual([{ taskId, condition: "order_cancelled" }]);
    // The tasks page shows it ended now, not waiting out its day.
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "The trigger order is cancelled", finishedAt: expect.any(Date) });
    expect(await runTask(shop.db, shop.id, taskId, { now: later })).toEqual({ type: "nothing_to_do", status: "CANCELLED" });
    expect(await shop.db.issuance.count()).toBe(0);
  });

  it("GIVEN a cancellation stored after the task started without reaching it (another job's follow-up ran first) WHEN the task comes due THEN the runner cancels it from the stored order", async () => {
    const { shop, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    const taskId = await triggerTask(shop, trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "PENDING" });
    await shop.db.order.update({ where: { id: trigger.id }, data: { cancelledAt: new Date() } });
    expect(await runTask(shop.db, shop.id, taskId, { now: later })).toEqual({ type: "cancelled", reason: "The trigger order is cancelled" });
    expect(await shop.db.issuance.count()).toBe(0);
  });

  it("GIVEN “the trigger order is completed” and “a review for the trigger order” WHEN the fulfilment or the review was stored first THEN the task is cancelled as it starts", async () => {
    const completed = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_completed"] });
    await completed.shop.db.order.update({ where: { id: completed.trigger.id }, data: { fulfilledAt: new Date() } });
    const fulfilledTask = await triggerTask(completed.shop, completed.trigger.id);
    expect(await statusOf(completed.shop, fulfilledTask)).toMatchObject({ status: "CANCELLED", outcome: "The trigger order is completed" });

    const reviewed = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["order_review"] });
    await review(reviewed.shop, reviewed.trigger.id, reviewed.ada.id);
    const reviewedTask = await triggerTask(reviewed.shop, reviewed.trigger.id);
    expect(await statusOf(reviewed.shop, reviewedTask)).toMatchObject({ status: "CANCELLED", outcome: "A review for the trigger order" });
  });

  it("GIVEN “new order by the same customer” WHEN their next order was processed before the trigger THEN the task is cancelled as it starts; an order placed before the trigger does not count", async () => {
    const { shop, ada, trigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["new_order"] });
    await makeOrder(shop, ada.id, { placedAt: new Date(Date.now() - 30 * 60_000) });
    const taskId = await triggerTask(shop, trigger.id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CANCELLED", outcome: "New order by the same customer" });

    const { shop: other, ada: bea, trigger: beaTrigger } = await setup({ delay: { value: 1, unit: "day" }, cancelConditions: ["new_order"] });
    await makeOrder(other, bea.id, { placedAt: new Date(Date.now() - 3 * HOUR) });
    const kept = await triggerTask(other, beaTrigger.id);
    expect(await statusOf(other, kept)).toMatchObject({ status: "PENDING" });
    expect(await runTask(other.db, other.id, kept, { now: later })).toMatchObject({ type: "executed" });
  });

  it("GIVEN a scenario triggered by a cancellation that is also cancelled by one WHEN its task is due THEN its own trigger does not cancel it", async () => {
    const { shop, trigger } = await setup({ trigger: "order_cancelled", delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    await shop.db.order.update({ where: { id: trigger.id }, data: { cancelledAt: new Date() } });
    const result = await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id);
    if (result.type !== "processed" || !result.started[0]) throw new Error("no task started");
    expect(await runTask(shop.db, shop.id, result.started[0].taskId, { now: later })).toMatchObject({ type: "executed" });
  });

  it("GIVEN scenarios started by a cancellation, a fulfilment or a review that are also cancelled by one WHEN that same event is processed again (a retried webhook, a re-poll, a review posted twice) THEN the task it started stays pending; another review of the order still cancels", async () => {
    const { shop, ada, trigger } = await setup({ trigger: "order_cancelled", delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    const pool = await createPoolWithCodes(shop, ["G-1"]);
    const actions = [{ type: "generate_code" as const, poolId: pool.id }];
    await makeScenario(shop, { trigger: "order_fulfilled", delay: { value: 1, unit: "day" }, cancelConditions: ["order_completed"], actions });
    await makeScenario(shop, { trigger: "review_created", delay: { value: 1, unit: "day" }, cancelConditions: ["order_review"], actions });
    await shop.db.order.update({ where: { id: trigger.id }, data: { cancelledAt: new Date() } });
    const fulfilled = await makeOrder(shop, ada.id);
    await shop.db.order.update({ where: { id: fulfilled.id }, data: { fulfilledAt: new Date() } });
    const reviewed = await makeOrder(shop, ada.id);
    const first = await shop.db.review.create({ data: { shopId: shop.id, externalId: "once", orderId: reviewed.id, customerId: ada.id, rating: 5 } });

    for (let delivery = 0; delivery < 2; delivery++) {
      await onOrderEvent(shop.db, shop.id, "orders/cancelled", trigger.id, { eventKey: "cancelled" });
      await onOrderEvent(shop.db, shop.id, "orders/fulfilled", fulfilled.id, { eventKey: "fulfilled" });
      await onReviewCreated(shop.db, shop.id, first.id);
    }
    const tasks = await shop.db.task.findMany({ select: { status: true } });
    expect(tasks.map((t) => t.status)).toEqual(["PENDING", "PENDING", "PENDING"]);

    await review(shop, reviewed.id, ada.id);
    expect(await shop.db.task.findFirstOrThrow({ where: { orderId: reviewed.id }, select: { status: true } })).toEqual({ status: "CANCELLED" });
  });
});

describe("success conditions and the waiting time", () => {
  async function executed(settings: Partial<ScenarioSettingsInput>, runLater = 0) {
    const ctx = await setup({ delay: { value: 0, unit: "minute" }, ...settings });
    const taskId = await triggerTask(ctx.shop, ctx.trigger.id);
    const executedAt = new Date(Date.now() + runLater);
    const run = await runTask(ctx.shop.db, ctx.shop.id, taskId, { now: () => executedAt });
    expect(run).toMatchObject({ type: "executed", checkAt: new Date(executedAt.getTime() + 7 * DAY) });
    return { ...ctx, taskId, executedAt };
  }

  it("GIVEN “new order by the customer” WHEN they order inside the waiting time THEN the task is successfully completed", async () => {
    const { shop, ada, taskId, executedAt } = await executed({ success: { conditions: ["new_order"], wait: { value: 7, unit: "day" } } });
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "EXECUTED", finishedAt: null });
    const placedAt = new Date(executedAt.getTime() + 2 * DAY);
    const result = await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id, { placedAt })).id);
    expect(result).toMatchObject({ succeeded: [{ taskId, condition: "new_order" }] });
    expect(await statusOf(shop, taskId)).toEqual({ status: "SUCCEEDED", outcome: "New order by the customer", finishedAt: placedAt });
  });

  it("GIVEN “new order” WHEN the order was placed before the task executed (its webhook arriving late) THEN it does not count: the waiting time starts at execution", async () => {
    const { shop, ada, taskId, executedAt } = await executed({ success: { conditions: ["new_order"], wait: { value: 7, unit: "day" } } }, HOUR);
    // After the trigger and the task's creation, before it ran.
    const placedAt = new Date(executedAt.getTime() - minutes(20));
    await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id, { placedAt })).id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "EXECUTED" });
  });

  it("GIVEN “a review for the trigger order” WHEN it arrives inside the waiting time THEN successfully completed; a review of another order does not count", async () => {
    const { shop, ada, trigger, taskId, executedAt } = await executed({ success: { conditions: ["order_review"], wait: { value: 7, unit: "day" } } });
    await review(shop, (await makeOrder(shop, ada.id)).id, ada.id, new Date(executedAt.getTime() + HOUR));
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "EXECUTED" });
    await review(shop, trigger.id, ada.id, new Date(executedAt.getTime() + DAY));
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "SUCCEEDED", outcome: "A review for the trigger order" });
  });

  it("GIVEN “new order” only WHEN a review arrives THEN it does not count", async () => {
    const { shop, ada, trigger, taskId, executedAt } = await executed({ success: { conditions: ["new_order"], wait: { value: 7, unit: "day" } } });
    await review(shop, trigger.id, ada.id, new Date(executedAt.getTime() + HOUR));
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "EXECUTED" });
  });

  it("GIVEN a waiting time WHEN it passes with nothing met THEN conditions not met; an order after it does not change that", async () => {
    const { shop, ada, taskId, executedAt } = await executed({ success: { conditions: ["new_order"], wait: { value: 7, unit: "day" } } });
    const checkAt = new Date(executedAt.getTime() + 7 * DAY);
    expect(await runTask(shop.db, shop.id, taskId, { now: () => new Date(checkAt.getTime() - 60_000) })).toMatchObject({ type: "nothing_to_do", status: "EXECUTED" });
    expect(await runTask(shop.db, shop.id, taskId, { now: () => new Date(checkAt.getTime() + 1) })).toEqual({ type: "conditions_not_met" });
    expect(await statusOf(shop, taskId)).toEqual({ status: "CONDITIONS_NOT_MET", outcome: "No success condition was met within the waiting time", finishedAt: checkAt });
    await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id, { placedAt: new Date(checkAt.getTime() + HOUR) })).id);
    expect(await statusOf(shop, taskId)).toMatchObject({ status: "CONDITIONS_NOT_MET" });
  });

  it("GIVEN a window closed as not met WHEN an order placed inside it is processed late THEN the task is a success after all", async () => {
    const { shop, ada, taskId, executedAt } = await executed({ success: { conditions: ["new_order"], wait: { value: 7, unit: "day" } } });
    const checkAt = new Date(executedAt.getTime() + 7 * DAY);
    await runTask(shop.db, shop.id, taskId, { now: () => new Date(checkAt.getTime() + 1) });
    const placedAt = new Date(checkAt.getTime() - HOUR);
    await onOrderEvent(shop.db, shop.id, "orders/create", (await makeOrder(shop, ada.id, { placedAt })).id);
    expect(await statusOf(shop, taskId)).toEqual({ status: "SUCCEEDED", outcome: "New order by the customer", finishedAt: placedAt });
  });

  it("GIVEN no success conditions WHEN the task executes THEN it is finished at once, with no waiting time", async () => {
    const ctx = await setup({ delay: { value: 0, unit: "minute" } });
    const taskId = await triggerTask(ctx.shop, ctx.trigger.id);
    expect(await runTask(ctx.shop.db, ctx.shop.id, taskId)).toMatchObject({ type: "executed", checkAt: null });
    const task = await ctx.shop.db.task.findFirstOrThrow({ where: { id: taskId } });
    expect(task).toMatchObject({ status: "EXECUTED", checkAt: null, finishedAt: task.executedAt });
  });
});
