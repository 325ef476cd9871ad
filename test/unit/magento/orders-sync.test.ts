import { beforeEach, describe, expect, it, vi } from "vitest";
import { orderSourceOf } from "../../../app/domain/scenarios/scenario";
import { pollMagentoOrders } from "../../../app/services/magento/orders.server";
import { results } from "../../../app/services/results.server";
import { createScenario } from "../../../app/services/scenarios/scenarios.server";
import { requestSegmentEvaluation } from "../../../app/services/segments/triggers.server";
import type * as Triggers from "../../../app/services/segments/triggers.server";
import { adapterFor, createMagentoShop, dynamicSpec, FAST, magento, requestsTo, type MagentoTestShop } from "./helpers";

vi.mock("../../../app/services/segments/triggers.server", async (importOriginal) => ({
  ...(await importOriginal<typeof Triggers>()),
  requestSegmentEvaluation: vi.fn(() => Promise.resolve()),
}));

const evaluations = vi.mocked(requestSegmentEvaluation);
beforeEach(() => evaluations.mockClear());

const poll = (shop: MagentoTestShop, options: Parameters<typeof pollMagentoOrders>[2] = {}) =>
  pollMagentoOrders(shop.db, shop.id, { clientOptions: FAST, ...options });

function place(shop: MagentoTestShop, customerId: number | null, extra: Parameters<MagentoTestShop["store"]["placeOrder"]>[0] extends infer I ? Partial<I> : never = {}) {
  return shop.store.placeOrder({
    customer: customerId === null ? null : { id: customerId, email: `c${customerId}@example.com`, firstname: "C", lastname: String(customerId) },
    lines: [{ sku: "MUG", price: 20 }],
    ...extra,
  });
}

