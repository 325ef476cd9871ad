// Where scenarios meet what happens in the store. Order processing (Shopify webhooks, Magento events and polling),
// customer creation and the reviews API call these once the order, customer or review is stored. Each call
//   (a) applies the event to existing tasks: cancellation conditions of pending tasks, success conditions of
//       executed tasks inside their waiting time (app/services/tasks/follow-ups.server.ts), and then
//   (b) starts a task for every active scenario with this trigger whose order limits pass, due at the event's time
//       plus the scenario's delay, and hands it to the queue.
// Every step is idempotent, so a redelivered or retried event is harmless. Tasks are de-duplicated by a unique
// key: scenario:<id>:user:<customer> (once per user), scenario:<id>:order:<order> (once per order), otherwise the
// event itself (pass `eventKey`, e.g. the stored webhook's id, so a retry of one event and a second event on the
// same order are told apart).
import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import {
  cancelConditionLabel,
  checkOrderLimits,
  taskDueAt,
  type FollowUp,
  type ScenarioSettings,
  type ScenarioTrigger,
  type TriggerOrder,
} from "../../domain/scenarios/scenario";
import { applyFollowUp, conditionMetByStoredState, type FollowUpResult } from "../tasks/follow-ups.server";
import { cancelTask, freeKeysOfUnrunCancelledTasks } from "../tasks/store.server";
import { scheduleTask } from "../tasks/schedule.server";
import { activeScenarios } from "./scenarios.server";

export type OrderEventTopic = "orders/create" | "orders/paid" | "orders/cancelled" | "orders/fulfilled";

const ORDER_TRIGGERS: Record<OrderEventTopic, ScenarioTrigger> = {
  "orders/create": "order_created",
  "orders/paid": "order_paid",
  "orders/cancelled": "order_cancelled",
  "orders/fulfilled": "order_fulfilled",
};

export interface TriggerOptions {
  /** Identifies the event (a stored webhook or Magento event id): retries of one event start one task. */
  eventKey?: string | null;
  /** When the event happened; by default the order's (or the customer's) own time for that event, else now. */
  at?: Date;
  now?: Date;
}

export interface StartedTask {
  taskId: string;
  scenarioId: string;
  dueAt: Date;
}

export interface TriggerOutcome extends FollowUpResult {
  type: "processed";
  started: StartedTask[];
  /** Scenarios with this trigger that started nothing, and why (limits, once per order/user, a guest). */
  skipped: { scenarioId: string; reason: string }[];
}

export type TriggerResult = TriggerOutcome | { type: "order_not_found" } | { type: "customer_not_found" } | { type: "review_not_found" };

interface TriggerFacts {
  trigger: ScenarioTrigger;
  customerId: string | null;
  orderId: string | null;
  order: TriggerOrder | null;
  at: Date;
  /** Names this event among others of its kind, for scenarios that run more than once per order and user. */
  eventIdentity: string;
  eventKey: string | null;
  reviewId: string | null;
}

function hasOrderLimits(limits: ScenarioSettings["limits"]): boolean {
  return limits.orderSources.length > 0 || limits.deliveryTypes.length > 0 || limits.minOrderPrice !== null || limits.maxOrderPrice !== null;
}

export function taskDedupeKey(scenarioId: string, settings: Pick<ScenarioSettings, "oncePerUser" | "oncePerOrder">, facts: Pick<TriggerFacts, "customerId" | "orderId" | "eventIdentity">): string {
  if (settings.oncePerUser && facts.customerId) return `scenario:${scenarioId}:user:${facts.customerId}`;
  if (settings.oncePerOrder && facts.orderId) return `scenario:${scenarioId}:order:${facts.orderId}`;
  return `scenario:${scenarioId}:${facts.eventIdentity}`;
}

/** Why this scenario starts nothing for this event, or null when it starts a task. */
function refusal(settings: ScenarioSettings, facts: TriggerFacts): string | null {
  if (!facts.customerId) return "No customer (a guest order): nobody to give a code to";
  if (!hasOrderLimits(settings.limits)) return null;
  if (!facts.order) return "No order to check the scenario's order limits against";
  const check = checkOrderLimits(settings.limits, facts.order);
  return check.ok ? null : `Order limits: ${check.reason}`;
}

