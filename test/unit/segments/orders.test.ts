// Order conditions: number of orders, total spent, days since the last order, placed an order in the last N days,
// order source and delivery type. Cancelled orders do not count; the platform's own counters on the customer row
// (orders before the app was installed) do, for all-time numbers.
import { describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { readFileSync } from "node:fs";
import { DELIVERY_TYPES } from "../../../app/domain/scenarios/scenario";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import { builderOptions } from "../../../app/services/segments/segments.server";
import { createTestShop, type TestShop } from "../../support/shops";
import {
  addCustomer,
  addOrder,
  addSegment,
  DAY,
  evaluate,
  expireAt,
  members,
  membership,
  NOW,
  only,
  transitionsOf,
} from "./helpers";

const days = (value: number) => ({ value, unit: "days" as const });

/** A webhook stored the way intake stores it, for processWebhook. */
async function storeWebhook(shop: TestShop, topic: string, payload: unknown) {
  const event = await shop.db.event.create({
    data: { shopId: shop.id, source: "WEBHOOK", externalId: `${topic}-${Math.random()}`, topic, payload: payload as Prisma.InputJsonValue, occurredAt: new Date() },
  });
  return { shopId: shop.id, eventId: event.id.toString() };
}

async function cancelOrders(shop: Awaited<ReturnType<typeof createTestShop>>, customerId: string) {
  await shop.db.order.updateMany({ where: { customerId }, data: { cancelledAt: new Date(NOW) } });
}

describe("number of orders", () => {
  it("GIVEN at least 2 orders in 30 days WHEN a second order arrives THEN the customer enters; a cancellation takes them out; an aged order lets them go on schedule", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "order_count", op: "at_least", value: 2, window: days(30) }));

    await addOrder(shop, ada, NOW - 20 * DAY);
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
    await addOrder(shop, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 10 * DAY);
    await expireAt(shop, NOW + 10 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);

    await addOrder(shop, bob, NOW - 2 * DAY);
    await addOrder(shop, bob, NOW - DAY);
    await evaluate(shop, [bob], NOW, "orders");
    expect(await members(shop, segment)).toEqual([bob]);
    await cancelOrders(shop, bob);
    await evaluate(shop, [bob], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
    expect(
      (await transitionsOf(shop, segment)).map((t) => `${t.kind}:${t.customerId === ada ? "ada" : "bob"}`),
    ).toEqual(["ENTER:ada", "EXIT:ada", "ENTER:bob", "EXIT:bob"]);
  });

  it("GIVEN more than 3 orders ever WHEN the platform counted orders from before the install THEN those count too", async () => {
    const shop = await createTestShop();
    const veteran = await addCustomer(shop, { ordersCount: 5 });
    const newcomer = await addCustomer(shop, { ordersCount: 1 });
    const segment = await addSegment(shop, only({ kind: "order_count", op: "more_than", value: 3, window: null }));
    await addOrder(shop, newcomer, NOW - DAY);
    await evaluate(shop, [veteran, newcomer], NOW, "orders");
    expect(await members(shop, segment)).toEqual([veteran]);
  });

  it("GIVEN a customers/update webhook with the platform's counters WHEN it is processed THEN the customer row keeps them and all-time order segments count the orders from before the install; a trimmed payload without them keeps them", async () => {
    const shop = await createTestShop();
    const platformId = "gid://shopify/Customer/4400";
    const veteran = { id: 4400, admin_graphql_api_id: platformId, email: "vera@example.com", orders_count: 12, total_spent: "840.50" };
    await processWebhook(await storeWebhook(shop, "customers/update", veteran));
    const row = await shop.db.customer.findFirstOrThrow({ where: { platformId } });
    expect({ orders: row.ordersCount, spent: row.totalSpent.toFixed(2) }).toEqual({ orders: 12, spent: "840.50" });

    // An order's embedded customer is trimmed (no counters): what is stored stays.
    await processWebhook(await storeWebhook(shop, "customers/update", { id: 4400, admin_graphql_api_id: platformId, email: "vera@example.com" }));
    // A counter that does not read is left out, not a failed webhook.
    await processWebhook(await storeWebhook(shop, "customers/update", { ...veteran, orders_count: "many", total_spent: "n/a" }));
    const kept = await shop.db.customer.findFirstOrThrow({ where: { platformId } });
    expect({ orders: kept.ordersCount, spent: kept.totalSpent.toFixed(2) }).toEqual({ orders: 12, spent: "840.50" });

    const loyal = await addSegment(shop, only({ kind: "order_count", op: "more_than", value: 10, window: null }));
    const big = await addSegment(shop, only({ kind: "total_spent", op: "at_least", amount: 500, window: null }));
    await evaluate(shop, [row.id], NOW, "customer");
    expect([await members(shop, loyal), await members(shop, big)]).toEqual([[row.id], [row.id]]);
  });
});

