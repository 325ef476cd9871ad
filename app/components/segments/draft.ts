// The rule builder's working copy of a segment's rules: every field as the merchant typed it (numbers stay text
// until saved, so a half-typed value is never lost), turned into the rule model's input on save. The server
// validates with the domain's parseRules and answers with errors keyed by the same paths the builder renders.
import type { CompareOp, Condition, ConditionKind, Rules, RulesInput } from "../../domain/segments/rules";

export type WindowDraft = { mode: "ever" | "last"; value: string; unit: "hours" | "days" };
export type TargetType = "any" | "products" | "collections" | "vendors" | "product_types";

export interface ConditionDraft {
  kind: ConditionKind;
  action: "viewed" | "added_to_cart";
  targetType: TargetType;
  /** Products, collections, vendors, types, tags, sources: whichever the kind picks from. */
  picked: string[];
  /** Delivery types (placed_order only; its sources are in `picked`). */
  picked2: string[];
  op: CompareOp;
  value: string;
  window: WindowDraft;
  groupByRecord: boolean;
  match: "any" | "all" | "none";
  flag: boolean;
  createdOp: "within_last" | "more_than_ago" | "before" | "since";
  date: string;
  poolId: string;
}

export interface GroupDraft {
  join: "and" | "or";
  conditions: ConditionDraft[];
}

export interface RulesDraft {
  join: "and" | "or";
  groups: GroupDraft[];
}

export const KIND_LABELS: Record<ConditionKind, string> = {
  product_activity: "Viewed or added to cart",
  order_count: "Number of orders",
  total_spent: "Total spent",
  days_since_last_order: "Days since last order",
  placed_order: "Placed an order",
  customer_tags: "Customer tags",
  marketing_consent: "Marketing consent",
  customer_created: "Customer created",
  codes_issued: "Number of codes received",
  issued_from_pool: "Received a code from a pool",
  redeemed_from_pool: "Redeemed a code from a pool",
};

export const KIND_SECTIONS: { title: string; kinds: ConditionKind[] }[] = [
  { title: "Product activity", kinds: ["product_activity"] },
  { title: "Orders", kinds: ["order_count", "total_spent", "days_since_last_order", "placed_order"] },
  { title: "Customer", kinds: ["customer_tags", "marketing_consent", "customer_created"] },
  { title: "Promo codes", kinds: ["codes_issued", "issued_from_pool", "redeemed_from_pool"] },
];

export function newCondition(kind: ConditionKind = "product_activity"): ConditionDraft {
  return {
    kind,
    action: "viewed",
    targetType: "any",
    picked: [],
    picked2: [],
    op: "at_least",
    value: kind === "total_spent" ? "100" : kind === "days_since_last_order" ? "30" : "1",
    window: {
      mode: kind === "product_activity" || kind === "placed_order" ? "last" : "ever",
      value: "7",
      unit: "days",
    },
    groupByRecord: false,
    match: "any",
    flag: true,
    createdOp: "within_last",
    date: "",
    poolId: "",
  };
}

export function newGroup(): GroupDraft {
  return { join: "and", conditions: [newCondition()] };
}

export const EMPTY_RULES: RulesDraft = { join: "and", groups: [newGroup()] };

/** Text to number; empty or unreadable text becomes NaN, which validation reports as "Enter a number". */
function num(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text.replace(",", "."));
}

function windowOf(w: WindowDraft) {
  return w.mode === "ever" ? null : { value: num(w.value), unit: w.unit };
}

