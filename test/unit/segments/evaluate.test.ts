// The pure engine: counting activity (per event or per product, windows, triggered products), each condition's
// timeline (its value now and when time alone flips it), and a rule's value, next change and triggered products.
import { describe, expect, it } from "vitest";
import {
  countActivity,
  markActivity,
  type ActivityFilter,
  type RawActivity,
} from "../../../app/domain/segments/activity";
import {
  clockTimeline,
  conditionTimeline,
  countTimeline,
  evaluateRule,
  MAX_TRIGGERED_PRODUCTS,
  sumTimeline,
  type Timeline,
} from "../../../app/domain/segments/evaluate";
import { parseRules, type Condition, type RulesInput } from "../../../app/domain/segments/rules";

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.parse("2026-11-01T12:00:00Z");

function condition(input: unknown): Condition {
  const parsed = parseRules({ join: "and", groups: [{ join: "and", conditions: [input] }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rules.groups[0]!.conditions[0]!;
}

function rules(input: RulesInput) {
  const parsed = parseRules(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rules;
}

describe("counting activity", () => {
  const filters: ActivityFilter[] = [
    { topics: ["product_viewed"], target: { type: "any" } },
    { topics: ["product_viewed", "collection_viewed"], target: { type: "collections", ids: ["c1"] } },
    { topics: ["product_added_to_cart"], target: { type: "vendors", values: ["ACME"] } },
  ];
  const products = new Map([
    ["p1", { vendor: "Acme", productType: null, collectionIds: ["c1"] }],
    ["p2", { vendor: "Other", productType: null, collectionIds: [] }],
  ]);
  const raw = (
    at: number,
    topic: string,
    productId: string | null,
    collectionId: string | null = null,
  ): RawActivity => ({
    customerId: "ada",
    at,
    topic,
    productId,
    collectionId,
  });

  it("GIVEN views of variants of one product WHEN counted per event and per record THEN per record counts the product once and keeps its latest time", () => {
    const events = markActivity(
      [
        raw(NOW - 3 * H, "product_viewed", "p1"),
        raw(NOW - 2 * H, "product_viewed", "p2"),
        raw(NOW - H, "product_viewed", "p1"),
      ],
      filters,
      products,
    ).get("ada")!;
    const spec = { word: 0, bit: 1, after: -Infinity, keepTimes: 5, withProducts: true };
    expect(countActivity(events, { ...spec, groupByRecord: false })).toEqual({
      count: 3,
      times: [NOW - H, NOW - 2 * H, NOW - 3 * H],
      products: ["p1", "p2"],
    });
    expect(countActivity(events, { ...spec, groupByRecord: true })).toEqual({
      count: 2,
      times: [NOW - H, NOW - 2 * H],
      products: ["p1", "p2"],
    });
    // Only what is inside the window counts.
    expect(countActivity(events, { ...spec, groupByRecord: true, after: NOW - 90 * 60_000 })).toEqual({
      count: 1,
      times: [NOW - H],
      products: ["p1"],
    });
  });

  it("GIVEN a collection page view, a product in the collection and an add to cart WHEN marked THEN each matches exactly its filters", () => {
    const events = markActivity(
      [
        raw(NOW - H, "collection_viewed", null, "c1"),
        raw(NOW - 2 * H, "product_viewed", "p1"),
        raw(NOW - 3 * H, "product_added_to_cart", "p1"),
        raw(NOW, "product_viewed", "p9"),
      ],
      filters,
      products,
    ).get("ada")!;
    expect(events.map((e) => [e.record, e.mask])).toEqual([
      ["p9", 0b001], // unknown product: any product, no collection
      ["collection:c1", 0b010],
      ["p1", 0b011],
      ["p1", 0b100],
    ]);
  });

  it("GIVEN more than 30 filters WHEN an event matches the 31st THEN it is counted by it and only it", () => {
    const many: ActivityFilter[] = Array.from({ length: 32 }, (_, i) => ({
      topics: ["product_viewed"],
      target: { type: "products", ids: [`p${i}`] },
    }));
    const [event] = markActivity([raw(NOW, "product_viewed", "p31")], many, new Map()).get("ada")!;
    expect(event).toMatchObject({ mask: 0, more: [0b10] });
    expect(
      countActivity([event!], {
        word: 1,
        bit: 0b10,
        after: -Infinity,
        groupByRecord: false,
        keepTimes: 0,
        withProducts: false,
      }).count,
    ).toBe(1);
    expect(
      countActivity([event!], {
        word: 1,
        bit: 0b01,
        after: -Infinity,
        groupByRecord: false,
        keepTimes: 0,
        withProducts: false,
      }).count,
    ).toBe(0);
  });

  it("GIVEN 60 products WHEN products are kept THEN at most the 50 most recent are", () => {
    const events = markActivity(
      Array.from({ length: 60 }, (_, i) => raw(NOW - i * 60_000, "product_viewed", `x${i}`)),
      filters,
      products,
    ).get("ada")!;
    const counted = countActivity(events, {
      word: 0,
      bit: 1,
      after: -Infinity,
      groupByRecord: true,
      keepTimes: 0,
      withProducts: true,
    });
    expect(counted.count).toBe(60);
    expect(counted.products).toHaveLength(MAX_TRIGGERED_PRODUCTS);
    expect(counted.products[0]).toBe("x0");
  });
});

describe("timelines", () => {
  it("GIVEN at least 2 in a 7-day window with 3 items WHEN the timeline is built THEN it holds until the 2nd newest leaves", () => {
    const timeline = countTimeline("at_least", 2, { count: 3, times: [NOW - D, NOW - 2 * D, NOW - 5 * D] }, 7 * D);
    expect(timeline).toMatchObject({ value: true, changes: [{ at: NOW + 5 * D, value: false }] });
  });

  it("GIVEN exactly 1 with 3 items in the window WHEN built THEN it turns true when the 2nd newest leaves and false when the newest does", () => {
    const timeline = countTimeline("exactly", 1, { count: 3, times: [NOW - D, NOW - 2 * D] }, 7 * D);
    expect(timeline.value).toBe(false);
    expect(timeline.changes).toEqual([
      { at: NOW + 5 * D, value: true },
      { at: NOW + 6 * D, value: false },
    ]);
  });

  it("GIVEN all-time counts WHEN built THEN nothing changes with time", () => {
    expect(countTimeline("less_than", 2, { count: 1, times: [] }, null)).toEqual({
      value: true,
      changes: [],
      horizon: null,
      products: [],
    });
  });

  it("GIVEN spent more than 50 in 7 days over three orders WHEN built THEN it flips when the sum falls to 50; a full list sets no horizon", () => {
    const items = [
      { at: NOW - 6 * D, cents: 1000 },
      { at: NOW - 4 * D, cents: 3000 },
      { at: NOW - D, cents: 2000 },
    ];
    expect(sumTimeline("more_than", 5000, { cents: 6000, items }, 7 * D)).toMatchObject({
      value: true,
      changes: [{ at: NOW + D, value: false }],
      horizon: null,
    });
  });

  it("GIVEN a clock threshold WHEN built THEN only future instants that flip the value are kept", () => {
    const timeline = clockTimeline(NOW, (at) => at >= NOW + 10 * D && at < NOW + 20 * D, [
      NOW - D,
      NOW + 10 * D,
      NOW + 20 * D,
    ]);
    expect(timeline.changes).toEqual([
      { at: NOW + 10 * D, value: true },
      { at: NOW + 20 * D, value: false },
    ]);
  });

  it("GIVEN days since the last order at least 30 WHEN the last order was 10 days ago THEN it turns true 20 days from now; never ordered is never true", () => {
    const c = condition({ kind: "days_since_last_order", op: "at_least", days: 30 });
    expect(conditionTimeline(c, { type: "last_order", at: NOW - 10 * D }, NOW)).toMatchObject({
      value: false,
      changes: [{ at: NOW + 20 * D, value: true }],
    });
    expect(conditionTimeline(c, { type: "last_order", at: null }, NOW)).toMatchObject({ value: false, changes: [] });
  });
});

describe("a rule as a whole", () => {
  const t = (value: boolean, changes: Timeline["changes"] = [], products: string[] = []): Timeline => ({
    value,
    changes,
    horizon: null,
    products,
  });

  it("GIVEN A AND B both true WHEN A flips first THEN the member expires when A does", () => {
    const r = rules({
      join: "and",
      groups: [
        {
          join: "and",
          conditions: [
            { kind: "marketing_consent", subscribed: true },
            { kind: "marketing_consent", subscribed: true },
          ],
        },
      ],
    });
    const lines = [[t(true, [{ at: NOW + D, value: false }]), t(true, [{ at: NOW + 2 * D, value: false }])]];
    expect(evaluateRule(r, (g, c) => lines[g]![c]!)).toEqual({
      member: true,
      nextChangeAt: NOW + D,
      triggeredProducts: [],
    });
  });

  it("GIVEN A OR B WHEN A flips false but B is still true THEN the rule only stops when B does", () => {
    const r = rules({
      join: "and",
      groups: [
        {
          join: "or",
          conditions: [
            { kind: "marketing_consent", subscribed: true },
            { kind: "marketing_consent", subscribed: true },
          ],
        },
      ],
    });
    const lines = [
      [t(true, [{ at: NOW + D, value: false }], ["a"]), t(true, [{ at: NOW + 3 * D, value: false }], ["b"])],
    ];
    expect(evaluateRule(r, (g, c) => lines[g]![c]!)).toEqual({
      member: true,
      nextChangeAt: NOW + 3 * D,
      triggeredProducts: ["a", "b"],
    });
  });

  it("GIVEN two groups joined by OR WHEN only the second holds THEN only its products are triggered", () => {
    const r = rules({
      join: "or",
      groups: [
        {
          join: "and",
          conditions: [
            { kind: "marketing_consent", subscribed: true },
            { kind: "marketing_consent", subscribed: true },
          ],
        },
        { join: "and", conditions: [{ kind: "marketing_consent", subscribed: true }] },
      ],
    });
    const lines = [[t(true, [], ["from-failed-group"]), t(false)], [t(true, [], ["p2"])]];
    expect(evaluateRule(r, (g, c) => lines[g]![c]!)).toEqual({
      member: true,
      nextChangeAt: null,
      triggeredProducts: ["p2"],
    });
  });

  it("GIVEN a non-member whose false condition turns true later WHEN evaluated THEN the next change is that scheduled entry", () => {
    const r = rules({
      join: "and",
      groups: [{ join: "and", conditions: [{ kind: "marketing_consent", subscribed: true }] }],
    });
    expect(evaluateRule(r, () => t(false, [{ at: NOW + 4 * D, value: true }]))).toEqual({
      member: false,
      nextChangeAt: NOW + 4 * D,
      triggeredProducts: [],
    });
  });
});
