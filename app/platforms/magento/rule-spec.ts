// How a dynamic pool's settings become one Magento sales rule (pure; the adapter sends it). One rule serves every
// code of a group key that ends on the same day: codes are added to it as coupons, and Magento copies the rule's
// limits and end date onto each coupon. Things Magento cannot express are documented here and in
// docs/decisions/0009-magento-adapter.md:
// - a coupon cannot be limited to one customer (DynamicCodeSpec.customerId is not sent anywhere);
// - rule dates are days in the store's time zone, so a code stays valid until the end of its expiry day;
// - combinability is all or nothing: "Discard subsequent rules" is set when the code combines with nothing.
import { createHash } from "node:crypto";
import type { DynamicCodeSpec } from "../port";

/** Sales rule names the app owns start with this; listDiscounts hides them from static-pool pickers. */
export const APP_RULE_PREFIX = "Promo Codes [";

const MAX_RULE_NAME = 255;

/**
 * The rule of a group key and an expiry day. Magento copies the rule's end date onto every coupon it holds, and a
 * group key names an expiry *rule* ("30 days after issue"), not a date: codes issued on different days end on
 * different days, so they need a rule each. Codes that end on the same day (or never) share one.
 */
export function ruleNameFor(groupKey: string, endDay: string | null): string {
  const suffix = endDay ? ` until ${endDay}` : "";
  const name = `${APP_RULE_PREFIX}${groupKey}]${suffix}`;
  if (name.length <= MAX_RULE_NAME) return name;
  return `${APP_RULE_PREFIX}${createHash("sha256").update(groupKey).digest("hex")}]${suffix}`;
}

export function isAppRule(name: string | null | undefined): name is string {
  return typeof name === "string" && name.startsWith(APP_RULE_PREFIX);
}

/**
 * Whether an app rule's name belongs to a pool: group keys start with the pool id (groupKeyOf). A name shortened
 * to a hash no longer says its pool, and is taken as the pool's (the caller still tells pools apart by code text).
 */
export function isRuleOfPool(name: string, poolId: string): boolean {
  if (!isAppRule(name)) return false;
  const inner = name.slice(APP_RULE_PREFIX.length);
  return inner.startsWith(`${poolId}:`) || /^[0-9a-f]{64}\]/.test(inner);
}

export type SimpleAction = "by_percent" | "by_fixed" | "cart_fixed";

/** OfflineShipping's values: 0 none, 1 matching items only, 2 the whole shipment when it holds matching items. */
export type FreeShipping = "0" | "1" | "2";

export interface MagentoCondition {
  condition_type: string;
  aggregator_type?: "all" | "any";
  operator?: string;
  attribute_name?: string;
  value: string | number;
  conditions?: MagentoCondition[];
}

export interface RuleContext {
  websiteIds: number[];
  customerGroupIds: number[];
  /** IANA zone of the store; rule dates are days there. */
  timezone: string;
  /** SKUs the discount applies to (triggered or fixed products); null for no restriction. */
  skus: string[] | null;
  /** Category ids (Shopify collections' counterpart); null for no restriction. */
  categoryIds: string[] | null;
}

const CONDITION = "Magento\\SalesRule\\Model\\Rule\\Condition";

/** The day of `date` in `timeZone`, as Magento's `Y-m-d`. */
export function dayInZone(date: Date, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function actionCondition(context: RuleContext): MagentoCondition | null {
  const children: MagentoCondition[] = [];
  if (context.skus) {
    children.push({ condition_type: `${CONDITION}\\Product`, attribute_name: "sku", operator: "()", value: context.skus.join(", ") });
  }
  if (context.categoryIds) {
    children.push({ condition_type: `${CONDITION}\\Product`, attribute_name: "category_ids", operator: "()", value: context.categoryIds.join(", ") });
  }
  if (children.length === 0) return null;
  return { condition_type: `${CONDITION}\\Product\\Combine`, aggregator_type: "all", value: "1", conditions: children };
}

function cartCondition(spec: DynamicCodeSpec): MagentoCondition | null {
  if (!spec.minimumSubtotal) return null;
  return {
    condition_type: `${CONDITION}\\Combine`,
    aggregator_type: "all",
    value: "1",
    conditions: [{ condition_type: `${CONDITION}\\Address`, attribute_name: "base_subtotal", operator: ">=", value: spec.minimumSubtotal }],
  };
}

export type ValueMapping =
  | { type: "ok"; simpleAction: SimpleAction; discountAmount: number; freeShipping: FreeShipping }
  | { type: "invalid"; message: string };

/**
 * Percentages are by_percent. A fixed amount is cart_fixed: taken once per cart and spread over the matching
 * items, which is what a fixed amount off the order or off some products means on Shopify too (by_fixed would
 * take it off every matching item). Free shipping is a 0 % rule that frees the shipment holding matching items.
 */
export function valueMapping(spec: DynamicCodeSpec): ValueMapping {
  switch (spec.value.type) {
    case "percentage": {
      const percent = spec.value.percent;
      if (!(percent > 0 && percent <= 100)) return { type: "invalid", message: `A percentage must be above 0 and at most 100, not ${percent}` };
      return { type: "ok", simpleAction: "by_percent", discountAmount: percent, freeShipping: "0" };
    }
    case "fixed_amount": {
      const amount = Number(spec.value.amount);
      if (!(amount > 0)) return { type: "invalid", message: `A fixed amount must be above 0, not ${spec.value.amount}` };
      return { type: "ok", simpleAction: "cart_fixed", discountAmount: amount, freeShipping: "0" };
    }
    case "free_shipping":
      return { type: "ok", simpleAction: "by_percent", discountAmount: 0, freeShipping: "2" };
  }
}

/** The POST /V1/salesRules body for a dynamic code's group. */
export function ruleBodyFor(spec: DynamicCodeSpec, value: Extract<ValueMapping, { type: "ok" }>, context: RuleContext) {
  const combines = spec.combinesWith.productDiscounts || spec.combinesWith.orderDiscounts || spec.combinesWith.shippingDiscounts;
  return {
    rule: {
      name: ruleNameFor(spec.groupKey, spec.endsAt ? dayInZone(spec.endsAt, context.timezone) : null),
      description: `Created by the Promo Codes app for "${spec.title}". Each customer's code is a coupon of this rule.`,
      store_labels: [{ store_id: 0, store_label: spec.title }],
      website_ids: context.websiteIds,
      customer_group_ids: context.customerGroupIds,
      from_date: dayInZone(spec.startsAt, context.timezone),
      to_date: spec.endsAt ? dayInZone(spec.endsAt, context.timezone) : null,
      uses_per_customer: spec.oncePerCustomer ? 1 : 0,
      uses_per_coupon: spec.usageLimit ?? 0,
      is_active: true,
      condition: cartCondition(spec),
      action_condition: actionCondition(context),
      stop_rules_processing: !combines,
      is_advanced: true,
      sort_order: 0,
      simple_action: value.simpleAction,
      discount_amount: value.discountAmount,
      discount_step: 0,
      apply_to_shipping: false,
      // Never list the rule in the store's public RSS feed of discounts.
      is_rss: false,
      coupon_type: "SPECIFIC_COUPON",
      use_auto_generation: true,
      simple_free_shipping: value.freeShipping,
    },
  };
}