export function conditionInput(d: ConditionDraft): RulesInput["groups"][number]["conditions"][number] {
  switch (d.kind) {
    case "product_activity": {
      const target =
        d.targetType === "any"
          ? { type: "any" as const }
          : d.targetType === "products" || d.targetType === "collections"
            ? { type: d.targetType, ids: d.picked }
            : { type: d.targetType, values: d.picked };
      return {
        kind: d.kind,
        action: d.action,
        target,
        op: d.op,
        value: num(d.value),
        window: windowOf(d.window),
        groupByRecord: d.groupByRecord,
      };
    }
    case "order_count":
      return { kind: d.kind, op: d.op, value: num(d.value), window: windowOf(d.window) };
    case "total_spent":
      return { kind: d.kind, op: d.op, amount: num(d.value), window: windowOf(d.window) };
    case "days_since_last_order":
      return { kind: d.kind, op: d.op, days: num(d.value) };
    case "placed_order":
      return { kind: d.kind, window: windowOf(d.window), sources: d.picked, deliveryTypes: d.picked2 };
    case "customer_tags":
      return { kind: d.kind, match: d.match, tags: d.picked };
    case "marketing_consent":
      return { kind: d.kind, subscribed: d.flag };
    case "customer_created":
      return d.createdOp === "before" || d.createdOp === "since"
        ? { kind: d.kind, op: d.createdOp, date: d.date }
        : { kind: d.kind, op: d.createdOp, days: num(d.value) };
    case "codes_issued":
      return { kind: d.kind, poolId: d.poolId || null, op: d.op, value: num(d.value), window: windowOf(d.window) };
    case "issued_from_pool":
    case "redeemed_from_pool":
      return { kind: d.kind, poolId: d.poolId, has: d.flag, window: windowOf(d.window) };
  }
}

export function rulesInput(draft: RulesDraft): RulesInput {
  return {
    join: draft.join,
    groups: draft.groups.map((g) => ({ join: g.join, conditions: g.conditions.map(conditionInput) })),
  };
}

function draftWindow(w: { value: number; unit: "hours" | "days" } | null): WindowDraft {
  return w ? { mode: "last", value: String(w.value), unit: w.unit } : { mode: "ever", value: "7", unit: "days" };
}

/** The builder's copy of stored (valid) rules, for editing. */
export function draftOf(rules: Rules): RulesDraft {
  return {
    join: rules.join,
    groups: rules.groups.map((g) => ({ join: g.join, conditions: g.conditions.map(conditionDraft) })),
  };
}

function conditionDraft(c: Condition): ConditionDraft {
  const d = newCondition(c.kind);
  switch (c.kind) {
    case "product_activity":
      return {
        ...d,
        action: c.action,
        targetType: c.target.type,
        picked: c.target.type === "any" ? [] : "ids" in c.target ? c.target.ids : c.target.values,
        op: c.op,
        value: String(c.value),
        window: draftWindow(c.window),
        groupByRecord: c.groupByRecord,
      };
    case "order_count":
      return { ...d, op: c.op, value: String(c.value), window: draftWindow(c.window) };
    case "total_spent":
      return { ...d, op: c.op, value: String(c.amount), window: draftWindow(c.window) };
    case "days_since_last_order":
      return { ...d, op: c.op, value: String(c.days) };
    case "placed_order":
      return { ...d, window: draftWindow(c.window), picked: c.sources, picked2: c.deliveryTypes };
    case "customer_tags":
      return { ...d, match: c.match, picked: c.tags };
    case "marketing_consent":
      return { ...d, flag: c.subscribed };
    case "customer_created":
      return "date" in c ? { ...d, createdOp: c.op, date: c.date } : { ...d, createdOp: c.op, value: String(c.days) };
    case "codes_issued":
      return { ...d, poolId: c.poolId ?? "", op: c.op, value: String(c.value), window: draftWindow(c.window) };
    case "issued_from_pool":
    case "redeemed_from_pool":
      return { ...d, poolId: c.poolId, flag: c.has, window: draftWindow(c.window) };
  }
}

/** The error for a field of condition (g, c), or for anything below it ("target.ids", "window.value"). */
export function fieldError(
  errors: Record<string, string> | null | undefined,
  g: number,
  c: number,
  ...fields: string[]
): string | undefined {
  if (!errors) return undefined;
  const base = `rules.groups.${g}.conditions.${c}`;
  for (const field of fields) {
    const path = field ? `${base}.${field}` : base;
    for (const [key, message] of Object.entries(errors)) if (key === path || key.startsWith(`${path}.`)) return message;
  }
  return undefined;
}