async function startTasks(
  db: ShopDb,
  shopId: string,
  facts: TriggerFacts,
  now: Date,
): Promise<Pick<TriggerOutcome, "started" | "skipped"> & { cancelledAtStart: TriggerOutcome["cancelled"] }> {
  const scenarios = await activeScenarios(db, facts.trigger);
  const skipped: TriggerOutcome["skipped"] = [];
  const rows: Prisma.TaskCreateManyInput[] = [];
  /** The rows' keys that hold a customer's one run (once per user). */
  const perUser = new Set<string>();
  for (const { id, settings } of scenarios) {
    const reason = refusal(settings, facts);
    if (reason) {
      skipped.push({ scenarioId: id, reason });
      continue;
    }
    const context: Record<string, string> = { trigger: facts.trigger, triggeredAt: facts.at.toISOString() };
    if (facts.eventKey) context.eventKey = facts.eventKey;
    if (facts.reviewId) context.reviewId = facts.reviewId;
    const dedupeKey = taskDedupeKey(id, settings, facts);
    if (settings.oncePerUser) perUser.add(dedupeKey);
    rows.push({
      shopId,
      scenarioId: id,
      customerId: facts.customerId,
      orderId: facts.orderId,
      status: "PENDING",
      dueAt: taskDueAt(facts.at, settings.delay),
      dedupeKey,
      context,
      createdAt: now,
    });
  }
  if (rows.length === 0) return { started: [], skipped, cancelledAtStart: [] };
  const insert = (data: Prisma.TaskCreateManyInput[]) =>
    db.task.createManyAndReturn({ data, skipDuplicates: true, select: { id: true, scenarioId: true, dueAt: true } });
  const created = await insert(rows);
  // Once per customer: a task of theirs that was cancelled before it ran (their order was cancelled, they ordered
  // again) did nothing for them, and does not use up their one run for another order.
  const refused = rows.filter((row) => !created.some((c) => c.scenarioId === row.scenarioId));
  const perUserKeys = refused.flatMap((row) => (perUser.has(row.dedupeKey!) ? [row.dedupeKey!] : []));
  const freed = await freeKeysOfUnrunCancelledTasks(db, shopId, perUserKeys, facts.orderId);
  if (freed.length > 0) created.push(...(await insert(refused.filter((row) => freed.includes(row.dedupeKey!)))));
  for (const row of rows) {
    if (!created.some((c) => c.scenarioId === row.scenarioId)) {
      skipped.push({ scenarioId: row.scenarioId!, reason: "Already started for this order or customer (once per order / once per user)" });
    }
  }
  // A cancellation the store already holds (the order was cancelled, or the customer ordered again, before this
  // event reached us: webhooks arrive out of order) ends the task now, so the tasks page does not show it waiting
  // out its delay. The runner checks the same again when the task comes due (run.server.ts).
  const cancelledAtStart: TriggerOutcome["cancelled"] = [];
  for (const task of created) {
    const conditions = scenarios.find((sc) => sc.id === task.scenarioId)?.settings.cancelConditions ?? [];
    if (conditions.length === 0) continue;
    const row = rows.find((r) => r.scenarioId === task.scenarioId)!;
    const condition = await conditionMetByStoredState(db, {
      customerId: row.customerId ?? null,
      orderId: row.orderId ?? null,
      createdAt: now,
      context: row.context as Prisma.JsonValue,
      cancelConditions: conditions,
    });
    if (condition && (await cancelTask(db, shopId, task.id, cancelConditionLabel(condition), now))) cancelledAtStart.push({ taskId: task.id, condition });
  }
  const live = created.filter((t) => !cancelledAtStart.some((c) => c.taskId === t.id));
  await Promise.all(live.map((t) => scheduleTask(shopId, t.id, t.dueAt, now)));
  return { started: created.map((t) => ({ taskId: t.id, scenarioId: t.scenarioId!, dueAt: t.dueAt })), skipped, cancelledAtStart };
}

async function handleEvent(db: ShopDb, shopId: string, facts: TriggerFacts, followUp: FollowUp | null, now: Date): Promise<TriggerOutcome> {
  // Follow-ups first: the event's own new tasks are never the ones it cancels (a cancellation already stored is
  // applied to them as they start: startTasks).
  const applied = followUp ? await applyFollowUp(db, shopId, followUp, now) : { cancelled: [], succeeded: [] };
  const { started, skipped, cancelledAtStart } = await startTasks(db, shopId, facts, now);
  return { type: "processed", cancelled: [...applied.cancelled, ...cancelledAtStart], succeeded: applied.succeeded, started, skipped };
}

