// POST /pixel/events through the route module, as React Router calls it. Redis is down in unit tests, which is the
// outage case: batches must still be stored and acknowledged (the rate limit and the enqueue give way).
import { describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import { MAX_PIXEL_BODY_BYTES } from "../../../app/domain/events/pixel-batch";
import { processPixelBatch } from "../../../app/jobs/processors/events.server";
import { action, loader } from "../../../app/routes/pixel.events";
import { toResponse } from "../../../app/services/pixel/endpoint.server";
import { createTestShop, type TestShop } from "../../support/shops";

const URL_ = "https://promo-app.test/pixel/events";
const ORIGIN = { origin: "https://demo-outfitters.example" };

const call = (fn: typeof action, request: Request) =>
  fn({ request, params: {}, context: {} } as never) as Promise<Response>;

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    body,
    headers: { "content-type": "text/plain;charset=UTF-8", ...ORIGIN, ...headers },
  });
}

let n = 0;
function viewed(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    id: `ev-${n}-${Math.random().toString(36).slice(2)}`,
    name: "product_viewed",
    timestamp: new Date().toISOString(),
    clientId: "client-1",
    customerId: null,
    products: [
      {
        id: "7001",
        variantId: "8001",
        title: "Linen shirt",
        vendor: "Acme",
        type: "Shirts",
        sku: "LS-M",
        quantity: null,
      },
    ],
    collection: null,
    orderId: null,
    ...overrides,
  };
}

function batch(shop: Pick<TestShop, "domain" | "id">, events: unknown[]) {
  return JSON.stringify({ v: 1, shop: shop.domain, accountId: shop.id, events });
}

