// Membership from facts: given what the database says about one customer for each condition (counts with the
// times of the newest items in the window, sums, the last order, the customer row), decide whether the rule holds
// now, when it next changes with the passing of time alone, and which products made the customer match.
//
// Each condition becomes a timeline: its value now and the future instants it flips at if nothing new happens
// (a view leaving a 7-day window, a customer reaching 30 days since the last order). The rule's next change is the
// first of those instants at which the rule as a whole changes: a member's expiresAt, or the moment a non-member
// enters on schedule ("viewed exactly 2 times" once a third view ages out).
import { compare, DAY_MS, windowMs, type CompareOp, type Condition, type Rules } from "./rules";

/** At most this many triggered products are kept per membership and transition, newest activity first. */
export const MAX_TRIGGERED_PRODUCTS = 50;
/** Windowed sums read at most this many of the oldest orders in the window; past them the value is re-checked. */
export const MAX_SUM_ITEMS = 200;

export type ConditionFact =
  /** Items counted (events, records, orders, codes); `times` are epoch ms of the newest first, within the window. */
  | { type: "count"; count: number; times: number[]; products: string[] }
  /** Amount in cents; `items` are the orders in the window, oldest first (at most MAX_SUM_ITEMS). */
  | { type: "sum"; cents: number; items: { at: number; cents: number }[] }
  | { type: "last_order"; at: number | null }
  | { type: "customer"; tags: string[]; acceptsMarketing: boolean; createdAt: number };

export interface Timeline {
  value: boolean;
  /** Future flips, in time order. */
  changes: { at: number; value: boolean }[];
  /** Past this instant the facts read do not say (a truncated list): re-check by then. */
  horizon: number | null;
  /** Products that make this condition hold (empty when it does not hold or is not about products). */
  products: string[];
}

export interface Evaluation {
  member: boolean;
  /** When the rule's value changes if nothing new happens: a member's expiry, a non-member's scheduled entry. */
  nextChangeAt: number | null;
  triggeredProducts: string[];
}

const STATIC = (value: boolean): Timeline => ({ value, changes: [], horizon: null, products: [] });

/** How many of the newest item times a windowed count needs: its value flips only when the count passes value or value + 1. */
export function timesNeeded(condition: Condition): number {
  switch (condition.kind) {
    case "product_activity":
    case "order_count":
    case "codes_issued":
      return condition.value + 1;
    case "placed_order":
    case "issued_from_pool":
    case "redeemed_from_pool":
      return 1;
    default:
      return 0;
  }
}

/** Whether a product-activity condition is satisfied by activity (so its products are why the customer matched). */
export function countsTowardProducts(op: CompareOp, value: number): boolean {
  return op === "more_than" || op === "at_least" || (op === "exactly" && value > 0);
}

/**
 * A count in a window only falls as time passes: the item at times[i - 1] (i-th newest) leaves at
 * times[i - 1] + window, leaving i - 1. Older items than the ones read cannot flip the value (see timesNeeded).
 */
export function countTimeline(
  op: CompareOp,
  expected: number,
  fact: { count: number; times: number[] },
  window: number | null,
): Timeline {
  const value = compare(op, fact.count, expected);
  const timeline: Timeline = { value, changes: [], horizon: null, products: [] };
  if (window === null) return timeline;
  let previous = value;
  for (let i = Math.min(fact.count, fact.times.length); i >= 1; i--) {
    const next = compare(op, i - 1, expected);
    if (next !== previous) {
      timeline.changes.push({ at: fact.times[i - 1]! + window, value: next });
      previous = next;
    }
  }
  return timeline;
}

export function sumTimeline(
  op: CompareOp,
  expectedCents: number,
  fact: { cents: number; items: { at: number; cents: number }[] },
  window: number | null,
): Timeline {
  const value = compare(op, fact.cents, expectedCents);
  const timeline: Timeline = { value, changes: [], horizon: null, products: [] };
  if (window === null) return timeline;
  let running = fact.cents;
  let previous = value;
  for (const item of fact.items) {
    running -= item.cents;
    const next = compare(op, running, expectedCents);
    if (next !== previous) {
      timeline.changes.push({ at: item.at + window, value: next });
      previous = next;
    }
  }
  if (fact.items.length >= MAX_SUM_ITEMS) timeline.horizon = fact.items[fact.items.length - 1]!.at + window;
  return timeline;
}

/** A value that depends on the clock only: evaluated now and at each instant it may flip. */
export function clockTimeline(now: number, holds: (at: number) => boolean, candidates: number[]): Timeline {
  const value = holds(now);
  const timeline: Timeline = { value, changes: [], horizon: null, products: [] };
  let previous = value;
  for (const at of [...candidates].filter((c) => c > now).sort((a, b) => a - b)) {
    const next = holds(at);
    if (next !== previous) {
      timeline.changes.push({ at, value: next });
      previous = next;
    }
  }
  return timeline;
}

function expectCount(fact: ConditionFact): { count: number; times: number[]; products: string[] } {
  return fact.type === "count" ? fact : { count: 0, times: [], products: [] };
}

