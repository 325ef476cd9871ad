// Triggers start tasks: which scenarios an event starts, when the task is due, and what stops it from starting
// (inactive, order limits, once per order, once per user, a guest). Redis is away in unit tests, which is the
// outage case: the task rows are stored all the same, for the sweeper to hand to the queue.
import { describe, expect, it } from "vitest";
import type { ScenarioSettingsInput, ScenarioTrigger } from "../../../app/domain/scenarios/scenario";
import { onCustomerCreated, onOrderEvent, onReviewCreated, type OrderEventTopic, type TriggerResult } from "../../../app/services/scenarios/triggers.server";
import { runTask } from "../../../app/services/tasks/run.server";
import { claimTask, releaseLease } from "../../../app/services/tasks/store.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";
import { makeCustomer, makeOrder, makeScenario, minutes } from "./helpers";

async function setup() {
  const shop = await createTestShop();
  const pool = await createPoolWithCodes(shop, ["T-1", "T-2", "T-3"]);
  const scenario = (settings: Partial<ScenarioSettingsInput> = {}) => makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id }], ...settings });
  return { shop, pool, scenario };
}

function started(result: TriggerResult): string[] {
  if (result.type !== "processed") throw new Error(`not processed: ${result.type}`);
  return result.started.map((s) => s.scenarioId);
}

function skipped(result: TriggerResult): string[] {
  if (result.type !== "processed") throw new Error(`not processed: ${result.type}`);
  return result.skipped.map((s) => s.reason);
}

async function tasksOf(shop: TestShop, scenarioId: string) {
  return shop.db.task.findMany({ where: { scenarioId }, orderBy: { createdAt: "asc" } });
}

describe("order triggers", () => {
  const ORDER_TOPICS: [OrderEventTopic, ScenarioTrigger][] = [
    ["orders/create", "order_created"],
    ["orders/paid", "order_paid"],
    ["orders/cancelled", "order_cancelled"],
    ["orders/fulfilled", "order_fulfilled"],
  ];

  for (const [topic, trigger] of ORDER_TOPICS) {
    it(`GIVEN active scenarios on every trigger WHEN ${topic} arrives THEN only the ${trigger} scenario starts a task, for the order's customer, due after its delay`, async () => {
      const { shop, scenario } = await setup();
      const byTrigger = new Map<ScenarioTrigger, string>();
      for (const [, t] of ORDER_TOPICS) byTrigger.set(t, (await scenario({ trigger: t, delay: { value: 2, unit: "hour" } })).id);
      const customer = await makeCustomer(shop);
      const order = await makeOrder(shop, customer.id);
      const at = new Date("2026-11-21T10:00:00Z");

      const result = await onOrderEvent(shop.db, shop.id, topic, order.id, { at, eventKey: "evt-1" });

      expect(started(result)).toEqual([byTrigger.get(trigger)]);
      const [task] = await tasksOf(shop, byTrigger.get(trigger)!);
      expect(task).toMatchObject({ status: "PENDING", customerId: customer.id, orderId: order.id, dueAt: new Date("2026-11-21T12:00:00Z") });
      expect(task?.context).toMatchObject({ trigger, triggeredAt: at.toISOString(), eventKey: "evt-1" });
      expect(await shop.db.task.count()).toBe(1);
    });
  }

  it("GIVEN an order created event without a time WHEN processed later THEN the task is due from when the order was placed", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ trigger: "order_created", delay: { value: 30, unit: "minute" } });
    const customer = await makeCustomer(shop);
    const placedAt = new Date(Date.now() - minutes(10));
    const order = await makeOrder(shop, customer.id, { placedAt });
    await onOrderEvent(shop.db, shop.id, "orders/create", order.id);
    expect((await tasksOf(shop, s.id))[0]?.dueAt).toEqual(new Date(placedAt.getTime() + minutes(30)));
  });

  it("GIVEN a delay in months WHEN triggered on January 31st THEN the task is due on the last day of February", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ delay: { value: 1, unit: "month" } });
    const order = await makeOrder(shop, (await makeCustomer(shop)).id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { at: new Date("2027-01-31T09:30:00Z") });
    expect((await tasksOf(shop, s.id))[0]?.dueAt).toEqual(new Date("2027-02-28T09:30:00Z"));
  });

  it("GIVEN an inactive scenario WHEN its trigger arrives THEN it starts nothing", async () => {
    const { shop, scenario } = await setup();
    const off = await scenario({ active: false });
    const order = await makeOrder(shop, (await makeCustomer(shop)).id);
    expect(started(await onOrderEvent(shop.db, shop.id, "orders/paid", order.id))).toEqual([]);
    expect(await tasksOf(shop, off.id)).toHaveLength(0);
  });

  it("GIVEN a guest order WHEN it triggers a scenario THEN no task starts and the skip says why", async () => {
    const { shop, scenario } = await setup();
    await scenario();
    const order = await makeOrder(shop, null);
    const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    expect(started(result)).toEqual([]);
    expect(skipped(result)).toEqual(["No customer (a guest order): nobody to give a code to"]);
  });

  it("GIVEN an unknown order id WHEN an order event arrives THEN it says so and starts nothing", async () => {
    const { shop, scenario } = await setup();
    await scenario();
    expect(await onOrderEvent(shop.db, shop.id, "orders/paid", "00000000-0000-4000-8000-000000000000")).toEqual({ type: "order_not_found" });
    expect(await shop.db.task.count()).toBe(0);
  });
});

