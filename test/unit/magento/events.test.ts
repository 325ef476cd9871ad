import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { processMagentoEventJob } from "../../../app/jobs/processors/magento.server";
import { action } from "../../../app/routes/magento.events";
import { MAX_EVENTS_BYTES, SHOP_HEADER, SIGNATURE_HEADER, signEventsBody } from "../../../app/services/magento/events.server";
import { requestSegmentEvaluation } from "../../../app/services/segments/triggers.server";
import type * as Triggers from "../../../app/services/segments/triggers.server";
import { createMagentoShop, type MagentoTestShop } from "./helpers";

vi.mock("../../../app/services/segments/triggers.server", async (importOriginal) => ({
  ...(await importOriginal<typeof Triggers>()),
  requestSegmentEvaluation: vi.fn(() => Promise.resolve()),
}));

const evaluations = vi.mocked(requestSegmentEvaluation);
beforeEach(() => evaluations.mockClear());

function post(shop: Pick<MagentoTestShop, "id"> | null, body: string, options: { secret?: string | null; signature?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (shop) headers[SHOP_HEADER] = shop.id;
  const secret = options.secret === undefined ? null : options.secret;
  if (options.signature !== undefined) headers[SIGNATURE_HEADER] = options.signature;
  else if (secret) headers[SIGNATURE_HEADER] = signEventsBody(body, secret);
  return action({ request: new Request("https://promo-app.test/magento/events", { method: "POST", body, headers }), params: {}, context: {} } as never);
}

function orderPlaced(overrides: Record<string, unknown> = {}, id = `ord-${randomUUID()}`) {
  return {
    id,
    type: "order.placed",
    occurred_at: "2026-11-21 10:00:00",
    data: {
      order: {
        entity_id: 41,
        increment_id: "000000041",
        state: "new",
        status: "pending",
        created_at: "2026-11-21 10:00:00",
        updated_at: "2026-11-21 10:00:00",
        customer_id: 7,
        customer_is_guest: 0,
        customer_email: "ada@example.com",
        customer_firstname: "Ada",
        customer_lastname: "Lovelace",
        coupon_code: "WELCOME-7",
        grand_total: 84.5,
        order_currency_code: "EUR",
        remote_ip: "198.51.100.4",
        is_virtual: 0,
        items: [{ sku: "MUG", product_id: 3, qty_ordered: 2 }],
        ...overrides,
      },
    },
  };
}

function productViewed(data: Record<string, unknown>, id = `view-${randomUUID()}`) {
  return { id, type: "product.viewed", occurred_at: "2026-11-21T09:00:00Z", data: { product: { id: 3, sku: "MUG", name: "Blue mug" }, ...data } };
}

async function processAll(shop: MagentoTestShop) {
  const events = await shop.db.event.findMany({ where: { processedAt: null }, orderBy: { id: "asc" } });
  for (const e of events) await processMagentoEventJob({ shopId: shop.id, eventId: e.id.toString() });
}

describe("POST /magento/events", () => {
  it("GIVEN a signed order.placed WHEN it arrives with Redis down THEN it is stored before the 200 and processed later into an order", async () => {
    const shop = await createMagentoShop();
    const body = JSON.stringify(orderPlaced());
    const started = Date.now();
    const response = await post(shop, body, { secret: shop.eventsSecret });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, stored: 1, duplicates: 0 });
    expect(Date.now() - started).toBeLessThan(4000);
    const [event] = await shop.db.event.findMany();
    expect(event).toMatchObject({ source: "MAGENTO", topic: "order_placed", processedAt: null, occurredAt: new Date("2026-11-21T10:00:00Z") });

    await processAll(shop);
    const order = await shop.db.order.findFirstOrThrow({ include: { customer: true } });
    expect(order).toMatchObject({ platformId: "41", name: "#000000041", discountCodes: ["WELCOME-7"], currency: "EUR", financialStatus: "pending", deliveryType: "shipping", sourceName: "web" });
    expect(order.totalPrice.toString()).toBe("84.5");
    expect(order.customer).toMatchObject({ platformId: "7", email: "ada@example.com", firstName: "Ada" });
    expect(evaluations).toHaveBeenCalledWith(shop.id, [order.customerId], "orders");
    expect((await shop.db.event.findFirstOrThrow()).processedAt).not.toBeNull();
  });

  it("GIVEN the same event id delivered twice THEN it is stored and processed once", async () => {
    const shop = await createMagentoShop();
    const body = JSON.stringify(orderPlaced({}, "evt-dup"));
    await post(shop, body, { secret: shop.eventsSecret });
    const second = await post(shop, body, { secret: shop.eventsSecret });
    expect(await second.json()).toEqual({ received: 1, stored: 0, duplicates: 1 });
    expect(await shop.db.event.count()).toBe(1);
    await processAll(shop);
    const [event] = await shop.db.event.findMany();
    expect(await processMagentoEventJob({ shopId: shop.id, eventId: event!.id.toString() })).toEqual({ type: "skipped", reason: "already processed" });
    expect(await shop.db.order.count()).toBe(1);
  });

  it("GIVEN a bad or missing signature, or another shop's secret THEN 401 and nothing stored", async () => {
    const shop = await createMagentoShop();
    const other = await createMagentoShop();
    const body = JSON.stringify(orderPlaced());
    expect((await post(shop, body, { signature: signEventsBody(body, "wrong-secret") })).status).toBe(401);
    expect((await post(shop, body)).status).toBe(401);
    expect((await post(shop, body, { secret: other.eventsSecret })).status).toBe(401);
    // Signed over different bytes (whitespace changed after signing).
    expect((await post(shop, `${body} `, { signature: signEventsBody(body, shop.eventsSecret!) })).status).toBe(401);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN an unknown shop, a Shopify shop or an unconnected Magento shop THEN a clear 4xx and nothing stored", async () => {
    const body = JSON.stringify(orderPlaced());
    const unknown = await post({ id: randomUUID() }, body, { secret: "x" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/Unknown shop/);
    expect((await post({ id: "not-a-uuid" }, body, { secret: "x" })).status).toBe(404);
    expect((await post(null, body, { secret: "x" })).status).toBe(404);
    const unconnected = await createMagentoShop({ connect: false });
    expect((await post(unconnected, body, { secret: "x" })).status).toBe(403);
    expect(await unconnected.db.event.count()).toBe(0);
  });

  it("GIVEN malformed JSON with a valid signature THEN 400; GIVEN a wrong shape THEN 422 naming the fields, and nothing of the batch is stored", async () => {
    const shop = await createMagentoShop();
    expect((await post(shop, '{"id": "x", ', { secret: shop.eventsSecret })).status).toBe(400);

    const batch = JSON.stringify({ events: [orderPlaced(), orderPlaced({ entity_id: "forty-two", created_at: "yesterday" }), { id: "v", type: "cart.emptied" }] });
    const response = await post(shop, batch, { secret: shop.eventsSecret });
    expect(response.status).toBe(422);
    const { issues } = (await response.json()) as { issues: { event: number; path: string }[] };
    expect(issues.map((i) => [i.event, i.path])).toEqual([
      [1, "data.order.entity_id"],
      [1, "data.order.created_at"],
      [2, "type"],
    ]);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN a body over the limit THEN 413 before anything is parsed", async () => {
    const shop = await createMagentoShop();
    const body = JSON.stringify({ events: [orderPlaced({ note: "x".repeat(MAX_EVENTS_BYTES) })] });
    expect((await post(shop, body, { secret: shop.eventsSecret })).status).toBe(413);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN a batch of product views THEN each is stored, the product learns its SKU, and views before login count once the visitor is known", async () => {
    const shop = await createMagentoShop();
    const visitor = `visitor-${randomUUID()}`;
    const anonymous = productViewed({ visitor_id: visitor });
    const loggedIn = productViewed({ visitor_id: visitor, customer_id: "12", product: { id: 5, sku: "TEE-RED", parent_id: 4 } });
    const response = await post(shop, JSON.stringify({ events: [anonymous, loggedIn] }), { secret: shop.eventsSecret });
    expect(await response.json()).toEqual({ received: 2, stored: 2, duplicates: 0 });
    await processAll(shop);

    const customer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "12" } });
    const events = await shop.db.event.findMany({ orderBy: { id: "asc" } });
    expect(events.map((e) => [e.topic, e.productId, e.variantId, e.clientId, e.customerId])).toEqual([
      ["product_viewed", "3", null, visitor, customer.id],
      ["product_viewed", "4", "5", visitor, customer.id],
    ]);
    expect(await shop.db.product.findMany({ orderBy: { platformId: "asc" }, select: { platformId: true, skus: true, title: true } })).toEqual([
      { platformId: "3", skus: ["MUG"], title: "Blue mug" },
      { platformId: "5", skus: ["TEE-RED"], title: null },
    ]);
    expect(await shop.db.visitor.findFirstOrThrow()).toMatchObject({ clientId: visitor, customerId: customer.id });
    expect(evaluations).toHaveBeenCalledWith(shop.id, [customer.id], "events");
  });

  it("GIVEN a visitor already linked by a logged-in view WHEN a later view names only the visitor THEN it counts for the customer", async () => {
    const shop = await createMagentoShop();
    const visitor = `visitor-${randomUUID()}`;
    await post(shop, JSON.stringify(productViewed({ visitor_id: visitor, customer_id: "21" })), { secret: shop.eventsSecret });
    await processAll(shop);
    evaluations.mockClear();

    await post(shop, JSON.stringify(productViewed({ visitor_id: visitor, product: { id: 6, sku: "CAP" } })), { secret: shop.eventsSecret });
    await processAll(shop);

    const customer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "21" } });
    const events = await shop.db.event.findMany({ orderBy: { id: "asc" }, select: { productId: true, customerId: true } });
    expect(events).toEqual([
      { productId: "3", customerId: customer.id },
      { productId: "6", customerId: customer.id },
    ]);
    expect(evaluations).toHaveBeenCalledWith(shop.id, [customer.id], "events");
    // An unknown visitor's view stays anonymous.
    await post(shop, JSON.stringify(productViewed({ visitor_id: `visitor-${randomUUID()}` })), { secret: shop.eventsSecret });
    await processAll(shop);
    expect(await shop.db.event.count({ where: { customerId: null } })).toBe(1);
  });

  it("GIVEN a guest order THEN the order is kept without a customer and no segment is asked to re-evaluate", async () => {
    const shop = await createMagentoShop();
    await post(shop, JSON.stringify(orderPlaced({ customer_id: null, customer_is_guest: 1, coupon_code: null, is_virtual: 1 })), { secret: shop.eventsSecret });
    await processAll(shop);
    expect(await shop.db.order.findFirstOrThrow()).toMatchObject({ customerId: null, discountCodes: [], deliveryType: null });
    expect(await shop.db.customer.count()).toBe(0);
    expect(evaluations).not.toHaveBeenCalled();
  });

  it("keeps one shop's events away from another's: the same event id in two shops is two events", async () => {
    const a = await createMagentoShop();
    const b = await createMagentoShop();
    const body = JSON.stringify(orderPlaced({}, "shared-id"));
    await post(a, body, { secret: a.eventsSecret });
    await post(b, body, { secret: b.eventsSecret });
    expect([await a.db.event.count(), await b.db.event.count()]).toEqual([1, 1]);
  });
});
