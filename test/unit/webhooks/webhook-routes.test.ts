import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { action as ordersCreate } from "../../../app/routes/webhooks.orders.create";
import { action as customersCreate } from "../../../app/routes/webhooks.customers.create";
import { MAX_WEBHOOK_BYTES } from "../../../app/services/webhook-route.server";
import { createTestShop } from "../../support/shops";
import { hmacOf, webhookRequest } from "../../support/webhooks";

const call = (action: typeof ordersCreate, request: Request) => action({ request, params: {}, context: {} } as never);

const ORDER = readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8");
// The same order with an id above 2^53, as raw JSON text (a JS number literal would already be rounded).
const BIG_ID_ORDER = ORDER.replace(/"id": 1073459981,/, `"id": 9007199254740993,`).replace(
  '"admin_graphql_api_id": "gid://shopify/Order/1073459981"',
  '"admin_graphql_api_id": "gid://shopify/Order/9007199254740993"',
);

describe("webhook routes", () => {
  it("matches Shopify's published HMAC test vector", () => {
    expect(hmacOf('{"foo": "bar"}', "test_secret_key")).toBe("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");
  });

  it("GIVEN a signed orders/create WHEN delivered THEN it is stored before the 200, with ids above 2^53 intact", async () => {
    const shop = await createTestShop();
    const response = await call(ordersCreate, webhookRequest({ topic: "orders/create", shop: shop.domain, body: BIG_ID_ORDER }));
    expect(response.status).toBe(200);
    const events = await shop.db.event.findMany();
    expect(events).toHaveLength(1);
    expect(events[0]?.topic).toBe("orders/create");
    expect((events[0]?.payload as { id: unknown }).id).toBe("9007199254740993");
  });

  it("GIVEN Redis is down WHEN a webhook arrives THEN it is still stored and acknowledged (the sweeper enqueues it later)", async () => {
    const shop = await createTestShop();
    const started = Date.now();
    const response = await call(ordersCreate, webhookRequest({ topic: "orders/create", shop: shop.domain, body: ORDER }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-webhook-result")).toBe("stored");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await shop.db.event.count({ where: { processedAt: null } })).toBe(1);
  });

  it("answers 401 to a bad HMAC and stores nothing", async () => {
    const shop = await createTestShop();
    const response = await call(
      ordersCreate,
      webhookRequest({ topic: "orders/create", shop: shop.domain, body: ORDER, hmac: hmacOf(ORDER, "wrong-secret") }),
    );
    expect(response.status).toBe(401);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("processes a duplicate delivery (same webhook and event id) once", async () => {
    const shop = await createTestShop();
    const ids = { webhookId: "wh-1", eventId: "ev-1" };
    const first = await call(ordersCreate, webhookRequest({ topic: "orders/create", shop: shop.domain, body: ORDER, ...ids }));
    const second = await call(ordersCreate, webhookRequest({ topic: "orders/create", shop: shop.domain, body: ORDER, ...ids }));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("x-webhook-result")).toBe("duplicate");
    expect(await shop.db.event.count()).toBe(1);
  });

  it("answers 400 to malformed JSON with a valid signature and stores nothing", async () => {
    const shop = await createTestShop();
    const body = '{"id": 1, "email": ';
    const response = await call(customersCreate, webhookRequest({ topic: "customers/create", shop: shop.domain, body }));
    expect(response.status).toBe(400);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("acknowledges a shop it does not know without storing anything", async () => {
    const response = await call(
      ordersCreate,
      webhookRequest({ topic: "orders/create", shop: "never-installed.myshopify.com", body: ORDER }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-webhook-result")).toBe("unknown_shop");
  });

  it("refuses an oversized body with 413 before reading it as JSON", async () => {
    const shop = await createTestShop();
    const body = JSON.stringify({ id: 1, note: "x".repeat(MAX_WEBHOOK_BYTES) });
    const response = await call(ordersCreate, webhookRequest({ topic: "orders/create", shop: shop.domain, body }));
    expect(response.status).toBe(413);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN a chunked body with no length that never ends WHEN delivered THEN 413 once the limit is passed, the rest never read", async () => {
    const shop = await createTestShop();
    const signed = webhookRequest({ topic: "orders/create", shop: shop.domain, body: "{}" });
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(signed.url, { method: "POST", headers: signed.headers, body: endless, duplex: "half" } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    const response = await call(ordersCreate, request);
    expect(response.status).toBe(413);
    // Stream buffering may read a little ahead of the reader, never the whole of an endless body.
    expect(pulled).toBeLessThan(MAX_WEBHOOK_BYTES * 3);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("refuses a topic sent to another topic's endpoint", async () => {
    const shop = await createTestShop();
    const response = await call(ordersCreate, webhookRequest({ topic: "customers/create", shop: shop.domain, body: "{}" }));
    expect(response.status).toBe(400);
  });
});