describe("total spent", () => {
  it("GIVEN spent at least 100.00 WHEN orders add up to it THEN the customer enters; cancelling one takes them out", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "total_spent", op: "at_least", amount: 100, window: null }));
    await addOrder(shop, ada, NOW - 3 * DAY, { total: "60.00" });
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
    await addOrder(shop, ada, NOW - DAY, { total: "40.00" });
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([ada]);
    await shop.db.order.updateMany({
      where: { customerId: ada, totalPrice: "40.00" },
      data: { cancelledAt: new Date(NOW) },
    });
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN spent more than 50.00 in the last 7 days WHEN the orders age out one by one THEN the customer leaves when the sum falls to 50.00", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "total_spent", op: "more_than", amount: 50, window: days(7) }));
    await addOrder(shop, ada, NOW - 6 * DAY, { total: "10.00" });
    await addOrder(shop, ada, NOW - 4 * DAY, { total: "30.00" });
    await addOrder(shop, ada, NOW - DAY, { total: "20.00" });
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([ada]);
    // 60 now; 50 once the 10.00 order (6 days ago) leaves: that is when "more than 50" stops holding.
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + DAY);
    await expireAt(shop, NOW + DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN less than 20.00 spent ever WHEN the platform's total says more THEN the customer is out", async () => {
    const shop = await createTestShop();
    const big = await addCustomer(shop, { totalSpent: "250.00" });
    const small = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "total_spent", op: "less_than", amount: 20, window: null }));
    await addOrder(shop, small, NOW - DAY, { total: "19.99" });
    await evaluate(shop, [big, small], NOW, "orders");
    expect(await members(shop, segment)).toEqual([small]);
  });
});

describe("days since the last order", () => {
  it("GIVEN last order at least 30 days ago WHEN 30 days pass after the order THEN the customer enters on schedule; a new order takes them out", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const never = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "days_since_last_order", op: "at_least", days: 30 }));
    await addOrder(shop, ada, NOW - 10 * DAY);
    await evaluate(shop, [ada, never], NOW, "orders");
    // A customer who never ordered has no "days since": not in.
    expect(await members(shop, segment)).toEqual([]);
    expect((await shop.db.segmentRecheck.findFirst({ where: { customerId: ada } }))?.dueAt.getTime()).toBe(
      NOW + 20 * DAY,
    );

    await expireAt(shop, NOW + 20 * DAY + 1);
    expect(await members(shop, segment)).toEqual([ada]);
    await addOrder(shop, ada, NOW + 21 * DAY);
    await evaluate(shop, [ada], NOW + 21 * DAY, "orders");
    expect(await members(shop, segment)).toEqual([]);
    expect((await transitionsOf(shop, segment)).map((t) => t.kind)).toEqual(["ENTER", "EXIT"]);
  });

  it("GIVEN last order at most 7 days ago WHEN day 8 comes THEN the customer leaves on schedule", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "days_since_last_order", op: "at_most", days: 7 }));
    await addOrder(shop, ada, NOW - 2 * DAY);
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([ada]);
    // 7 whole days end 8 days after the order.
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 6 * DAY);
    await expireAt(shop, NOW + 6 * DAY);
    expect(await members(shop, segment)).toEqual([]);
  });
});

describe("placed an order, by source and delivery type", () => {
  it("GIVEN placed an order in the last 14 days WHEN one is placed THEN the customer enters, and leaves 14 days later", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, only({ kind: "placed_order", window: days(14) }));
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
    await addOrder(shop, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "orders");
    expect(await members(shop, segment)).toEqual([ada]);
    await expireAt(shop, NOW + 13 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN a POS order with pickup WHEN customers order on the web or in store THEN only the in-store pickup counts; cancelling it takes them out", async () => {
    const shop = await createTestShop();
    const web = await addCustomer(shop);
    const store = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({ kind: "placed_order", window: days(30), sources: ["POS"], deliveryTypes: ["pickup"] }),
    );
    await addOrder(shop, web, NOW - DAY, { sourceName: "web", deliveryType: "pickup" });
    await addOrder(shop, store, NOW - DAY, { sourceName: "pos", deliveryType: "pickup" });
    await evaluate(shop, [web, store], NOW, "orders");
    expect(await members(shop, segment)).toEqual([store]);
    await cancelOrders(shop, store);
    await evaluate(shop, [store], NOW, "orders");
    expect(await members(shop, segment)).toEqual([]);
    // Re-placed, it ages out with the window.
    await addOrder(shop, store, NOW - 2 * DAY, { sourceName: "pos", deliveryType: "pickup" });
    await evaluate(shop, [store], NOW, "orders");
    expect(await members(shop, segment)).toEqual([store]);
    await expireAt(shop, NOW + 28 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN the builder's delivery types WHEN a segment picks its local delivery option and a Shopify order classified as local delivery is processed THEN the customer enters, under the name scenario limits use too", async () => {
    const shop = await createTestShop();
    const offered = (await builderOptions(shop.db, shop.id)).deliveryTypes;
    expect(offered.every((d) => (DELIVERY_TYPES as readonly string[]).includes(d))).toBe(true);
    const local = offered.find((d) => /local/i.test(d))!;
    const segment = await addSegment(shop, only({ kind: "placed_order", window: null, deliveryTypes: [local] }));
    const order = JSON.parse(readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8")) as Record<string, unknown>;
    await processWebhook(
      await storeWebhook(shop, "orders/create", { ...order, shipping_lines: [{ code: "Zone A", source: "shopify", delivery_category: "LOCAL" }] }),
    );
    const stored = await shop.db.order.findFirstOrThrow();
    expect(stored.deliveryType).toBe("local_delivery");
    await evaluate(shop, [stored.customerId!], NOW, "orders");
    expect(await members(shop, segment)).toEqual([stored.customerId]);
  });
});