describe("POST /pixel/events", () => {
  it("GIVEN a valid batch WHEN Redis is down THEN every event is stored before the 202, with CORS for the storefront", async () => {
    const shop = await createTestShop();
    const events = [
      viewed(),
      viewed({ name: "collection_viewed", products: [], collection: { id: "3001", title: "Summer" } }),
    ];
    const started = Date.now();
    const response = await call(action, post(batch(shop, events)));
    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.json()).toEqual({ stored: 2, duplicates: 0, rejected: [] });
    const rows = await shop.db.event.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.source, r.externalId, r.topic, r.clientId, r.processedAt])).toEqual([
      ["PIXEL", events[0]!.id, "product_viewed", "client-1", null],
      ["PIXEL", events[1]!.id, "collection_viewed", "client-1", null],
    ]);
    expect(rows[0]).toMatchObject({
      productId: "gid://shopify/Product/7001",
      variantId: "gid://shopify/ProductVariant/8001",
    });
    expect(rows[1]).toMatchObject({ collectionId: "gid://shopify/Collection/3001" });
  });

  it("GIVEN the same events delivered twice (a retried batch) THEN each is stored once", async () => {
    const shop = await createTestShop();
    const events = [viewed(), viewed()];
    await call(action, post(batch(shop, events)));
    const again = await call(action, post(batch(shop, [...events, viewed()])));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ stored: 1, duplicates: 2 });
    expect(await shop.db.event.count()).toBe(3);
  });

  it("GIVEN one bad event among good ones THEN the good ones are stored and the bad one is reported with its reasons", async () => {
    const shop = await createTestShop();
    const bad = viewed({ products: [] });
    const response = await call(action, post(batch(shop, [viewed(), bad])));
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      stored: number;
      rejected: { index: number; id: string; reasons: string[] }[];
    };
    expect(body.stored).toBe(1);
    expect(body.rejected).toEqual([{ index: 1, id: bad.id, reasons: [expect.stringContaining("names the product")] }]);
    expect(await shop.db.event.count()).toBe(1);
  });

  it("GIVEN a forged batch with a NUL character (\\u0000, which PostgreSQL text cannot hold) in an id, a clientId, a title or the shop THEN those events are refused, not a 500, and the rest is stored and processed", async () => {
    const shop = await createTestShop();
    const good = viewed();
    const forged = [
      viewed({ id: "ev-\u0000" }),
      viewed({ clientId: "client-\u0000" }),
      viewed({ products: [{ id: "7001", title: "Linen\u0000shirt", vendor: null }] }),
    ];
    const response = await call(action, post(batch(shop, [good, ...forged])));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { stored: number; rejected: { index: number; reasons: string[] }[] };
    expect(body.stored).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.reasons.join()])).toEqual(
      [1, 2, 3].map((index) => [index, expect.stringContaining("NUL character")]),
    );
    const stored = await shop.db.event.findMany({ select: { id: true, externalId: true } });
    expect(stored.map((e) => e.externalId)).toEqual([good.id]);
    expect(await processPixelBatch({ shopId: shop.id, eventIds: stored.map((e) => e.id.toString()) })).toMatchObject({ processed: 1 });

    const envelope = await call(action, post(JSON.stringify({ v: 1, shop: `${shop.domain}\u0000`, accountId: shop.id, events: [viewed()] })));
    expect(envelope.status).toBe(400);
  });

  it("GIVEN a stored pixel event whose title holds a NUL character (stored before it was refused) WHEN its batch is processed THEN it is closed as unreadable and the other events of the batch count", async () => {
    const shop = await createTestShop();
    const rows: { id: bigint }[] = [];
    for (const event of [viewed(), viewed({ products: [{ id: "7002", title: "Hat\u0000" }] })]) {
      rows.push(
        await shop.db.event.create({
          data: { shopId: shop.id, source: "PIXEL", externalId: event.id, topic: event.name, clientId: event.clientId, payload: event, occurredAt: new Date() },
          select: { id: true },
        }),
      );
    }
    await processPixelBatch({ shopId: shop.id, eventIds: rows.map((r) => r.id.toString()) });
    const after = await shop.db.event.findMany({ orderBy: { id: "asc" }, select: { processedAt: true, error: true } });
    expect(after.map((e) => [e.processedAt !== null, e.error])).toEqual([
      [true, null],
      [true, "unreadable pixel event payload"],
    ]);
    expect(await shop.db.product.findMany({ select: { platformId: true } })).toEqual([{ platformId: "gid://shopify/Product/7001" }]);
  });

  it("GIVEN a browser clock running hours fast WHEN its events arrive THEN they are stored at the time they were received, not in the future", async () => {
    const shop = await createTestShop();
    const ahead = new Date(Date.now() + 20 * 3600_000).toISOString();
    const onTime = new Date(Date.now() - 60_000).toISOString();
    const before = Date.now();
    const response = await call(action, post(batch(shop, [viewed({ timestamp: ahead }), viewed({ timestamp: onTime })])));
    const after = Date.now();
    expect(response.status).toBe(202);
    const rows = await shop.db.event.findMany({ orderBy: { id: "asc" }, select: { occurredAt: true } });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(rows[0]!.occurredAt.getTime()).toBeLessThanOrEqual(after);
    // A timestamp in the past is the browser's word, kept as it came.
    expect(rows[1]!.occurredAt.toISOString()).toBe(onTime);
  });

  it("GIVEN nothing valid THEN 400 with the reasons and nothing stored", async () => {
    const shop = await createTestShop();
    const response = await call(action, post(batch(shop, [viewed({ timestamp: "yesterday" })])));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "Invalid pixel batch", rejected: [{ index: 0 }] });
    const malformed = await call(action, post('{"v":1,'));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ reasons: ["body is not JSON"] });
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN a shop that never installed the app THEN 404 saying so", async () => {
    const response = await call(action, post(batch({ domain: "nobody.myshopify.com", id: "x" }, [viewed()])));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain("not installed");
  });

  it("GIVEN a shop that uninstalled the app THEN 403 and nothing stored", async () => {
    const shop = await createTestShop();
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    const response = await call(action, post(batch(shop, [viewed()])));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toContain("uninstalled");
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN another shop's account id THEN 403: a pixel cannot post into a shop it does not belong to", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const response = await call(
      action,
      post(JSON.stringify({ v: 1, shop: shop.domain, accountId: other.id, events: [viewed()] })),
    );
    expect(response.status).toBe(403);
    expect(await shop.db.event.count()).toBe(0);
    expect(await other.db.event.count()).toBe(0);
  });

  it("GIVEN a body over the limit THEN 413, whether or not Content-Length tells the truth", async () => {
    const shop = await createTestShop();
    const huge = batch(shop, [viewed({ products: [{ id: "1", title: "x".repeat(MAX_PIXEL_BODY_BYTES) }] })]);
    expect((await call(action, post(huge))).status).toBe(413);
    const declared = await call(action, post("{}", { "content-length": String(MAX_PIXEL_BODY_BYTES + 1) }));
    expect(declared.status).toBe(413);
    // A streamed body with no Content-Length is cut off as it passes the limit.
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = new Request(URL_, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect((await call(action, streamed)).status).toBe(413);
    expect(await shop.db.event.count()).toBe(0);
  });

  it("GIVEN a rate-limited batch THEN 429 with Retry-After, readable by the storefront (CORS)", async () => {
    const response = toResponse({ type: "rate_limited", scope: "client", retryAfterSeconds: 17 });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("17");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await response.json()) as { error: string }).error).toContain("client");
  });

  it("answers a CORS preflight and refuses other methods", async () => {
    const preflight = await call(
      loader,
      new Request(URL_, { method: "OPTIONS", headers: { ...ORIGIN, "access-control-request-method": "POST" } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const get = await call(loader, new Request(URL_));
    expect(get.status).toBe(405);
  });
});