describe("Magento order polling (GET /V1/orders by updated_at)", () => {
  it("GIVEN orders in the store WHEN polled THEN each is stored with its customer and coupon, and the cursor moves to the last one", async () => {
    const shop = await createMagentoShop();
    const ada = place(shop, 7);
    const guest = place(shop, null);
    const result = await poll(shop);
    expect(result).toMatchObject({ type: "polled", fetched: 2, changed: 2, unreadable: 0, caughtUp: true });
    const orders = await shop.db.order.findMany({ orderBy: { platformId: "asc" }, include: { customer: true } });
    expect(orders.map((o) => [o.platformId, o.name, o.customer?.platformId ?? null])).toEqual([
      [String(ada.entity_id), `#${ada.increment_id}`, "7"],
      [String(guest.entity_id), `#${guest.increment_id}`, null],
    ]);
    const connection = await shop.db.platformConnection.findFirstOrThrow();
    expect(connection.ordersSyncedAt?.toISOString().slice(0, 19).replace("T", " ")).toBe(guest.updated_at);
    // Polling found (or created) the customer as well as their order.
    expect(evaluations).toHaveBeenCalledTimes(2);
    expect(evaluations).toHaveBeenCalledWith(shop.id, [orders[0]!.customerId], "orders");
    expect(evaluations).toHaveBeenCalledWith(shop.id, [orders[0]!.customerId], "customer");

    const query = requestsTo(shop, "GET", "/orders").at(-1)!.query as { searchCriteria: { filter_groups: unknown; sort_orders: unknown } };
    expect(query.searchCriteria.sort_orders).toEqual({ 0: { field: "updated_at", direction: "ASC" }, 1: { field: "entity_id", direction: "ASC" } });
  });

  it("GIVEN nothing changed WHEN polled again THEN the look-back re-reads recent orders without counting them as changes", async () => {
    const shop = await createMagentoShop();
    place(shop, 7);
    await poll(shop);
    evaluations.mockClear();
    expect(await poll(shop)).toMatchObject({ type: "polled", fetched: 1, changed: 0 });
    expect(evaluations).not.toHaveBeenCalled();
    expect(await shop.db.order.count()).toBe(1);
  });

  it("GIVEN an order is cancelled in Magento THEN the next poll updates it in place", async () => {
    const shop = await createMagentoShop();
    const order = place(shop, 7);
    await poll(shop);
    shop.store.updateOrder(order.entity_id, { state: "canceled" });
    expect(await poll(shop)).toMatchObject({ changed: 1 });
    const stored = await shop.db.order.findFirstOrThrow();
    expect(stored).toMatchObject({ financialStatus: "voided" });
    expect(stored.cancelledAt).not.toBeNull();
  });

  it("GIVEN more orders in one second than a page holds THEN the keyset (updated_at, entity_id) reads each exactly once", async () => {
    const shop = await createMagentoShop();
    const placed = Array.from({ length: 7 }, (_, i) => place(shop, 100 + i));
    const before = requestsTo(shop, "GET", "/orders").length;
    const result = await poll(shop, { pageSize: 3 });
    expect(result).toMatchObject({ fetched: 7, changed: 7, caughtUp: true });
    expect(requestsTo(shop, "GET", "/orders").length - before).toBe(3);
    expect((await shop.db.order.findMany({ select: { platformId: true } })).map((o) => o.platformId).sort()).toEqual(placed.map((o) => String(o.entity_id)).sort());
  });

  it("GIVEN a run stopped at its page limit THEN a resumed run carries on from the cursor", async () => {
    const shop = await createMagentoShop();
    for (let i = 0; i < 5; i++) place(shop, 200 + i);
    expect(await poll(shop, { pageSize: 2, maxPages: 1 })).toMatchObject({ fetched: 2, caughtUp: false });
    expect(await poll(shop, { pageSize: 2, maxPages: 5, resume: true })).toMatchObject({ changed: 3, caughtUp: true });
    expect(await shop.db.order.count()).toBe(5);
  });

  it("GIVEN the first page arrives and the second fails THEN the stored orders stay, and a later run stores the rest once", async () => {
    const shop = await createMagentoShop();
    for (let i = 0; i < 4; i++) place(shop, 400 + i);
    let calls = 0;
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      if (String(input instanceof Request ? input.url : input).includes("/V1/orders") && ++calls === 2) {
        return Promise.reject(new TypeError("fetch failed: socket hang up"));
      }
      return realFetch(input, init);
    });
    try {
      expect(await poll(shop, { pageSize: 2, clientOptions: { ...FAST, maxRetries: 0 } })).toMatchObject({ type: "failed", retriable: true });
    } finally {
      spy.mockRestore();
    }
    expect(await shop.db.order.count()).toBe(2);
    expect((await shop.db.platformConnection.findFirstOrThrow()).lastError).toMatch(/socket hang up/);

    expect(await poll(shop, { pageSize: 2 })).toMatchObject({ type: "polled", changed: 2, caughtUp: true });
    expect(await shop.db.order.count()).toBe(4);
    expect((await shop.db.platformConnection.findFirstOrThrow()).lastError).toBeNull();
  });

  it("GIVEN the token was revoked THEN the run records why and ends quietly (retrying every minute would not help)", async () => {
    const shop = await createMagentoShop();
    magento().setBearerIntegrationTokens(shop.baseUrl, false);
    const result = await poll(shop);
    expect(result).toMatchObject({ type: "failed", retriable: false, message: expect.stringMatching(/HTTP 401/) });
    expect((await shop.db.platformConnection.findFirstOrThrow()).lastError).toMatch(/Magento_Sales::actions_view/);
  });

  it("GIVEN an unconnected shop THEN there is nothing to poll", async () => {
    const shop = await createMagentoShop({ connect: false });
    expect(await poll(shop)).toEqual({ type: "not_connected" });
  });

  it("GIVEN a dynamic code redeemed at checkout THEN the polled order carries it as a discount code", async () => {
    const shop = await createMagentoShop();
    const spec = dynamicSpec({ startsAt: new Date(Date.now() - 86_400_000), endsAt: new Date(Date.now() + 7 * 86_400_000) });
    expect(await adapterFor(shop).createDynamicCode(spec)).toMatchObject({ type: "created" });
    shop.store.addProduct({ sku: "MUG", price: 20 });
    place(shop, 9, { couponCode: spec.code.toLowerCase() });
    await poll(shop);
    expect(await shop.db.order.findFirstOrThrow()).toMatchObject({ discountCodes: [spec.code] });
  });
});