describe("order limits", () => {
  const cases: { name: string; limits: ScenarioSettingsInput["limits"]; order: Parameters<typeof makeOrder>[2]; starts: boolean; reason?: RegExp }[] = [
    { name: "an order source that matches (Shopify's online store)", limits: { orderSources: ["web"] }, order: { sourceName: "web" }, starts: true },
    { name: "another order source (POS)", limits: { orderSources: ["web", "mobile_app"] }, order: { sourceName: "pos" }, starts: false, reason: /order source pos/ },
    { name: "a mobile app order for a mobile app limit", limits: { orderSources: ["mobile_app"] }, order: { sourceName: "iphone" }, starts: true },
    { name: "a delivery type that matches", limits: { deliveryTypes: ["pickup"] }, order: { deliveryType: "pickup" }, starts: true },
    { name: "another delivery type", limits: { deliveryTypes: ["pickup", "local_delivery"] }, order: { deliveryType: "shipping" }, starts: false, reason: /delivery type shipping/ },
    { name: "no delivery for a shipping limit", limits: { deliveryTypes: ["shipping"] }, order: { deliveryType: null }, starts: false, reason: /delivery type none/ },
    { name: "a total at the minimum", limits: { minOrderPrice: 50 }, order: { total: "50.00" }, starts: true },
    { name: "a total under the minimum", limits: { minOrderPrice: 50 }, order: { total: "49.99" }, starts: false, reason: /below 50/ },
    { name: "a total at the maximum", limits: { maxOrderPrice: 200 }, order: { total: "200.00" }, starts: true },
    { name: "a total over the maximum", limits: { maxOrderPrice: 200 }, order: { total: "200.01" }, starts: false, reason: /above 200/ },
  ];
  for (const c of cases) {
    it(`GIVEN order limits WHEN the order has ${c.name} THEN ${c.starts ? "a task starts" : "no task starts and the skip says why"}`, async () => {
      const { shop, scenario } = await setup();
      const s = await scenario({ limits: c.limits });
      const order = await makeOrder(shop, (await makeCustomer(shop)).id, c.order);
      const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
      expect(started(result)).toEqual(c.starts ? [s.id] : []);
      if (c.reason) expect(skipped(result)[0]).toMatch(c.reason);
    });
  }
});

