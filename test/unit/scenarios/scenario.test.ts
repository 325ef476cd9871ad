import { describe, expect, it } from "vitest";
import {
  cancellationBy,
  checkOrderLimits,
  orderSourceOf,
  ScenarioSettings,
  successBy,
  taskDueAt,
  type FollowUp,
  type ScenarioSettingsInput,
  type TaskFacts,
} from "../../../app/domain/scenarios/scenario";

const POOL = "11111111-1111-4111-8111-111111111111";
const TEMPLATE = "22222222-2222-4222-8222-222222222222";

function settings(overrides: Partial<ScenarioSettingsInput> = {}) {
  return ScenarioSettings.safeParse({
    name: "Thank-you code",
    trigger: "order_paid",
    actions: [
      { type: "generate_code", poolId: POOL },
      { type: "send_message", templateId: TEMPLATE },
    ],
    ...overrides,
  });
}

function messages(result: ReturnType<typeof settings>): string[] {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("scenario settings", () => {
  it("GIVEN only the essentials WHEN parsed THEN the defaults are once per order, no delay, inactive", () => {
    const result = settings();
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data).toMatchObject({
      active: false,
      oncePerOrder: true,
      oncePerUser: false,
      delay: { value: 0, unit: "minute" },
      cancelConditions: [],
      success: null,
    });
  });

  it("GIVEN a message before the code generation WHEN parsed THEN it is refused", () => {
    const result = settings({
      actions: [
        { type: "send_message", templateId: TEMPLATE },
        { type: "generate_code", poolId: POOL },
      ],
    });
    expect(messages(result)).toContain("actions: Generate the code before the message that sends it");
  });

  it("GIVEN a max price under the min price WHEN parsed THEN the max field carries the error", () => {
    const result = settings({ limits: { minOrderPrice: 100, maxOrderPrice: 50 } });
    expect(messages(result)).toContain("limits.maxOrderPrice: Maximum is below the minimum");
  });

  it("GIVEN a customer-created trigger WHEN order limits or order conditions are set THEN they are refused", () => {
    const result = settings({
      trigger: "customer_created",
      limits: { minOrderPrice: 10 },
      cancelConditions: ["order_cancelled"],
      success: { conditions: ["order_review"], wait: { value: 3, unit: "day" } },
    });
    expect(messages(result)).toEqual(
      expect.arrayContaining([
        "limits: Order limits need an order trigger",
        "cancelConditions: Only “new order” applies without a trigger order",
        "success.conditions: A review needs a trigger order",
      ]),
    );
  });

  it("GIVEN no actions, a bad unit and a negative delay WHEN parsed THEN each is reported", () => {
    const result = settings({ actions: [], delay: { value: -1, unit: "year" as never } });
    expect(messages(result)).toEqual(
      expect.arrayContaining(["actions: Add at least one action", "delay.value: Can't be negative", "delay.unit: Pick minute, hour, day, week or month"]),
    );
  });
});

describe("order limits", () => {
  const limits = { orderSources: ["web", "mobile_app"], deliveryTypes: ["shipping"], minOrderPrice: 20, maxOrderPrice: 200 } as const;
  const base = { sourceName: "web", deliveryType: "shipping", totalPrice: 50 };

  it("GIVEN an order inside every limit WHEN checked THEN it passes", () => {
    expect(checkOrderLimits({ ...limits, orderSources: [...limits.orderSources], deliveryTypes: [...limits.deliveryTypes] }, base)).toEqual({ ok: true });
  });

  it.each([
    [{ sourceName: "pos" }, "order source pos"],
    [{ deliveryType: "pickup" }, "delivery type pickup"],
    [{ totalPrice: 19.99 }, "below 20"],
    [{ totalPrice: 200.01 }, "above 200"],
  ])("GIVEN %j WHEN checked THEN it is skipped because %s", (change, reason) => {
    const result = checkOrderLimits({ ...limits, orderSources: [...limits.orderSources], deliveryTypes: [...limits.deliveryTypes] }, { ...base, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it("GIVEN no limits WHEN any order is checked THEN it passes", () => {
    expect(checkOrderLimits({ orderSources: [], deliveryTypes: [], minOrderPrice: null, maxOrderPrice: null }, { sourceName: null, deliveryType: null, totalPrice: 0 })).toEqual({ ok: true });
  });

  it.each([
    ["web", "web"],
    ["pos", "pos"],
    ["iphone", "mobile_app"],
    ["android", "mobile_app"],
    ["shopify_draft_order", "draft_order"],
    ["1234567", "other"],
    [null, "other"],
  ])("maps source_name %s to %s", (sourceName, expected) => {
    expect(orderSourceOf(sourceName)).toBe(expected);
  });
});

describe("task timing and conditions", () => {
  const created = new Date("2026-03-01T10:00:00Z");
  const task: TaskFacts = { customerId: "c1", orderId: "o1", createdAt: created };
  const later = new Date("2026-03-02T10:00:00Z");
  const earlier = new Date("2026-02-28T10:00:00Z");

  it("GIVEN a delay of 2 hours WHEN the task is created THEN it is due 2 hours later", () => {
    expect(taskDueAt(created, { value: 2, unit: "hour" }).toISOString()).toBe("2026-03-01T12:00:00.000Z");
  });

  const cases: [string, FollowUp, string | null][] = [
    ["a new order by the same customer", { type: "order_created", customerId: "c1", orderId: "o2", at: later }, "new_order"],
    ["the trigger order itself arriving again", { type: "order_created", customerId: "c1", orderId: "o1", at: later }, null],
    ["an order by another customer", { type: "order_created", customerId: "c2", orderId: "o3", at: later }, null],
    ["an order placed before the task", { type: "order_created", customerId: "c1", orderId: "o4", at: earlier }, null],
    ["the trigger order cancelled", { type: "order_cancelled", orderId: "o1", at: later }, "order_cancelled"],
    ["another order cancelled", { type: "order_cancelled", orderId: "o9", at: later }, null],
    ["the trigger order fulfilled", { type: "order_fulfilled", orderId: "o1", at: later }, "order_completed"],
    ["a review of the trigger order", { type: "review_created", orderId: "o1", customerId: "c1", at: later }, "order_review"],
    ["a review of another order", { type: "review_created", orderId: "o2", customerId: "c1", at: later }, null],
  ];

  it.each(cases)("GIVEN every cancel condition WHEN %s arrives THEN the task is cancelled by %s", (_label, event, expected) => {
    expect(cancellationBy(["new_order", "order_cancelled", "order_completed", "order_review"], task, event)).toBe(expected);
  });

  it("GIVEN only 'order cancelled' WHEN a new order arrives THEN nothing cancels", () => {
    expect(cancellationBy(["order_cancelled"], task, { type: "order_created", customerId: "c1", orderId: "o2", at: later })).toBeNull();
  });

  it("GIVEN success on a new order or a review WHEN each arrives THEN it is a success; a cancellation is not", () => {
    expect(successBy(["new_order", "order_review"], task, { type: "order_created", customerId: "c1", orderId: "o2", at: later })).toBe("new_order");
    expect(successBy(["new_order", "order_review"], task, { type: "review_created", orderId: "o1", customerId: null, at: later })).toBe("order_review");
    expect(successBy(["new_order", "order_review"], task, { type: "order_cancelled", orderId: "o1", at: later })).toBeNull();
    expect(successBy(["order_review"], task, { type: "order_created", customerId: "c1", orderId: "o2", at: later })).toBeNull();
  });
});
