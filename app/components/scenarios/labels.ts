// The words the scenario and task pages use for the domain's values, in one place.
import type { TaskStatus } from "@prisma/client";
import type { CancelCondition, DeliveryType, OrderSource, ScenarioTrigger, SuccessCondition } from "../../domain/scenarios/scenario";
import type { TimeUnit } from "../../domain/time";

export const TRIGGER_LABELS: Record<ScenarioTrigger, string> = {
  order_created: "Order created",
  order_paid: "Order paid",
  order_cancelled: "Order cancelled",
  order_fulfilled: "Order completed (fulfilled)",
  customer_created: "Customer created",
  review_created: "Review created (through the API)",
};

export const ORDER_SOURCE_LABELS: Record<OrderSource, string> = {
  web: "Online store",
  pos: "Point of sale",
  mobile_app: "Mobile app",
  draft_order: "Draft or admin-created order",
  other: "Other sources",
};

export const DELIVERY_TYPE_LABELS: Record<DeliveryType, string> = {
  shipping: "Shipping",
  pickup: "Pickup",
  local_delivery: "Local delivery",
  none: "No delivery",
};

export const CANCEL_CONDITION_LABELS: Record<CancelCondition, string> = {
  new_order: "New order by the same customer",
  order_cancelled: "The trigger order is cancelled",
  order_completed: "The trigger order is completed",
  order_review: "A review for the trigger order",
};

export const SUCCESS_CONDITION_LABELS: Record<SuccessCondition, string> = {
  new_order: "New order by the customer",
  order_review: "A review for the trigger order",
};

export const UNIT_LABELS: Record<TimeUnit, string> = {
  minute: "minutes",
  hour: "hours",
  day: "days",
  week: "weeks",
  month: "months",
};

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  PENDING: "Pending",
  EXECUTED: "Executed",
  CANCELLED: "Cancelled",
  FAILED: "Failed",
  SUCCEEDED: "Successfully completed",
  CONDITIONS_NOT_MET: "Conditions not met",
};

export const TASK_STATUSES = Object.keys(TASK_STATUS_LABELS) as TaskStatus[];

export function triggerLabel(trigger: string): string {
  return (TRIGGER_LABELS as Record<string, string>)[trigger] ?? trigger;
}

export function delayLabel(delay: { value: number; unit: TimeUnit }): string {
  if (delay.value === 0) return "At once";
  const unit = UNIT_LABELS[delay.unit];
  return `After ${delay.value} ${delay.value === 1 ? unit.replace(/s$/, "") : unit}`;
}
