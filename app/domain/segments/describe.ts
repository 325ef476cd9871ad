// Rules in the merchant's words, for the segments list and the segment page ("Viewed any product at least 3 times
// in the last 7 days AND Tagged vip"). Names of pools and products come from the caller; ids stand in otherwise.
import type { CompareOp, Condition, ProductTarget, Rules, Window } from "./rules";

export interface Names {
  pools?: Record<string, string>;
  products?: Record<string, string>;
}

const OP_WORDS: Record<CompareOp, string> = {
  more_than: "more than",
  at_least: "at least",
  exactly: "exactly",
  at_most: "at most",
  less_than: "less than",
};

export function opWords(op: CompareOp): string {
  return OP_WORDS[op];
}

function times(n: number): string {
  return n === 1 ? "1 time" : `${n.toLocaleString("en")} times`;
}

export function windowWords(window: Window | null): string {
  if (!window) return "";
  const unit = window.unit === "hours" ? "hour" : "day";
  return window.value === 1 ? ` in the last ${unit}` : ` in the last ${window.value} ${unit}s`;
}

function list(values: string[], max = 3): string {
  if (values.length <= max) return values.join(", ");
  return `${values.slice(0, max).join(", ")} and ${values.length - max} more`;
}

function targetWords(target: ProductTarget, names: Names): string {
  switch (target.type) {
    case "any":
      return "any product";
    case "products":
      return list(target.ids.map((id) => names.products?.[id] ?? id));
    case "collections":
      return `a product in collection ${list(target.ids)}`;
    case "vendors":
      return `a product by ${list(target.values)}`;
    case "product_types":
      return `a product of type ${list(target.values)}`;
  }
}

function poolName(id: string | null, names: Names): string {
  if (id === null) return "any pool";
  if (!names.pools) return `pool ${id.slice(0, 8)}`;
  return names.pools[id] ? `"${names.pools[id]}"` : "a deleted pool";
}

export function describeCondition(condition: Condition, names: Names = {}): string {
  switch (condition.kind) {
    case "product_activity": {
      const verb = condition.action === "viewed" ? "Viewed" : "Added to cart";
      const grouped = condition.groupByRecord ? " (each product once)" : "";
      return `${verb} ${targetWords(condition.target, names)} ${opWords(condition.op)} ${times(condition.value)}${windowWords(condition.window)}${grouped}`;
    }
    case "order_count":
      return `Placed ${opWords(condition.op)} ${condition.value.toLocaleString("en")} order${condition.value === 1 ? "" : "s"}${windowWords(condition.window)}`;
    case "total_spent":
      return `Spent ${opWords(condition.op)} ${condition.amount.toFixed(2)}${windowWords(condition.window)}`;
    case "days_since_last_order":
      return `Last order ${opWords(condition.op)} ${condition.days} day${condition.days === 1 ? "" : "s"} ago`;
    case "placed_order": {
      const from = condition.sources.length ? ` from ${list(condition.sources)}` : "";
      const delivery = condition.deliveryTypes.length ? ` with delivery ${list(condition.deliveryTypes)}` : "";
      return `Placed an order${from}${delivery}${windowWords(condition.window) || " ever"}`;
    }
    case "customer_tags":
      return `${condition.match === "none" ? "Tagged none of" : condition.match === "all" ? "Tagged all of" : "Tagged any of"} ${list(condition.tags)}`;
    case "marketing_consent":
      return condition.subscribed ? "Accepts marketing" : "Does not accept marketing";
    case "customer_created":
      if ("date" in condition)
        return `Customer created ${condition.op === "before" ? "before" : "on or after"} ${condition.date}`;
      if (condition.op === "within_last") return `Customer created in the last ${condition.days} days`;
      return `Customer created ${condition.days} or more days ago`;
    case "codes_issued":
      return `Got ${opWords(condition.op)} ${condition.value.toLocaleString("en")} code${condition.value === 1 ? "" : "s"} from ${poolName(condition.poolId, names)}${windowWords(condition.window)}`;
    case "issued_from_pool":
      return `${condition.has ? "Got" : "Never got"} a code from ${poolName(condition.poolId, names)}${windowWords(condition.window)}`;
    case "redeemed_from_pool":
      return `${condition.has ? "Redeemed" : "Did not redeem"} a code from ${poolName(condition.poolId, names)}${windowWords(condition.window)}`;
  }
}

export function describeRules(rules: Rules, names: Names = {}): string {
  const groups = rules.groups.map((group) => {
    const text = group.conditions.map((c) => describeCondition(c, names)).join(` ${group.join.toUpperCase()} `);
    return rules.groups.length > 1 && group.conditions.length > 1 ? `(${text})` : text;
  });
  return groups.join(` ${rules.join.toUpperCase()} `);
}