export function conditionTimeline(condition: Condition, fact: ConditionFact, now: number): Timeline {
  switch (condition.kind) {
    case "product_activity": {
      const counted = expectCount(fact);
      const timeline = countTimeline(condition.op, condition.value, counted, windowMs(condition.window));
      if (timeline.value && countsTowardProducts(condition.op, condition.value)) timeline.products = counted.products;
      return timeline;
    }
    case "order_count":
    case "codes_issued":
      return countTimeline(condition.op, condition.value, expectCount(fact), windowMs(condition.window));
    case "placed_order":
      return countTimeline("at_least", 1, expectCount(fact), windowMs(condition.window));
    case "issued_from_pool":
    case "redeemed_from_pool":
      return countTimeline(condition.has ? "at_least" : "less_than", 1, expectCount(fact), windowMs(condition.window));
    case "total_spent": {
      const summed = fact.type === "sum" ? fact : { cents: 0, items: [] };
      return sumTimeline(condition.op, Math.round(condition.amount * 100), summed, windowMs(condition.window));
    }
    case "days_since_last_order": {
      const last = fact.type === "last_order" ? fact.at : null;
      if (last === null) return STATIC(false);
      const holds = (at: number) => compare(condition.op, Math.floor((at - last) / DAY_MS), condition.days);
      return clockTimeline(now, holds, [last + condition.days * DAY_MS, last + (condition.days + 1) * DAY_MS]);
    }
    case "customer_tags": {
      const tags = new Set(fact.type === "customer" ? fact.tags.map((t) => t.trim().toLowerCase()) : []);
      const wanted = condition.tags.map((t) => t.trim().toLowerCase());
      if (condition.match === "any") return STATIC(wanted.some((t) => tags.has(t)));
      if (condition.match === "all") return STATIC(wanted.every((t) => tags.has(t)));
      return STATIC(!wanted.some((t) => tags.has(t)));
    }
    case "marketing_consent":
      return STATIC(fact.type === "customer" && fact.acceptsMarketing === condition.subscribed);
    case "customer_created": {
      if (fact.type !== "customer") return STATIC(false);
      const created = fact.createdAt;
      if ("date" in condition) {
        const boundary = Date.parse(`${condition.date}T00:00:00Z`);
        return STATIC(condition.op === "before" ? created < boundary : created >= boundary);
      }
      const threshold = created + condition.days * DAY_MS;
      const holds = condition.op === "within_last" ? (at: number) => at < threshold : (at: number) => at >= threshold;
      return clockTimeline(now, holds, [threshold]);
    }
  }
}

function valueAt(timeline: Timeline, at: number): boolean {
  let value = timeline.value;
  for (const change of timeline.changes) {
    if (change.at > at) break;
    value = change.value;
  }
  return value;
}

/** The timeline of rules.groups[g].conditions[c]. */
export type TimelineOf = (g: number, c: number) => Timeline;

/** The rule's value now (at null) or at a future instant. Written as loops: it runs per customer and segment. */
function ruleValueAt(rules: Rules, timelineOf: TimelineOf, at: number | null): boolean {
  const all = rules.join === "and";
  for (let g = 0; g < rules.groups.length; g++) {
    const group = rules.groups[g]!;
    const every = group.join === "and";
    let groupValue = every;
    for (let c = 0; c < group.conditions.length; c++) {
      const timeline = timelineOf(g, c);
      const value = at === null ? timeline.value : valueAt(timeline, at);
      if (value !== every) {
        groupValue = value;
        break;
      }
    }
    if (groupValue !== all) return groupValue;
  }
  return all;
}

export function evaluateRule(rules: Rules, timelineOf: TimelineOf): Evaluation {
  const member = ruleValueAt(rules, timelineOf, null);
  let instants: number[] | null = null;
  let horizon = Infinity;
  for (let g = 0; g < rules.groups.length; g++) {
    const count = rules.groups[g]!.conditions.length;
    for (let c = 0; c < count; c++) {
      const timeline = timelineOf(g, c);
      if (timeline.changes.length) {
        instants ??= [];
        for (const change of timeline.changes) instants.push(change.at);
      }
      if (timeline.horizon !== null && timeline.horizon < horizon) horizon = timeline.horizon;
    }
  }
  let next = Infinity;
  if (instants) {
    instants.sort((a, b) => a - b);
    for (const at of instants) {
      if (at >= horizon) break;
      if (ruleValueAt(rules, timelineOf, at) !== member) {
        next = at;
        break;
      }
    }
  }
  next = Math.min(next, horizon);
  return {
    member,
    nextChangeAt: Number.isFinite(next) ? next : null,
    triggeredProducts: member ? triggeredProducts(rules, timelineOf) : [],
  };
}

/** Products of the product conditions that hold, in the groups that hold: what made the customer match. */
function triggeredProducts(rules: Rules, timelineOf: TimelineOf): string[] {
  let out: Set<string> | null = null;
  for (let g = 0; g < rules.groups.length; g++) {
    const group = rules.groups[g]!;
    const every = group.join === "and";
    let groupValue = every;
    for (let c = 0; c < group.conditions.length; c++) {
      if (timelineOf(g, c).value !== every) {
        groupValue = !every;
        break;
      }
    }
    if (!groupValue) continue;
    for (let c = 0; c < group.conditions.length; c++) {
      const timeline = timelineOf(g, c);
      if (!timeline.value || timeline.products.length === 0) continue;
      out ??= new Set<string>();
      for (const product of timeline.products) {
        if (out.size >= MAX_TRIGGERED_PRODUCTS) return [...out];
        out.add(product);
      }
    }
  }
  return out ? [...out] : [];
}
