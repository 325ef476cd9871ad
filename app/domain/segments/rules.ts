// The segment rule model: groups of conditions, the conditions joined inside a group by AND or OR and the groups
// joined the same way. Stored as JSON in segments.rules, validated here (the builder, the service and every
// reader go through parseRules), so the engine never meets a rule it cannot evaluate.
import { z } from "zod";

export const COMPARE_OPS = ["more_than", "at_least", "exactly", "at_most", "less_than"] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export const JOINS = ["and", "or"] as const;
export type Join = (typeof JOINS)[number];

/** The most groups and conditions one segment may hold; each condition is a few aggregates in the evaluation. */
export const MAX_GROUPS = 10;
export const MAX_CONDITIONS_PER_GROUP = 20;
/** Counts compare against at most this: the evaluation reads the newest (value + 1) times of a windowed count. */
export const MAX_COUNT = 1000;
export const MAX_PICKED = 100;

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const Window = z
  .object({
    value: z
      .number({ error: "Enter a number of hours or days" })
      .int("Use a whole number")
      .min(1, "A window is at least 1 hour or day"),
    unit: z.enum(["hours", "days"], { error: "Choose hours or days" }),
  })
  .refine((w) => w.value <= (w.unit === "hours" ? 24 * 366 : 3660), {
    path: ["value"],
    message: "A window is at most 8,784 hours or 3,660 days",
  });
export type Window = z.infer<typeof Window>;

/** A window, or null for "ever". */
const OptionalWindow = Window.nullish().transform((w) => w ?? null);

const op = z.enum(COMPARE_OPS, { error: "Choose how to compare" });
const count = z
  .number({ error: "Enter a number" })
  .int("Use a whole number")
  .min(0, "Use 0 or more")
  .max(MAX_COUNT, `Use at most ${MAX_COUNT.toLocaleString("en")}`);
const label = z.string().trim().min(1, "Can't be empty").max(255, "At most 255 characters");
const picked = (what: string) =>
  z
    .array(label)
    .min(1, `Pick at least one ${what}`)
    .max(MAX_PICKED, `Pick at most ${MAX_PICKED} ${what}s`)
    .transform((values) => [...new Set(values)]);
const poolId = z.uuid("Pick a pool");

export const ProductTarget = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("any") }),
    z.object({ type: z.literal("products"), ids: picked("product") }),
    z.object({ type: z.literal("collections"), ids: picked("collection") }),
    z.object({ type: z.literal("vendors"), values: picked("vendor") }),
    z.object({ type: z.literal("product_types"), values: picked("product type") }),
  ],
  { error: "Choose which products count" },
);
export type ProductTarget = z.infer<typeof ProductTarget>;

export const Condition = z.discriminatedUnion(
  "kind",
  [
    /** Viewed / added to cart products matching the target, compared as a count, optionally within a window. */
    z.object({
      kind: z.literal("product_activity"),
      action: z.enum(["viewed", "added_to_cart"], { error: "Choose viewed or added to cart" }),
      target: ProductTarget,
      op,
      value: count,
      window: OptionalWindow,
      /** Count distinct products (views of several variants of one product count once), not events. */
      groupByRecord: z.boolean().default(false),
    }),
    /** Number of orders (not cancelled), ever or within a window. */
    z.object({ kind: z.literal("order_count"), op, value: count, window: OptionalWindow }),
    /** Total spent on orders (not cancelled), ever or within a window, in the shop's currency. */
    z.object({
      kind: z.literal("total_spent"),
      op,
      amount: z
        .number({ error: "Enter an amount" })
        .min(0, "Use 0 or more")
        .max(1_000_000_000, "That amount is too large"),
      window: OptionalWindow,
    }),
    /** Whole days since the last order; never true for a customer who has not ordered. */
    z.object({
      kind: z.literal("days_since_last_order"),
      op,
      days: z
        .number({ error: "Enter a number of days" })
        .int("Use a whole number")
        .min(0, "Use 0 or more")
        .max(3660, "At most 3,660 days"),
    }),
    /** Placed at least one order, optionally within a window, from one of the sources / with one of the delivery types. */
    z.object({
      kind: z.literal("placed_order"),
      window: OptionalWindow,
      sources: z.array(label).max(MAX_PICKED).default([]),
      deliveryTypes: z.array(label).max(MAX_PICKED).default([]),
    }),
    z.object({
      kind: z.literal("customer_tags"),
      match: z.enum(["any", "all", "none"], { error: "Choose any, all or none" }),
      tags: picked("tag"),
    }),
    z.object({ kind: z.literal("marketing_consent"), subscribed: z.boolean({ error: "Choose subscribed or not" }) }),
    /** When the customer was created on the platform (or first seen by the app). */
    z.discriminatedUnion(
      "op",
      [
        z.object({
          kind: z.literal("customer_created"),
          op: z.enum(["within_last", "more_than_ago"]),
          days: z
            .number({ error: "Enter a number of days" })
            .int("Use a whole number")
            .min(1, "Use 1 or more")
            .max(36600, "That is too long ago"),
        }),
        z.object({
          kind: z.literal("customer_created"),
          op: z.enum(["before", "since"]),
          date: z.iso.date("Use a date like 2026-01-31"),
        }),
      ],
      { error: "Choose when the customer was created" },
    ),
    /** Codes given out (initial issues, not reissues) from any pool or one pool, ever or within a window. */
    z.object({
      kind: z.literal("codes_issued"),
      poolId: poolId.nullable().default(null),
      op,
      value: count,
      window: OptionalWindow,
    }),
    z.object({ kind: z.literal("issued_from_pool"), poolId, has: z.boolean().default(true), window: OptionalWindow }),
    z.object({ kind: z.literal("redeemed_from_pool"), poolId, has: z.boolean().default(true), window: OptionalWindow }),
  ],
  { error: "Choose a kind of condition" },
);
export type Condition = z.infer<typeof Condition>;
export type ConditionKind = Condition["kind"];