describe("once per order and once per user", () => {
  it("GIVEN once per order WHEN the trigger arrives again for the same order (a redelivery, or a second event) THEN one task", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerOrder: true });
    const order = await makeOrder(shop, (await makeCustomer(shop)).id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { eventKey: "e1" });
    const again = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { eventKey: "e2" });
    expect(started(again)).toEqual([]);
    expect(skipped(again)).toEqual(["Already started for this order or customer (once per order / once per user)"]);
    expect(await tasksOf(shop, s.id)).toHaveLength(1);
    expect((await tasksOf(shop, s.id))[0]?.dedupeKey).toBe(`scenario:${s.id}:order:${order.id}`);
  });

  it("GIVEN once per order off WHEN two events arrive for the same order THEN two tasks, and a redelivered event still starts one", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerOrder: false });
    const order = await makeOrder(shop, (await makeCustomer(shop)).id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { eventKey: "e1" });
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { eventKey: "e1" });
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id, { eventKey: "e2" });
    expect(await tasksOf(shop, s.id)).toHaveLength(2);
  });

  it("GIVEN once per user WHEN the same customer's second order triggers it THEN no second task, while another customer gets theirs", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerUser: true });
    const ada = await makeCustomer(shop, "Ada");
    const bob = await makeCustomer(shop, "Bob");
    await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id);
    const second = await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, bob.id)).id);
    expect(started(second)).toEqual([]);
    const tasks = await tasksOf(shop, s.id);
    expect(tasks.map((t) => t.customerId).sort()).toEqual([ada.id, bob.id].sort());
    expect(tasks.find((t) => t.customerId === ada.id)?.dedupeKey).toBe(`scenario:${s.id}:user:${ada.id}`);
  });

  it("GIVEN once per user WHEN the customer's task was cancelled before it ran (their order was cancelled) THEN their next order starts one; once a task ran, no more", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerUser: true, delay: { value: 1, unit: "day" }, cancelConditions: ["order_cancelled"] });
    const ada = await makeCustomer(shop, "Ada");
    const cancelled = await makeOrder(shop, ada.id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", cancelled.id);
    await shop.db.order.update({ where: { id: cancelled.id }, data: { cancelledAt: new Date() } });
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", cancelled.id);
    // The cancelled order's own payment seen again (a redelivery, a re-poll) starts nothing.
    expect(started(await onOrderEvent(shop.db, shop.id, "orders/paid", cancelled.id))).toEqual([]);
    expect((await tasksOf(shop, s.id)).map((t) => t.status)).toEqual(["CANCELLED"]);

    const kept = await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id);
    expect(started(kept)).toEqual([s.id]);
    const taskId = kept.type === "processed" ? kept.started[0]!.taskId : "";
    expect(await runTask(shop.db, shop.id, taskId, { now: () => new Date(Date.now() + 2 * 24 * minutes(60)) })).toMatchObject({ type: "executed" });
    expect(started(await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id))).toEqual([]);
    expect((await tasksOf(shop, s.id)).map((t) => t.status)).toEqual(["CANCELLED", "EXECUTED"]);
  });

  it("GIVEN once per user WHEN the customer's task was cancelled after a run had claimed it (it may have issued their code) THEN it still counts", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerUser: true, cancelConditions: ["order_cancelled"] });
    const ada = await makeCustomer(shop, "Ada");
    const order = await makeOrder(shop, ada.id);
    const first = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    const taskId = first.type === "processed" ? first.started[0]!.taskId : "";
    const now = new Date();
    expect(await claimTask(shop.db, shop.id, taskId, { now, dueBy: now, leaseUntil: new Date(now.getTime() + minutes(1)), runner: "died", actions: [] })).not.toBeNull();
    await releaseLease(shop.db, shop.id, taskId);
    await shop.db.order.update({ where: { id: order.id }, data: { cancelledAt: new Date() } });
    await onOrderEvent(shop.db, shop.id, "orders/cancelled", order.id);
    expect(started(await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id))).toEqual([]);
    expect((await tasksOf(shop, s.id)).map((t) => t.status)).toEqual(["CANCELLED"]);
  });

  it("GIVEN once per user off WHEN the same customer orders twice THEN each order starts a task", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ oncePerUser: false });
    const ada = await makeCustomer(shop);
    await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", (await makeOrder(shop, ada.id)).id);
    expect(await tasksOf(shop, s.id)).toHaveLength(2);
  });
});

describe("customer and review triggers", () => {
  it("GIVEN a customer-created scenario WHEN a customer is created (and the event is redelivered) THEN one task for them, without an order", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ trigger: "customer_created", delay: { value: 1, unit: "day" }, oncePerOrder: false });
    const customer = await makeCustomer(shop);
    const at = new Date("2026-11-21T08:00:00Z");
    expect(started(await onCustomerCreated(shop.db, shop.id, customer.id, { at }))).toEqual([s.id]);
    expect(started(await onCustomerCreated(shop.db, shop.id, customer.id, { at }))).toEqual([]);
    expect(await tasksOf(shop, s.id)).toMatchObject([{ customerId: customer.id, orderId: null, dueAt: new Date("2026-11-22T08:00:00Z") }]);
  });

  it("GIVEN a review-created scenario with a price limit WHEN reviews arrive for a cheap and a dear order THEN only the dear order's review starts a task, for the order's customer", async () => {
    const { shop, scenario } = await setup();
    const s = await scenario({ trigger: "review_created", limits: { minOrderPrice: 100 } });
    const ada = await makeCustomer(shop);
    const cheap = await makeOrder(shop, ada.id, { total: "20.00" });
    const dear = await makeOrder(shop, ada.id, { total: "150.00" });
    const r1 = await shop.db.review.create({ data: { shopId: shop.id, externalId: "r1", orderId: cheap.id, rating: 5 } });
    const r2 = await shop.db.review.create({ data: { shopId: shop.id, externalId: "r2", orderId: dear.id, rating: 4 } });
    expect(started(await onReviewCreated(shop.db, shop.id, r1.id))).toEqual([]);
    expect(started(await onReviewCreated(shop.db, shop.id, r2.id))).toEqual([s.id]);
    expect(await tasksOf(shop, s.id)).toMatchObject([{ customerId: ada.id, orderId: dear.id }]);
    expect((await tasksOf(shop, s.id))[0]?.context).toMatchObject({ reviewId: r2.id, trigger: "review_created" });
  });
});
