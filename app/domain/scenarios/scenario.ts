// Order-triggered scenarios: what sets one off, which orders it ignores, when its task is due, what cancels a task
// that is still waiting, and what makes an executed task a success. Pure: the services feed it orders and events.
import { z } from "zod";
import { addTime, TIME_UNITS, type TimeUnit } from "../time";

export const SCENARIO_TRIGGERS = [
  "order_created",
  "order_paid",
  "order_cancelled",
  "order_fulfilled",
  "customer_created",
  "review_created",
] as const;
export type ScenarioTrigger = (typeof SCENARIO_TRIGGERS)[number];

/** Order sources as merchants pick them; Shopify's source_name values map onto these. */
export const ORDER_SOURCES = ["web", "pos", "mobile_app", "draft_order", "other"] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export const DELIVERY_TYPES = ["shipping", "pickup", "local_delivery", "none"] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

export const CANCEL_CONDITIONS = ["new_order", "order_cancelled", "order_completed", "order_review"] as const;
export type CancelCondition = (typeof CANCEL_CONDITIONS)[number];

export const SUCCESS_CONDITIONS = ["new_order", "order_review"] as const;
export type SuccessCondition = (typeof SUCCESS_CONDITIONS)[number];

const Duration = z.object({
  value: z.number().int("Use a whole number").min(0, "Can't be negative").max(10_000, "At most 10,000"),
  unit: z.enum(TIME_UNITS, { message: "Pick minute, hour, day, week or month" }),
});

const Money = z.number().min(0, "Can't be negative").max(1_000_000_000, "Too large");

export const ScenarioAction = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("generate_code"),
    poolId: z.uuid("Pick a pool"),
    /** Counted from the moment the task executes; none keeps the pool's own expiry. */
    expiry: Duration.extend({ value: z.number().int().min(1, "At least 1").max(10_000) }).nullable().default(null),
  }),
  z.object({ type: z.literal("send_message"), templateId: z.uuid("Pick a message template") }),
]);
export type ScenarioAction = z.infer<typeof ScenarioAction>;

export const ScenarioSettings = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(200, "At most 200 characters"),
    active: z.boolean().default(false),
    trigger: z.enum(SCENARIO_TRIGGERS, { message: "Pick a trigger" }),
    limits: z
      .object({
        orderSources: z.array(z.enum(ORDER_SOURCES)).default([]),
        deliveryTypes: z.array(z.enum(DELIVERY_TYPES)).default([]),
        minOrderPrice: Money.nullable().default(null),
        maxOrderPrice: Money.nullable().default(null),
      })
      .default({ orderSources: [], deliveryTypes: [], minOrderPrice: null, maxOrderPrice: null }),
    delay: Duration.default({ value: 0, unit: "minute" }),
    oncePerOrder: z.boolean().default(true),
    oncePerUser: z.boolean().default(false),
    cancelConditions: z.array(z.enum(CANCEL_CONDITIONS)).default([]),
    success: z
      .object({
        conditions: z.array(z.enum(SUCCESS_CONDITIONS)).min(1, "Pick at least one success condition"),
        wait: Duration.extend({ value: z.number().int().min(1, "At least 1").max(10_000) }),
      })
      .nullable()
      .default(null),
    actions: z.array(ScenarioAction).min(1, "Add at least one action").max(10, "At most 10 actions"),
  })
  .superRefine((s, ctx) => {
    const { minOrderPrice: min, maxOrderPrice: max } = s.limits;
    if (min !== null && max !== null && min > max) {
      ctx.addIssue({ code: "custom", path: ["limits", "maxOrderPrice"], message: "Maximum is below the minimum" });
    }
    const orderless = s.trigger === "customer_created";
    if (orderless && (s.limits.orderSources.length || s.limits.deliveryTypes.length || min !== null || max !== null)) {
      ctx.addIssue({ code: "custom", path: ["limits"], message: "Order limits need an order trigger" });
    }
    if (orderless && s.cancelConditions.some((c) => c !== "new_order")) {
      ctx.addIssue({ code: "custom", path: ["cancelConditions"], message: "Only “new order” applies without a trigger order" });
    }
    if (orderless && s.success?.conditions.includes("order_review")) {
      ctx.addIssue({ code: "custom", path: ["success", "conditions"], message: "A review needs a trigger order" });
    }
    const firstMessage = s.actions.findIndex((a) => a.type === "send_message");
    const lastCode = s.actions.findLastIndex((a) => a.type === "generate_code");
    if (firstMessage !== -1 && lastCode > firstMessage) {
      // Generation always runs before the message, so the code is ready when the message is built.
      ctx.addIssue({ code: "custom", path: ["actions"], message: "Generate the code before the message that sends it" });
    }
  });
export type ScenarioSettings = z.infer<typeof ScenarioSettings>;
export type ScenarioSettingsInput = z.input<typeof ScenarioSettings>;