export const CONDITION_KINDS = [
  "product_activity",
  "order_count",
  "total_spent",
  "days_since_last_order",
  "placed_order",
  "customer_tags",
  "marketing_consent",
  "customer_created",
  "codes_issued",
  "issued_from_pool",
  "redeemed_from_pool",
] as const satisfies readonly ConditionKind[];

export const Group = z.object({
  join: z.enum(JOINS, { error: "Choose AND or OR" }),
  conditions: z
    .array(Condition)
    .min(1, "A group needs at least one condition")
    .max(MAX_CONDITIONS_PER_GROUP, `A group holds at most ${MAX_CONDITIONS_PER_GROUP} conditions`),
});
export type Group = z.infer<typeof Group>;

export const Rules = z.object({
  join: z.enum(JOINS, { error: "Choose AND or OR" }),
  groups: z.array(Group).min(1, "Add at least one condition").max(MAX_GROUPS, `At most ${MAX_GROUPS} groups`),
});
export type Rules = z.infer<typeof Rules>;
export type RulesInput = z.input<typeof Rules>;

export interface RuleError {
  /** Dotted path into the rules, as the builder names its fields: "groups.0.conditions.1.value". */
  path: string;
  message: string;
}

export type ParsedRules = { ok: true; rules: Rules } | { ok: false; errors: RuleError[] };

export function parseRules(input: unknown): ParsedRules {
  const parsed = Rules.safeParse(input);
  if (parsed.success) return { ok: true, rules: parsed.data };
  const errors: RuleError[] = [];
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join(".");
    if (seen.has(path)) continue; // the first problem per field is the one to fix first
    seen.add(path);
    errors.push({ path, message: issue.message });
  }
  return { ok: false, errors };
}

const TARGET_RESOURCE = { products: "Product", collections: "Collection" } as const;

/**
 * Product and collection targets name ids, and events are matched by id: a name typed into the picker ("Trail
 * Runner") would be saved and never match anything. Checked when a segment is saved (stored rules are read as they
 * are). Ids are digits or GIDs of their kind; digits become GIDs on a Shopify store, whose events carry GIDs.
 */
export function checkTargetIds(rules: Rules, platform: string): { rules: Rules } | { errors: RuleError[] } {
  const errors: RuleError[] = [];
  const groups = rules.groups.map((group, g) => ({
    ...group,
    conditions: group.conditions.map((condition, c) => {
      if (condition.kind !== "product_activity" || (condition.target.type !== "products" && condition.target.type !== "collections")) return condition;
      const resource = TARGET_RESOURCE[condition.target.type];
      const what = resource === "Product" ? "product" : "collection";
      const id = new RegExp(`^(?:\\d{1,30}|gid://shopify/${resource}/\\d{1,30})$`);
      const bad = condition.target.ids.find((v) => !id.test(v));
      if (bad !== undefined) {
        errors.push({
          path: `groups.${g}.conditions.${c}.target`,
          message: `“${bad}” is not a ${what} id: pick a ${what} from the list, or type its id (a number or gid://shopify/${resource}/…)`,
        });
        return condition;
      }
      const ids = platform === "SHOPIFY" ? condition.target.ids.map((v) => (/^\d+$/.test(v) ? `gid://shopify/${resource}/${v}` : v)) : condition.target.ids;
      return { ...condition, target: { ...condition.target, ids: [...new Set(ids)] } };
    }),
  }));
  return errors.length ? { errors } : { rules: { ...rules, groups } };
}

export function windowMs(window: Window | null): number | null {
  if (!window) return null;
  return window.value * (window.unit === "hours" ? HOUR_MS : DAY_MS);
}

export function compare(op: CompareOp, actual: number, expected: number): boolean {
  switch (op) {
    case "more_than":
      return actual > expected;
    case "at_least":
      return actual >= expected;
    case "exactly":
      return actual === expected;
    case "at_most":
      return actual <= expected;
    case "less_than":
      return actual < expected;
  }
}

/** A stable text for a condition, so identical conditions in several segments are evaluated once. */
export function conditionKey(condition: Condition): string {
  return canonicalJson(condition);
}

/** Stable text for a whole rule tree: two trees are the same rules exactly when their keys are equal. */
export function rulesKey(rules: Rules): string {
  return canonicalJson(rules);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
