// What a segment's rule reads, so a change re-evaluates only the segments it can affect: a product view does not
// re-evaluate a segment about orders and tags. Reasons travel as a bit set (segment_requests.reasons).
import type { Condition, Rules } from "./rules";

export const REASONS = { events: 1, orders: 2, customer: 4, codes: 8 } as const;
export type Reason = keyof typeof REASONS;
export const ALL_REASONS = REASONS.events | REASONS.orders | REASONS.customer | REASONS.codes;

export function reasonBits(reasons: Iterable<Reason>): number {
  let bits = 0;
  for (const r of reasons) bits |= REASONS[r];
  return bits;
}

export function conditionDependencies(condition: Condition): number {
  switch (condition.kind) {
    case "product_activity":
      return REASONS.events;
    // Orders are read from our orders table and from the platform's counters on the customer row.
    case "order_count":
    case "total_spent":
    case "days_since_last_order":
    case "placed_order":
      return REASONS.orders | REASONS.customer;
    case "customer_tags":
    case "marketing_consent":
    case "customer_created":
      return REASONS.customer;
    case "codes_issued":
    case "issued_from_pool":
    case "redeemed_from_pool":
      return REASONS.codes;
  }
}

export function ruleDependencies(rules: Rules): number {
  let bits = 0;
  for (const group of rules.groups) for (const c of group.conditions) bits |= conditionDependencies(c);
  return bits;
}

/**
 * Whether a change of these kinds can change membership of a segment with these rules. A customer change
 * re-evaluates every segment: a customer just created (or just linked to their views) can match any rule,
 * including one that holds for an empty history ("viewed X exactly 0 times").
 */
export function isAffectedBy(rules: Rules, reasons: number): boolean {
  if (reasons & REASONS.customer) return true;
  return (ruleDependencies(rules) & reasons) !== 0;
}

/** The storefront event topics a product-activity condition counts. */
export function activityTopics(condition: Extract<Condition, { kind: "product_activity" }>): string[] {
  if (condition.action === "added_to_cart") return ["product_added_to_cart"];
  // Viewing a collection (category) page counts as viewing the collection, besides viewing its products.
  return condition.target.type === "collections" ? ["product_viewed", "collection_viewed"] : ["product_viewed"];
}

/** Whether a condition's truth can change with the passing of time alone (windows, days since, created date). */
export function isTimeDependent(condition: Condition): boolean {
  switch (condition.kind) {
    case "product_activity":
    case "order_count":
    case "total_spent":
    case "codes_issued":
    case "issued_from_pool":
    case "redeemed_from_pool":
    case "placed_order":
      return condition.window !== null;
    case "days_since_last_order":
      return true;
    case "customer_created":
      return condition.op === "within_last" || condition.op === "more_than_ago";
    case "customer_tags":
    case "marketing_consent":
      return false;
  }
}

export function ruleIsTimeDependent(rules: Rules): boolean {
  return rules.groups.some((g) => g.conditions.some(isTimeDependent));
}
