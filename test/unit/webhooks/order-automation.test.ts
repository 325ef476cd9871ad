// Order webhooks feed the rest of the loop: our codes in the order are redeemed, and scenarios get their tasks.
import { readFileSync } from "node:fs";
import type { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { redemptionTotals } from "../../../app/services/redemptions.server";
import { results } from "../../../app/services/results.server";
import { createScenario } from "../../../app/services/scenarios/scenarios.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

const ORDER = JSON.parse(readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8")) as Record<string, unknown>;
const CUSTOMER = JSON.parse(readFileSync("test/fixtures/shopify/customer.rest-fixture.json", "utf8")) as Record<string, unknown>;

async function deliver(shop: TestShop, topic: string, payload: unknown, occurredAt = new Date()) {
  const event = await shop.db.event.create({
    data: { shopId: shop.id, source: "WEBHOOK", externalId: `${topic}-${Math.random()}`, topic, payload: payload as Prisma.InputJsonValue, occurredAt },
  });
  return processWebhook({ shopId: shop.id, eventId: event.id.toString() });
}

describe("order webhooks close the loop", () => {
  it("GIVEN a code we issued WHEN an order using it arrives (twice) THEN it is redeemed once, with the order's amount", async () => {
    const shop = await createTestShop();
    await deliver(shop, "customers/create", CUSTOMER);
    const customer = await shop.db.customer.findFirstOrThrow();
    const pool = await createPoolWithCodes(shop, ["LOOP-15"]);
    const issued = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer.id, source: "campaign:x" });
    expect(issued.type).toBe("issued");
    const order = { ...ORDER, discount_codes: [{ code: "loop-15", amount: "7.50", type: "percentage" }], total_price: "75.00" };
    await deliver(shop, "orders/create", order);
    await deliver(shop, "orders/paid", order);
    const redemptions = await shop.db.redemption.findMany();
    expect(redemptions).toHaveLength(1);
    expect(redemptions[0]?.amount.toString()).toBe("7.5");
    expect(redemptions[0]?.orderTotal.toString()).toBe("75");
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "LOOP-15" } })).toMatchObject({ status: "REDEEMED" });
  });

  it("GIVEN an active order-paid scenario WHEN orders/paid arrives, a day after the order was placed THEN one task is due a delay after the payment (the webhook's triggered-at), not after processed_at, also on redelivery", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["THANKS-1"]);
    const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Thanks", channel: "EMAIL", body: "{{promoCode}}" } });
    const scenario = await createScenario(shop.db, shop.id, {
      name: "Thank you",
      active: true,
      trigger: "order_paid",
      delay: { value: 1, unit: "hour" },
      actions: [
        { type: "generate_code", poolId: pool.id },
        { type: "send_message", templateId: template.id },
      ],
    });
    expect(scenario.type).toBe("saved");
    const placedAt = "2026-11-19T10:00:00Z";
    const paidAt = new Date("2026-11-20T10:00:00Z");
    const order = { ...ORDER, created_at: placedAt, processed_at: placedAt, financial_status: "paid" };
    await deliver(shop, "orders/paid", order, paidAt);
    await deliver(shop, "orders/paid", order, paidAt);
    const tasks = await shop.db.task.findMany();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.dueAt.toISOString()).toBe("2026-11-20T11:00:00.000Z");
  });

  it("GIVEN an order-fulfilled scenario with a delay WHEN orders/fulfilled is processed two hours after the fulfilment THEN the task is due a delay after the fulfilment, not after the processing", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SHIPPED-1"]);
    const saved = await createScenario(shop.db, shop.id, {
      name: "After delivery",
      active: true,
      trigger: "order_fulfilled",
      delay: { value: 3, unit: "day" },
      actions: [{ type: "generate_code", poolId: pool.id }],
    });
    expect(saved.type).toBe("saved");
    const fulfilledAt = new Date(Date.now() - 2 * 3600_000);
    await deliver(shop, "orders/fulfilled", { ...ORDER, fulfillment_status: "fulfilled", updated_at: fulfilledAt.toISOString() }, fulfilledAt);
    expect((await shop.db.order.findFirstOrThrow()).fulfilledAt).toEqual(fulfilledAt);
    expect((await shop.db.task.findMany()).map((t) => t.dueAt)).toEqual([new Date(fulfilledAt.getTime() + 3 * 24 * 3600_000)]);
  });

  it("GIVEN scenarios limited to Pickup and to Local delivery WHEN Shopify orders whose shipping line is classified pickup, local delivery or neither arrive THEN each scenario starts for its own order only, and an order without shipping lines is no delivery", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["PICK-1", "LOCAL-1"]);
    const scenarioFor = async (deliveryType: "pickup" | "local_delivery") => {
      const saved = await createScenario(shop.db, shop.id, {
        name: deliveryType,
        active: true,
        trigger: "order_created",
        limits: { deliveryTypes: [deliveryType] },
        actions: [{ type: "generate_code", poolId: pool.id }],
      });
      if (saved.type !== "saved") throw new Error(JSON.stringify(saved));
      return saved.scenario.id;
    };
    const pickup = await scenarioFor("pickup");
    const local = await scenarioFor("local_delivery");
    const line = (deliveryCategory: string | null) => [{ code: "Main Street", source: "shopify", delivery_category: deliveryCategory }];
    const orders = [
      { id: 7100001, shipping_lines: line("PICK_UP") },
      { id: 7100002, shipping_lines: line("local") },
      { id: 7100003, shipping_lines: line(null) },
      { id: 7100004, shipping_lines: [] },
    ];
    for (const o of orders) await deliver(shop, "orders/create", { ...ORDER, ...o, admin_graphql_api_id: `gid://shopify/Order/${o.id}` });
    const stored = await shop.db.order.findMany({ orderBy: { platformId: "asc" }, select: { id: true, deliveryType: true } });
    expect(stored.map((o) => o.deliveryType)).toEqual(["pickup", "local_delivery", "shipping", null]);
    const tasks = await shop.db.task.findMany({ select: { scenarioId: true, orderId: true } });
    expect(tasks.filter((t) => t.scenarioId === pickup).map((t) => t.orderId)).toEqual([stored[0]!.id]);
    expect(tasks.filter((t) => t.scenarioId === local).map((t) => t.orderId)).toEqual([stored[1]!.id]);
  });

  it("GIVEN a customers/create webhook WHEN a customer-created scenario is active THEN the new customer gets a task", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["HELLO-1"]);
    await createScenario(shop.db, shop.id, { name: "Welcome", active: true, trigger: "customer_created", actions: [{ type: "generate_code", poolId: pool.id }] });
    await deliver(shop, "customers/create", CUSTOMER);
    const customer = await shop.db.customer.findFirstOrThrow();
    expect((await shop.db.task.findMany()).map((t) => t.customerId)).toEqual([customer.id]);
  });

  it("GIVEN a welcome scenario cancelled by a new order WHEN customers/create is processed after the order the new customer placed at checkout THEN the task is due a delay after the customer was created, and that order cancels it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["WELCOME-1"]);
    const saved = await createScenario(shop.db, shop.id, {
      name: "Welcome",
      active: true,
      trigger: "customer_created",
      delay: { value: 1, unit: "day" },
      cancelConditions: ["new_order"],
      actions: [{ type: "generate_code", poolId: pool.id }],
    });
    expect(saved.type).toBe("saved");
    const createdAt = new Date(Date.now() - 2 * 3600_000);
    const customer = { ...CUSTOMER, created_at: createdAt.toISOString() };
    await deliver(shop, "orders/create", { ...ORDER, customer, created_at: new Date(createdAt.getTime() + 5 * 60_000).toISOString() });
    await deliver(shop, "customers/create", customer);
    const tasks = await shop.db.task.findMany({ select: { dueAt: true, status: true, outcome: true } });
    expect(tasks).toEqual([{ dueAt: new Date(createdAt.getTime() + 24 * 3600_000), status: "CANCELLED", outcome: "New order by the same customer" }]);
  });
  it("GIVEN orders/cancelled already processed WHEN a stale orders/create for the same order is processed after it THEN the order stays cancelled, with the cancellation's financial status", async () => {
    const shop = await createTestShop();
    const cancelledAt = "2026-11-20T12:00:00Z";
    await deliver(shop, "orders/cancelled", { ...ORDER, cancelled_at: cancelledAt, financial_status: "voided" });
    await deliver(shop, "orders/create", { ...ORDER, cancelled_at: null, financial_status: "paid" });
    const order = await shop.db.order.findFirstOrThrow();
    expect(order.cancelledAt?.toISOString()).toBe("2026-11-20T12:00:00.000Z");
    expect(order.financialStatus).toBe("voided");
  });

  it("GIVEN orders/paid already processed WHEN the order's orders/create, older by updated_at, is processed after it THEN the order stays paid; a newer payload still moves it", async () => {
    const shop = await createTestShop();
    await deliver(shop, "orders/paid", { ...ORDER, financial_status: "paid", total_price: "90.00", updated_at: "2026-11-20T12:05:00+01:00" });
    await deliver(shop, "orders/create", { ...ORDER, financial_status: "pending", total_price: "90.00", updated_at: "2026-11-20T12:00:00+01:00" });
    expect(await shop.db.order.findFirstOrThrow()).toMatchObject({ financialStatus: "paid", platformUpdatedAt: new Date("2026-11-20T11:05:00Z") });
    await deliver(shop, "orders/paid", { ...ORDER, financial_status: "partially_refunded", total_price: "90.00", updated_at: "2026-11-21T09:00:00Z" });
    expect(await shop.db.order.findFirstOrThrow()).toMatchObject({ financialStatus: "partially_refunded", platformUpdatedAt: new Date("2026-11-21T09:00:00Z") });
  });

  it("GIVEN a fulfilled order WHEN a later payload of it arrives, fulfilled or not THEN its fulfilment date stays the first one", async () => {
    const shop = await createTestShop();
    await deliver(shop, "orders/fulfilled", { ...ORDER, fulfillment_status: "fulfilled" });
    const first = (await shop.db.order.findFirstOrThrow()).fulfilledAt;
    expect(first).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await deliver(shop, "orders/paid", { ...ORDER, fulfillment_status: "fulfilled" });
    await deliver(shop, "orders/create", { ...ORDER, fulfillment_status: null });
    expect((await shop.db.order.findFirstOrThrow()).fulfilledAt).toEqual(first);
  });
  it("GIVEN an order that redeemed a code we issued WHEN it is cancelled THEN the code is the customer's to use again, results leave the order out, and a stale orders/create does not redeem it again", async () => {
    const shop = await createTestShop();
    await deliver(shop, "customers/create", CUSTOMER);
    const customer = await shop.db.customer.findFirstOrThrow();
    const pool = await createPoolWithCodes(shop, ["BACK-10"]);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer.id, source: "campaign:x" });
    const order = { ...ORDER, discount_codes: [{ code: "BACK-10", amount: "10.00", type: "fixed_amount" }], total_price: "90.00" };
    await deliver(shop, "orders/create", order);
    expect(await results(shop.db, shop.id, { type: "pool", id: pool.id })).toMatchObject({ redeemed: 1, revenue: "90.00" });

    await deliver(shop, "orders/cancelled", { ...order, cancelled_at: "2026-11-20T12:00:00Z", financial_status: "voided" });
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "BACK-10" } })).toMatchObject({ status: "ASSIGNED", customerId: customer.id, redeemedAt: null });
    expect(await results(shop.db, shop.id, { type: "pool", id: pool.id })).toMatchObject({ issued: 1, redeemed: 0, redemptionRate: 0 });
    expect(await redemptionTotals(shop.db, shop.id, { poolId: pool.id })).toMatchObject({ redemptions: 0, revenue: "0" });

    await deliver(shop, "orders/create", order);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "BACK-10" } })).toMatchObject({ status: "ASSIGNED" });
  });

  it("GIVEN a code redeemed by two orders WHEN one of them is cancelled THEN the code stays redeemed by the other", async () => {
    const shop = await createTestShop();
    await deliver(shop, "customers/create", CUSTOMER);
    const customer = await shop.db.customer.findFirstOrThrow();
    const pool = await createPoolWithCodes(shop, ["TWICE-5"]);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer.id, source: "campaign:x" });
    const first = { ...ORDER, discount_codes: [{ code: "TWICE-5", amount: "5.00" }] };
    const second = { ...first, id: 4500001, admin_graphql_api_id: "gid://shopify/Order/4500001", total_price: "40.00" };
    await deliver(shop, "orders/create", first);
    await deliver(shop, "orders/create", second);
    await deliver(shop, "orders/cancelled", { ...first, cancelled_at: "2026-11-20T12:00:00Z" });
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "TWICE-5" } })).toMatchObject({ status: "REDEEMED" });
    expect(await redemptionTotals(shop.db, shop.id, { poolId: pool.id })).toMatchObject({ redemptions: 1, revenue: "40.00" });
  });
});
