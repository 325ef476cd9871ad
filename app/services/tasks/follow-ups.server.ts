// What happened after a task was created, applied to the tasks it concerns. A new order by the customer reaches
// their tasks (user level); a cancelled, completed or reviewed order reaches the tasks it triggered (order level).
// Pending tasks are cancelled when one of their scenario's cancellation conditions is met; executed tasks still
// inside their waiting time succeed when one of the success conditions is met. The domain decides which condition
// an event meets (cancellationBy, successBy); this module finds the candidates and moves them with guarded updates,
// so a redelivered event changes nothing and a task never ends twice.
//
// A task that a runner holds (its lease is live) is not cancelled: its actions are already under way and it ends as
// executed. An event that happened inside the waiting time but is processed after the window was closed (a late
// webhook) still turns "conditions not met" into a success: the event's time decides, not our processing time.
import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import {
  cancelConditionLabel,
  cancellationBy,
  CANCEL_CONDITIONS,
  successBy,
  SUCCESS_CONDITIONS,
  type CancelCondition,
  type FollowUp,
  type SuccessCondition,
} from "../../domain/scenarios/scenario";
import { parseTaskContext, triggeredAtOf, type TaskContext } from "./context";

export interface FollowUpResult {
  cancelled: { taskId: string; condition: CancelCondition }[];
  succeeded: { taskId: string; condition: SuccessCondition }[];
}

export function successConditionLabel(condition: SuccessCondition): string {
  return condition === "new_order" ? "New order by the customer" : "A review for the trigger order";
}

function cancelConditionsOf(value: unknown): CancelCondition[] {
  return Array.isArray(value) ? value.filter((c): c is CancelCondition => (CANCEL_CONDITIONS as readonly unknown[]).includes(c)) : [];
}

function successConditionsOf(value: unknown): SuccessCondition[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  const conditions = (value as { conditions?: unknown }).conditions;
  return Array.isArray(conditions) ? conditions.filter((c): c is SuccessCondition => (SUCCESS_CONDITIONS as readonly unknown[]).includes(c)) : [];
}

/** Which tasks an event can concern: the customer's (a new order) or the trigger order's. */
function candidates(event: FollowUp): { customerId: string } | { orderId: string } | null {
  switch (event.type) {
    case "order_created":
      return event.customerId ? { customerId: event.customerId } : null;
    case "order_cancelled":
    case "order_fulfilled":
      return { orderId: event.orderId };
    case "review_created":
      return event.orderId ? { orderId: event.orderId } : null;
  }
}

/**
 * Whether the event is the one that started the task, seen again: a redelivered or retried webhook, a review posted
 * twice, a Magento order re-read by the next poll. A task is never cancelled by its own trigger (a scenario started
 * by a cancellation may also be cancelled by one, and only another event may do that).
 */
function isOwnTrigger(context: TaskContext, event: FollowUp): boolean {
  switch (event.type) {
    case "order_cancelled":
      return context.trigger === "order_cancelled";
    case "order_fulfilled":
      return context.trigger === "order_fulfilled";
    case "review_created":
      return context.reviewId !== undefined && event.reviewId === context.reviewId;
    case "order_created":
      return false;
  }
}

async function cancelPending(db: ShopDb, shopId: string, event: FollowUp, now: Date): Promise<FollowUpResult["cancelled"]> {
  const who = candidates(event);
  if (!who) return [];
  const tasks = await db.task.findMany({
    where: { ...who, status: "PENDING", scenarioId: { not: null } },
    select: { id: true, customerId: true, orderId: true, createdAt: true, context: true, scenario: { select: { cancelConditions: true } } },
    take: 1000,
  });
  const cancelled: FollowUpResult["cancelled"] = [];
  for (const task of tasks) {
    const conditions = cancelConditionsOf(task.scenario?.cancelConditions);
    const context = parseTaskContext(task.context);
    if (isOwnTrigger(context, event)) continue;
    const facts = { customerId: task.customerId, orderId: task.orderId, createdAt: triggeredAtOf(context, task.createdAt) };
    const condition = cancellationBy(conditions, facts, event);
    if (!condition) continue;
    const moved = await db.$executeRaw`
      UPDATE tasks SET status = 'CANCELLED', outcome = ${cancelConditionLabel(condition)}, finished_at = ${now}::timestamp, updated_at = ${now}::timestamp
      WHERE id = ${task.id}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'
        AND COALESCE((context #>> '{run,leaseUntilMs}')::bigint, 0) <= ${now.getTime()}::bigint`;
    if (moved > 0) cancelled.push({ taskId: task.id, condition });
  }
  return cancelled;
}

