// The rule model: what validates, the messages (and paths) the builder shows next to fields, which changes each rule
// depends on, and the merchant-facing description.
import { describe, expect, it } from "vitest";
import { describeRules } from "../../../app/domain/segments/describe";
import {
  isAffectedBy,
  REASONS,
  ruleDependencies,
  ruleIsTimeDependent,
} from "../../../app/domain/segments/dependencies";
import { conditionKey, parseRules, type Rules, type RulesInput } from "../../../app/domain/segments/rules";

const POOL = "3f0c2a8e-3a0e-4d8e-9d3c-1c2b3a4d5e6f";

function valid(input: RulesInput): Rules {
  const parsed = parseRules(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rules;
}

describe("validating rules", () => {
  it("GIVEN one condition of every kind WHEN parsed THEN all validate, with defaults filled in", () => {
    const rules = valid({
      join: "or",
      groups: [
        {
          join: "and",
          conditions: [
            {
              kind: "product_activity",
              action: "viewed",
              target: { type: "any" },
              op: "at_least",
              value: 3,
              window: { value: 7, unit: "days" },
            },
            {
              kind: "product_activity",
              action: "added_to_cart",
              target: { type: "collections", ids: ["gid://shopify/Collection/1"] },
              op: "exactly",
              value: 1,
            },
            { kind: "order_count", op: "more_than", value: 2, window: null },
            { kind: "total_spent", op: "at_least", amount: 99.5 },
            { kind: "days_since_last_order", op: "at_least", days: 30 },
            { kind: "placed_order", window: { value: 14, unit: "days" }, sources: ["pos"] },
          ],
        },
        {
          join: "or",
          conditions: [
            { kind: "customer_tags", match: "none", tags: ["wholesale"] },
            { kind: "marketing_consent", subscribed: true },
            { kind: "customer_created", op: "within_last", days: 30 },
            { kind: "customer_created", op: "before", date: "2026-01-01" },
            { kind: "codes_issued", poolId: null, op: "at_least", value: 1 },
            { kind: "issued_from_pool", poolId: POOL },
            { kind: "redeemed_from_pool", poolId: POOL, has: false, window: { value: 48, unit: "hours" } },
          ],
        },
      ],
    });
    const [first, second] = rules.groups;
    expect(first!.conditions[1]).toMatchObject({ window: null, groupByRecord: false });
    expect(first!.conditions[5]).toMatchObject({ deliveryTypes: [] });
    expect(second!.conditions[5]).toMatchObject({ has: true, window: null });
  });

  it("GIVEN mistakes in several fields WHEN parsed THEN each gets a message at its path, in the merchant's words", () => {
    const parsed = parseRules({
      join: "and",
      groups: [
        {
          join: "and",
          conditions: [
            {
              kind: "product_activity",
              action: "viewed",
              target: { type: "products", ids: [] },
              op: "at_least",
              value: -1,
              window: { value: 0, unit: "days" },
            },
            { kind: "customer_created", op: "before", date: "31/01/2026" },
            { kind: "issued_from_pool", poolId: "pool one" },
            { kind: "customer_tags", match: "any", tags: ["  "] },
            { kind: "nonsense" },
          ],
        },
        { join: "xor", conditions: [] },
      ],
    });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? {} : Object.fromEntries(parsed.errors.map((e) => [e.path, e.message]));
    expect(errors).toMatchObject({
      "groups.0.conditions.0.target.ids": "Pick at least one product",
      "groups.0.conditions.0.value": "Use 0 or more",
      "groups.0.conditions.0.window.value": "A window is at least 1 hour or day",
      "groups.0.conditions.1.date": "Use a date like 2026-01-31",
      "groups.0.conditions.2.poolId": "Pick a pool",
      "groups.0.conditions.3.tags.0": "Can't be empty",
      "groups.0.conditions.4.kind": "Choose a kind of condition",
      "groups.1.join": "Choose AND or OR",
      "groups.1.conditions": "A group needs at least one condition",
    });
  });

  it("GIVEN windows and counts beyond the limits WHEN parsed THEN they are refused with the limit in the message", () => {
    const parsed = parseRules({
      join: "and",
      groups: [
        {
          join: "and",
          conditions: [
            {
              kind: "product_activity",
              action: "viewed",
              target: { type: "any" },
              op: "at_least",
              value: 5000,
              window: { value: 10_000, unit: "hours" },
            },
          ],
        },
      ],
    });
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { path: "groups.0.conditions.0.value", message: "Use at most 1,000" },
      { path: "groups.0.conditions.0.window.value", message: "A window is at most 8,784 hours or 3,660 days" },
    ]);
    expect(parseRules({ join: "and", groups: [] })).toEqual({
      ok: false,
      errors: [{ path: "groups", message: "Add at least one condition" }],
    });
  });

  it("GIVEN the same condition written with keys in another order WHEN keyed THEN it is one condition", () => {
    const a = valid({
      join: "and",
      groups: [{ join: "and", conditions: [{ kind: "order_count", op: "at_least", value: 2, window: null }] }],
    });
    const b = valid({
      join: "and",
      groups: [{ join: "and", conditions: [{ window: null, value: 2, op: "at_least", kind: "order_count" }] }],
    });
    expect(conditionKey(a.groups[0]!.conditions[0]!)).toBe(conditionKey(b.groups[0]!.conditions[0]!));
  });
});