/** The source name of an order created in Magento's admin: made by staff, like Shopify's draft orders. */
export const MAGENTO_ADMIN_SOURCE = "magento_admin";

/** Maps Shopify's order source_name (and Magento's: "web", or MAGENTO_ADMIN_SOURCE) onto the sources merchants pick. */
export function orderSourceOf(sourceName: string | null | undefined): OrderSource {
  const s = (sourceName ?? "").toLowerCase();
  if (s === MAGENTO_ADMIN_SOURCE) return "draft_order";
  if (s === "web" || s === "online_store" || s === "storefront") return "web";
  if (s === "pos" || s === "shopify_pos") return "pos";
  if (s === "iphone" || s === "android" || s === "mobile_app" || s === "shop_app") return "mobile_app";
  if (s === "shopify_draft_order" || s === "draft_order") return "draft_order";
  return "other";
}

export interface TriggerOrder {
  sourceName: string | null;
  deliveryType: string | null;
  totalPrice: number;
}

export type LimitCheck = { ok: true } | { ok: false; reason: string };

export function checkOrderLimits(limits: ScenarioSettings["limits"], order: TriggerOrder): LimitCheck {
  const source = orderSourceOf(order.sourceName);
  if (limits.orderSources.length && !limits.orderSources.includes(source)) {
    return { ok: false, reason: `order source ${source} is not one of ${limits.orderSources.join(", ")}` };
  }
  const delivery = (order.deliveryType ?? "none") as DeliveryType;
  if (limits.deliveryTypes.length && !limits.deliveryTypes.includes(delivery)) {
    return { ok: false, reason: `delivery type ${delivery} is not one of ${limits.deliveryTypes.join(", ")}` };
  }
  if (limits.minOrderPrice !== null && order.totalPrice < limits.minOrderPrice) {
    return { ok: false, reason: `order total ${order.totalPrice} is below ${limits.minOrderPrice}` };
  }
  if (limits.maxOrderPrice !== null && order.totalPrice > limits.maxOrderPrice) {
    return { ok: false, reason: `order total ${order.totalPrice} is above ${limits.maxOrderPrice}` };
  }
  return { ok: true };
}

export function taskDueAt(triggeredAt: Date, delay: { value: number; unit: TimeUnit }): Date {
  return addTime(triggeredAt, delay.value, delay.unit);
}

/** Something that happened after a task was created, as cancellation and success conditions see it. */
export type FollowUp =
  | { type: "order_created"; customerId: string | null; orderId: string; at: Date }
  | { type: "order_cancelled"; orderId: string; at: Date }
  | { type: "order_fulfilled"; orderId: string; at: Date }
  /** `reviewId` names the review, so a task it started can tell its own trigger delivered again from another review. */
  | { type: "review_created"; orderId: string | null; customerId: string | null; at: Date; reviewId?: string | null };

export interface TaskFacts {
  customerId: string | null;
  /** The order that triggered the task, if any. */
  orderId: string | null;
  createdAt: Date;
}

function isNewOrder(event: FollowUp, task: TaskFacts): boolean {
  return (
    event.type === "order_created" &&
    task.customerId !== null &&
    event.customerId === task.customerId &&
    event.orderId !== task.orderId &&
    event.at.getTime() >= task.createdAt.getTime()
  );
}

function isReviewOfTriggerOrder(event: FollowUp, task: TaskFacts): boolean {
  return event.type === "review_created" && task.orderId !== null && event.orderId === task.orderId;
}

/** Which cancellation condition (if any) this follow-up meets for a still-pending task. */
export function cancellationBy(conditions: readonly CancelCondition[], task: TaskFacts, event: FollowUp): CancelCondition | null {
  for (const condition of conditions) {
    if (condition === "new_order" && isNewOrder(event, task)) return condition;
    if (condition === "order_cancelled" && event.type === "order_cancelled" && event.orderId === task.orderId) return condition;
    if (condition === "order_completed" && event.type === "order_fulfilled" && event.orderId === task.orderId) return condition;
    if (condition === "order_review" && isReviewOfTriggerOrder(event, task)) return condition;
  }
  return null;
}

/** Which success condition (if any) this follow-up meets for an executed task still inside its waiting time. */
export function successBy(conditions: readonly SuccessCondition[], task: TaskFacts, event: FollowUp): SuccessCondition | null {
  for (const condition of conditions) {
    if (condition === "new_order" && isNewOrder(event, task)) return condition;
    if (condition === "order_review" && isReviewOfTriggerOrder(event, task)) return condition;
  }
  return null;
}

export function cancelConditionLabel(condition: CancelCondition): string {
  switch (condition) {
    case "new_order":
      return "New order by the same customer";
    case "order_cancelled":
      return "The trigger order is cancelled";
    case "order_completed":
      return "The trigger order is completed";
    case "order_review":
      return "A review for the trigger order";
  }
}