describe("Magento orders close the loop", () => {
  it("GIVEN a dynamic code issued on Magento WHEN a polled order used it THEN it is redeemed once, and a paid-order scenario starts once across polls", async () => {
    const shop = await createMagentoShop();
    const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "7", email: "c7@example.com" } });
    const day = 86_400_000;
    const spec = dynamicSpec({ startsAt: new Date(Date.now() - day), endsAt: new Date(Date.now() + 7 * day) });
    const created = await adapterFor(shop).createDynamicCode(spec);
    expect(created.type).toBe("created");
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Magento dynamic", kind: "DYNAMIC" } });
    await shop.db.code.create({
      data: { shopId: shop.id, poolId: pool.id, code: spec.code, codeKey: spec.code.toUpperCase(), status: "ASSIGNED", customerId: customer.id },
    });
    const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "T", channel: "EMAIL", body: "hi" } });
    const scenario = await shop.db.scenario.create({
      data: { shopId: shop.id, name: "After payment", active: true, trigger: "order_paid", actions: [{ type: "send_message", templateId: template.id }] },
    });

    const order = place(shop, 7, { couponCode: spec.code });
    shop.store.updateOrder(Number(order.entity_id), { state: "processing" });
    await poll(shop);
    await poll(shop);

    const redemptions = await shop.db.redemption.findMany();
    expect(redemptions).toHaveLength(1);
    expect(Number(redemptions[0]!.amount)).toBeGreaterThan(0);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: spec.code } })).toMatchObject({ status: "REDEEMED" });
    expect(await shop.db.task.count({ where: { scenarioId: scenario.id } })).toBe(1);
  });
  it("GIVEN a polled order that redeemed a code issued to the customer WHEN it is cancelled in Magento THEN the next poll gives the code back to the customer", async () => {
    const shop = await createMagentoShop();
    const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "7", email: "c7@example.com" } });
    const spec = dynamicSpec({ startsAt: new Date(Date.now() - 86_400_000), endsAt: new Date(Date.now() + 86_400_000) });
    expect((await adapterFor(shop).createDynamicCode(spec)).type).toBe("created");
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Magento dynamic", kind: "DYNAMIC" } });
    await shop.db.code.create({
      data: { shopId: shop.id, poolId: pool.id, code: spec.code, codeKey: spec.code.toUpperCase(), status: "ASSIGNED", customerId: customer.id, assignedAt: new Date() },
    });
    const order = place(shop, 7, { couponCode: spec.code });
    await poll(shop);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: spec.code } })).toMatchObject({ status: "REDEEMED" });

    shop.store.updateOrder(Number(order.entity_id), { state: "canceled" });
    await poll(shop);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: spec.code } })).toMatchObject({ status: "ASSIGNED", redeemedAt: null });
    expect(evaluations).toHaveBeenCalledWith(shop.id, [customer.id], "codes");
  });

  it("GIVEN a polled order that redeemed a code we issued WHEN Magento refunds part of it, then the rest THEN each poll stores total_refunded and results count the order net of it; refunded in full (closed) it earns nothing, and the code stays redeemed", async () => {
    const shop = await createMagentoShop();
    const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "7", email: "c7@example.com" } });
    const spec = dynamicSpec({ startsAt: new Date(Date.now() - 86_400_000), endsAt: new Date(Date.now() + 86_400_000) });
    expect((await adapterFor(shop).createDynamicCode(spec)).type).toBe("created");
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Magento dynamic", kind: "DYNAMIC" } });
    const code = await shop.db.code.create({
      data: { shopId: shop.id, poolId: pool.id, code: spec.code, codeKey: spec.code.toUpperCase(), status: "ASSIGNED", customerId: customer.id, assignedAt: new Date() },
    });
    await shop.db.issuance.create({ data: { shopId: shop.id, poolId: pool.id, codeId: code.id, customerId: customer.id, idempotencyKey: "refund-test", source: "campaign:magento" } });
    const order = place(shop, 7, { couponCode: spec.code, lines: [{ sku: "MUG", price: 100 }], shippingAmount: 0 });
    shop.store.updateOrder(Number(order.entity_id), { state: "processing" });
    await poll(shop);
    const gross = (await results(shop.db, shop.id, { type: "pool", id: pool.id })).revenue;
    expect(Number(gross)).toBe(order.grand_total);

    shop.store.refundOrder(Number(order.entity_id), 20);
    expect(await poll(shop)).toMatchObject({ changed: 1 });
    expect((await shop.db.order.findFirstOrThrow()).refundedTotal.toFixed(2)).toBe("20.00");
    expect(Number((await results(shop.db, shop.id, { type: "shop" })).revenue)).toBe(order.grand_total - 20);

    shop.store.refundOrder(Number(order.entity_id), order.grand_total - 20);
    await poll(shop);
    expect(await shop.db.order.findFirstOrThrow()).toMatchObject({ financialStatus: "refunded", cancelledAt: null });
    expect(await results(shop.db, shop.id, { type: "pool", id: pool.id })).toMatchObject({ redeemed: 1, revenue: "0.00" });
    expect(await shop.db.code.findFirstOrThrow({ where: { id: code.id } })).toMatchObject({ status: "REDEEMED" });
  });

  it("GIVEN an order placed at the storefront and one a staff member created in the admin WHEN polled THEN the storefront one is from the web and the admin one an admin-created order, and a scenario limited to web orders starts for the storefront one only", async () => {
    const shop = await createMagentoShop();
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Thanks" } });
    const saved = await createScenario(shop.db, shop.id, {
      name: "Web orders only",
      active: true,
      trigger: "order_created",
      limits: { orderSources: ["web"] },
      actions: [{ type: "generate_code", poolId: pool.id }],
    });
    expect(saved.type).toBe("saved");
    const web = place(shop, 7);
    const admin = place(shop, 8, { createdInAdmin: true });
    await poll(shop);
    const orders = await shop.db.order.findMany({ select: { id: true, platformId: true, sourceName: true } });
    const byId = new Map(orders.map((o) => [o.platformId, o]));
    expect(orderSourceOf(byId.get(String(web.entity_id))?.sourceName)).toBe("web");
    expect(orderSourceOf(byId.get(String(admin.entity_id))?.sourceName)).toBe("draft_order");
    const tasks = await shop.db.task.findMany({ select: { orderId: true, status: true } });
    expect(tasks.filter((t) => t.status !== "CANCELLED").map((t) => t.orderId)).toEqual([byId.get(String(web.entity_id))?.id]);
  });

  it("GIVEN a first poll reading 30 days back WHEN it finds orders placed before the store was connected THEN they are stored and redeem codes, but start no scenario, then or when they change later", async () => {
    const shop = await createMagentoShop();
    const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "7", email: "c7@example.com" } });
    const spec = dynamicSpec({ startsAt: new Date(Date.now() - 20 * DAY), endsAt: new Date(Date.now() + DAY) });
    expect((await adapterFor(shop).createDynamicCode(spec)).type).toBe("created");
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Magento dynamic", kind: "DYNAMIC" } });
    await shop.db.code.create({
      data: { shopId: shop.id, poolId: pool.id, code: spec.code, codeKey: spec.code.toUpperCase(), status: "ASSIGNED", customerId: customer.id, assignedAt: new Date(Date.now() - 20 * DAY) },
    });
    const scenarios = await thankYouScenarios(shop);
    const old = place(shop, 7, { couponCode: spec.code, state: "processing" });
    old.created_at = old.updated_at = magentoTime(new Date(Date.now() - 10 * DAY));

    expect(await poll(shop)).toMatchObject({ type: "polled", fetched: 1, changed: 1 });
    expect(await shop.db.order.count()).toBe(1);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: spec.code } })).toMatchObject({ status: "REDEEMED" });
    expect(await shop.db.task.count({ where: { scenarioId: { in: scenarios } } })).toBe(0);

    // Shipped today: a change after the connection, but the order is still one placed before it.
    shop.store.updateOrder(Number(old.entity_id), { state: "complete" });
    await poll(shop);
    expect(await shop.db.task.count({ where: { scenarioId: { in: scenarios } } })).toBe(0);

    // An order placed since the connection starts them, once each.
    place(shop, 7, { state: "processing" });
    await poll(shop);
    await poll(shop);
    expect(await shop.db.task.count({ where: { scenarioId: { in: scenarios } } })).toBe(2);
  });

  it("GIVEN an order paid before the poll that found it WHEN its paid scenario starts THEN the delay counts from the order's last change, not from the poll", async () => {
    const shop = await createMagentoShop();
    await shop.db.platformConnection.updateMany({ data: { ordersWatchedFrom: new Date(Date.now() - 2 * HOUR) } });
    const [, paidScenario] = await thankYouScenarios(shop);
    const order = place(shop, 7, { state: "processing" });
    const changedAt = new Date(Math.floor((Date.now() - 40 * 60_000) / 1000) * 1000);
    order.created_at = magentoTime(new Date(changedAt.getTime() - 5 * 60_000));
    order.updated_at = magentoTime(changedAt);
    await poll(shop);
    const task = await shop.db.task.findFirstOrThrow({ where: { scenarioId: paidScenario } });
    expect(task.dueAt).toEqual(new Date(changedAt.getTime() + HOUR));
  });
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Magento's REST date-time: UTC, "YYYY-MM-DD HH:MM:SS". */
function magentoTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** An order-created and an order-paid scenario, each sending one email an hour after its trigger. */
async function thankYouScenarios(shop: MagentoTestShop): Promise<[string, string]> {
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: `T ${Math.random()}`, channel: "EMAIL", body: "hi" } });
  const make = (trigger: "order_created" | "order_paid") =>
    shop.db.scenario.create({
      data: { shopId: shop.id, name: trigger, active: true, trigger, delayValue: 1, delayUnit: "hour", actions: [{ type: "send_message", templateId: template.id }] },
    });
  return [(await make("order_created")).id, (await make("order_paid")).id];
}