describe("what a rule depends on", () => {
  const views = valid({
    join: "and",
    groups: [
      {
        join: "and",
        conditions: [
          {
            kind: "product_activity",
            action: "viewed",
            target: { type: "any" },
            op: "at_least",
            value: 1,
            window: null,
          },
        ],
      },
    ],
  });
  const orders = valid({
    join: "and",
    groups: [{ join: "and", conditions: [{ kind: "total_spent", op: "at_least", amount: 10 }] }],
  });
  const codes = valid({
    join: "and",
    groups: [{ join: "and", conditions: [{ kind: "codes_issued", poolId: null, op: "at_least", value: 1 }] }],
  });

  it("GIVEN rules about views, orders and codes WHEN a kind of change arrives THEN only the rules it can affect are re-evaluated; customer changes re-evaluate all", () => {
    expect(ruleDependencies(views)).toBe(REASONS.events);
    expect([
      isAffectedBy(views, REASONS.events),
      isAffectedBy(orders, REASONS.events),
      isAffectedBy(codes, REASONS.events),
    ]).toEqual([true, false, false]);
    expect([
      isAffectedBy(views, REASONS.orders),
      isAffectedBy(orders, REASONS.orders),
      isAffectedBy(codes, REASONS.orders),
    ]).toEqual([false, true, false]);
    expect([
      isAffectedBy(views, REASONS.codes),
      isAffectedBy(orders, REASONS.codes),
      isAffectedBy(codes, REASONS.codes),
    ]).toEqual([false, false, true]);
    expect([views, orders, codes].every((r) => isAffectedBy(r, REASONS.customer))).toBe(true);
  });

  it("GIVEN windowed and all-time rules WHEN asked THEN only rules that time alone can change are time-dependent", () => {
    expect(ruleIsTimeDependent(views)).toBe(false);
    expect(
      ruleIsTimeDependent(
        valid({
          join: "and",
          groups: [{ join: "and", conditions: [{ kind: "days_since_last_order", op: "at_least", days: 3 }] }],
        }),
      ),
    ).toBe(true);
    expect(
      ruleIsTimeDependent(
        valid({
          join: "and",
          groups: [{ join: "and", conditions: [{ kind: "customer_created", op: "since", date: "2026-01-01" }] }],
        }),
      ),
    ).toBe(false);
  });
});

describe("describing rules", () => {
  it("GIVEN groups joined by OR WHEN described THEN the merchant reads the rule with names instead of ids", () => {
    const rules = valid({
      join: "or",
      groups: [
        {
          join: "and",
          conditions: [
            {
              kind: "product_activity",
              action: "viewed",
              target: { type: "products", ids: ["gid://shopify/Product/1"] },
              op: "at_least",
              value: 3,
              window: { value: 7, unit: "days" },
              groupByRecord: true,
            },
            { kind: "customer_tags", match: "any", tags: ["vip"] },
          ],
        },
        { join: "and", conditions: [{ kind: "issued_from_pool", poolId: POOL, has: false }] },
      ],
    });
    expect(
      describeRules(rules, { products: { "gid://shopify/Product/1": "Trail Backpack" }, pools: { [POOL]: "Welcome" } }),
    ).toBe(
      '(Viewed Trail Backpack at least 3 times in the last 7 days (each product once) AND Tagged any of vip) OR Never got a code from "Welcome"',
    );
  });
});