async function succeedExecuted(db: ShopDb, shopId: string, event: FollowUp): Promise<FollowUpResult["succeeded"]> {
  if (event.type !== "order_created" && event.type !== "review_created") return [];
  const who = candidates(event);
  if (!who) return [];
  const tasks = await db.task.findMany({
    where: {
      ...who,
      status: { in: ["EXECUTED", "CONDITIONS_NOT_MET"] },
      scenarioId: { not: null },
      checkAt: { gt: event.at },
      executedAt: { lte: event.at },
    },
    select: { id: true, customerId: true, orderId: true, executedAt: true, createdAt: true, scenario: { select: { successConditions: true } } },
    take: 1000,
  });
  const succeeded: FollowUpResult["succeeded"] = [];
  for (const task of tasks) {
    const conditions = successConditionsOf(task.scenario?.successConditions);
    // The waiting time starts when the task executed: only what happens after that counts.
    const facts = { customerId: task.customerId, orderId: task.orderId, createdAt: task.executedAt ?? task.createdAt };
    const condition = successBy(conditions, facts, event);
    if (!condition) continue;
    const moved = await db.$executeRaw`
      UPDATE tasks SET status = 'SUCCEEDED', outcome = ${successConditionLabel(condition)}, finished_at = ${event.at}::timestamp, updated_at = now()
      WHERE id = ${task.id}::uuid AND shop_id = ${shopId}::uuid AND status IN ('EXECUTED', 'CONDITIONS_NOT_MET')
        AND check_at > ${event.at}::timestamp`;
    if (moved > 0) succeeded.push({ taskId: task.id, condition });
  }
  return succeeded;
}

/** Applies one event to the tasks it concerns. Idempotent: the same event twice moves nothing the second time. */
export async function applyFollowUp(db: ShopDb, shopId: string, event: FollowUp, now = new Date()): Promise<FollowUpResult> {
  const cancelled = await cancelPending(db, shopId, event, now);
  const succeeded = await succeedExecuted(db, shopId, event);
  return { cancelled, succeeded };
}

/**
 * The cancellation condition a pending scenario task already meets by what is stored, or null. Follow-ups reach only
 * the tasks that exist when an event is processed, and events are processed out of order: an orders/cancelled or
 * the customer's next order handled before the orders/create that started the task never reaches it. A task is
 * asked this as it starts (startTasks, so it ends at once instead of showing pending until due), and the runner asks
 * again just before it runs a pending scenario task, with the task it has already read. The task's own trigger
 * is not held against it (a task started by a cancellation is not cancelled by that cancellation, nor one started by
 * a review by that review).
 */
export async function conditionMetByStoredState(
  db: ShopDb,
  task: { customerId: string | null; orderId: string | null; createdAt: Date; context: Prisma.JsonValue; cancelConditions: Prisma.JsonValue },
): Promise<CancelCondition | null> {
  const conditions = cancelConditionsOf(task.cancelConditions);
  if (conditions.length === 0) return null;
  const context = parseTaskContext(task.context);
  const facts = { customerId: task.customerId, orderId: task.orderId, createdAt: triggeredAtOf(context, task.createdAt) };
  const events: FollowUp[] = [];
  if (task.orderId) {
    const orderId = task.orderId;
    const order = await db.order.findFirst({ where: { id: orderId }, select: { cancelledAt: true, fulfilledAt: true } });
    if (order?.cancelledAt) events.push({ type: "order_cancelled", orderId, at: order.cancelledAt });
    if (order?.fulfilledAt) events.push({ type: "order_fulfilled", orderId, at: order.fulfilledAt });
    if (conditions.includes("order_review")) {
      const review = await db.review.findFirst({
        where: { orderId, ...(context.reviewId ? { id: { not: context.reviewId } } : {}) },
        select: { id: true, customerId: true, createdAt: true },
      });
      if (review) events.push({ type: "review_created", orderId, customerId: review.customerId, at: review.createdAt, reviewId: review.id });
    }
  }
  if (task.customerId && conditions.includes("new_order")) {
    const next = await db.order.findFirst({
      where: { customerId: task.customerId, placedAt: { gte: facts.createdAt }, ...(task.orderId ? { id: { not: task.orderId } } : {}) },
      orderBy: { placedAt: "asc" },
      select: { id: true, placedAt: true },
    });
    if (next) events.push({ type: "order_created", customerId: task.customerId, orderId: next.id, at: next.placedAt });
  }
  for (const event of events) {
    if (isOwnTrigger(context, event)) continue;
    const condition = cancellationBy(conditions, facts, event);
    if (condition) return condition;
  }
  return null;
}