/** An order was created, paid, cancelled or fulfilled (and is stored). */
export async function onOrderEvent(db: ShopDb, shopId: string, topic: OrderEventTopic, orderId: string, options: TriggerOptions = {}): Promise<TriggerResult> {
  const now = options.now ?? new Date();
  const order = await db.order.findFirst({
    where: { id: orderId },
    select: { id: true, customerId: true, totalPrice: true, sourceName: true, deliveryType: true, placedAt: true, cancelledAt: true, fulfilledAt: true },
  });
  if (!order) return { type: "order_not_found" };
  const trigger = ORDER_TRIGGERS[topic];
  const eventTime: Record<OrderEventTopic, Date> = {
    "orders/create": order.placedAt,
    "orders/paid": now,
    "orders/cancelled": order.cancelledAt ?? now,
    "orders/fulfilled": order.fulfilledAt ?? now,
  };
  const at = options.at ?? eventTime[topic];
  const eventKey = options.eventKey ?? null;
  const facts: TriggerFacts = {
    trigger,
    customerId: order.customerId,
    orderId: order.id,
    order: { sourceName: order.sourceName, deliveryType: order.deliveryType, totalPrice: Number(order.totalPrice) },
    at,
    eventIdentity: `order:${order.id}:${trigger}:${eventKey ?? at.getTime()}`,
    eventKey,
    reviewId: null,
  };
  const followUps: Record<OrderEventTopic, FollowUp | null> = {
    "orders/create": { type: "order_created", customerId: order.customerId, orderId: order.id, at },
    "orders/paid": null,
    "orders/cancelled": { type: "order_cancelled", orderId: order.id, at },
    "orders/fulfilled": { type: "order_fulfilled", orderId: order.id, at },
  };
  return handleEvent(db, shopId, facts, followUps[topic], now);
}

/** A customer was created in the store (customers/create), not on every update. */
export async function onCustomerCreated(db: ShopDb, shopId: string, customerId: string, options: TriggerOptions = {}): Promise<TriggerResult> {
  const now = options.now ?? new Date();
  const customer = await db.customer.findFirst({ where: { id: customerId }, select: { id: true, platformCreatedAt: true } });
  if (!customer) return { type: "customer_not_found" };
  const facts: TriggerFacts = {
    trigger: "customer_created",
    customerId: customer.id,
    orderId: null,
    order: null,
    // When the store created the customer, not when its webhook was processed: the delay counts from then, and an
    // order they placed before the webhook reached us is a "new order" (a customer created at checkout orders at once).
    at: options.at ?? customer.platformCreatedAt ?? now,
    eventIdentity: `customer:${customer.id}`,
    eventKey: options.eventKey ?? null,
    reviewId: null,
  };
  return handleEvent(db, shopId, facts, null, now);
}

/** A review was stored (POST /api/v1/reviews). Safe to call again for a redelivered review. */
export async function onReviewCreated(db: ShopDb, shopId: string, reviewId: string, options: TriggerOptions = {}): Promise<TriggerResult> {
  const now = options.now ?? new Date();
  const review = await db.review.findFirst({
    where: { id: reviewId },
    select: {
      id: true,
      customerId: true,
      createdAt: true,
      order: { select: { id: true, customerId: true, totalPrice: true, sourceName: true, deliveryType: true } },
    },
  });
  if (!review) return { type: "review_not_found" };
  const order = review.order;
  const customerId = review.customerId ?? order?.customerId ?? null;
  const at = options.at ?? review.createdAt;
  const facts: TriggerFacts = {
    trigger: "review_created",
    customerId,
    orderId: order?.id ?? null,
    order: order ? { sourceName: order.sourceName, deliveryType: order.deliveryType, totalPrice: Number(order.totalPrice) } : null,
    at,
    eventIdentity: `review:${review.id}`,
    eventKey: options.eventKey ?? null,
    reviewId: review.id,
  };
  return handleEvent(db, shopId, facts, { type: "review_created", orderId: order?.id ?? null, customerId, at, reviewId: review.id }, now);
}
