// The pixel endpoint and its jobs on the real PostgreSQL and Redis: rate limits in Redis windows, one job per
// batch processed by the worker, the sweeper's catch-up for stored events and for pixel activation (Shopify is
// the store simulator behind msw, the one fake, at the platform boundary).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import type { RunningWorker } from "../../app/jobs/worker.server";
import { setupFetchOnlyServer, shopifyAdminHandlers, ShopifySimulator } from "../../simulator/shopify";
import { createTestShop, type TestShop } from "../support/shops";

// msw must listen before @shopify/shopify-api is imported; the app's modules are imported after it.
const simulator = new ShopifySimulator();
const msw = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));
msw.listen({ onUnhandledFrame: "bypass" });

const app = {
  ingest: () => import("../../app/services/pixel/ingest.server"),
  limits: () => import("../../app/services/pixel/rate-limit.server"),
  sweep: () => import("../../app/jobs/processors/sweep.server"),
  queues: () => import("../../app/jobs/enqueue.server"),
};

let worker: RunningWorker;

beforeAll(async () => {
  const { startWorker } = await import("../../app/jobs/worker.server");
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
});

afterAll(async () => {
  await worker?.close();
  await (await app.queues()).closeQueues();
  await (await app.limits()).closeRateLimiter();
  msw.close();
});

let n = 0;
function viewed(clientId: string, customerId: string | null = null) {
  n += 1;
  return {
    id: `px-${n}-${Math.random().toString(36).slice(2)}`,
    name: "product_viewed",
    timestamp: new Date().toISOString(),
    clientId,
    customerId,
    products: [{ id: String(7000 + n), title: `Product ${n}`, vendor: "Acme", type: "Shirts" }],
  };
}

const body = (shop: TestShop, events: unknown[]) =>
  JSON.stringify({ v: 1, shop: shop.domain, accountId: shop.id, events });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

describe("pixel ingest on PostgreSQL and Redis", () => {
  it("GIVEN per-client and per-shop limits WHEN a browser or the shop exceeds them THEN 429-worthy refusals, nothing stored for them", async () => {
    const shop = await createTestShop();
    const { receivePixelBatch } = await app.ingest();
    const { redisRateLimiter } = await app.limits();
    const limiter = redisRateLimiter({ shopEventsPerMinute: 10, clientEventsPerMinute: 4, addressEventsPerMinute: 100 });
    // Pinned to the middle of a window so the test never straddles two.
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
    const send = (events: unknown[]) => receivePixelBatch(body(shop, events), { limiter, now });

    expect(await send([viewed("a"), viewed("a"), viewed("a")])).toMatchObject({ type: "accepted", stored: 3 });
    expect(await send([viewed("a"), viewed("a")])).toMatchObject({
      type: "rate_limited",
      scope: "client",
      retryAfterSeconds: 30,
    });
    expect(await send([viewed("b"), viewed("b"), viewed("b"), viewed("b")])).toMatchObject({
      type: "accepted",
      stored: 4,
    });
    expect(await send([viewed("c"), viewed("c"), viewed("c"), viewed("c")])).toMatchObject({
      type: "rate_limited",
      scope: "shop",
    });
    expect(await shop.db.event.count()).toBe(7);

    // The next window starts afresh; another shop was never limited by this one.
    const later = new Date(now.getTime() + 60_000);
    expect(await receivePixelBatch(body(shop, [viewed("a")]), { limiter, now: later })).toMatchObject({
      type: "accepted",
    });
    const other = await createTestShop();
    expect(await receivePixelBatch(body(other, [viewed("a"), viewed("a")]), { limiter, now })).toMatchObject({
      type: "accepted",
      stored: 2,
    });
  });

  it("GIVEN one address sending under ever new clientIds WHEN it floods the shop THEN it is refused by address, its refusals count for nothing, and shoppers elsewhere still get in", async () => {
    const shop = await createTestShop();
    const { receivePixelBatch } = await app.ingest();
    const { redisRateLimiter } = await app.limits();
    const limiter = redisRateLimiter({ shopEventsPerMinute: 40, clientEventsPerMinute: 10, addressEventsPerMinute: 20 });
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
    const from = (clientAddress: string, events: unknown[]) => receivePixelBatch(body(shop, events), { limiter, now, clientAddress });
    const batch = (clientId: string) => Array.from({ length: 5 }, () => viewed(clientId));

    const flood = [];
    for (let i = 0; i < 50; i++) flood.push(await from("203.0.113.9", batch(`forged-${i}`)));
    expect(flood.filter((r) => r.type === "accepted")).toHaveLength(4);
    expect(flood.slice(4).every((r) => r.type === "rate_limited" && r.scope === "address")).toBe(true);
    // 250 events refused, 20 counted: the shop's allowance of 40 still has room for the shoppers.
    expect(await from("198.51.100.7", batch("shopper-1"))).toMatchObject({ type: "accepted", stored: 5 });
    expect(await from("198.51.100.8", batch("shopper-2"))).toMatchObject({ type: "accepted", stored: 5 });
    expect(await shop.db.event.count()).toBe(30);
  });

  it("GIVEN a batch through the endpoint THEN one job processes it: the customer is known and the visitor linked", async () => {
    const shop = await createTestShop();
    const { action } = await import("../../app/routes/pixel.events");
    const events = [viewed("browser-e2e"), viewed("browser-e2e", "gid://shopify/Customer/880001")];
    const request = new Request("https://promo-app.test/pixel/events", { method: "POST", body: body(shop, events) });
    const response = (await action({ request, params: {}, context: {} } as never)) as Response;
    expect(response.status).toBe(202);
    const processed = await until(
      () => shop.db.event.count({ where: { processedAt: { not: null } } }),
      (count) => count === 2,
    );
    expect(processed).toBe(2);
    const customer = await shop.db.customer.findFirstOrThrow();
    expect(customer.platformId).toBe("gid://shopify/Customer/880001");
    expect(await shop.db.event.count({ where: { customerId: customer.id } })).toBe(2);
    expect((await shop.db.visitor.findFirstOrThrow()).customerId).toBe(customer.id);
    const { queue } = await app.queues();
    const jobs = await queue("events").getJobs(["completed"]);
    expect(jobs.filter((j) => (j.data as { shopId: string }).shopId === shop.id)).toHaveLength(1);
  });

  it("GIVEN stored pixel events no job picked up WHEN the events queue is busy THEN the sweeper waits; once it is idle THEN it enqueues them", async () => {
    const shop = await createTestShop();
    const stored = await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "PIXEL",
        externalId: "lost-job",
        topic: "product_viewed",
        clientId: "b-lost",
        payload: viewed("b-lost"),
        occurredAt: new Date(),
        receivedAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const { processSweep } = await app.sweep();
    const { enqueue } = await app.queues();
    const busy = await enqueue("events", "processBatch", { shopId: shop.id, eventIds: [] }, { delay: 60_000 });
    expect(await processSweep({ shopId: shop.id })).toMatchObject({ requeued: 0 });
    await busy.remove();
    expect(await processSweep({ shopId: shop.id })).toMatchObject({ requeued: 1 });
    const done = await until(
      () => shop.db.event.findUniqueOrThrow({ where: { id: stored.id } }),
      (e) => e.processedAt !== null,
    );
    expect(done.processedAt).not.toBeNull();
  });

  it("GIVEN an install with write_pixels THEN the worker activates the pixel on the shop and stores its id; the catch-up finds nothing left", async () => {
    const shop = await createTestShop();
    simulator.registerShop({ domain: shop.domain, accessToken: shop.accessToken, plan: "standard" });
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    const { recordInstall } = await import("../../app/services/shops.server");
    const { platformFor } = await import("../../app/platforms/index.server");
    const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
    await recordInstall(shop.domain, platform, "read_products,write_pixels,read_customer_events");

    const activated = await until(
      () => prisma.shop.findUniqueOrThrow({ where: { id: shop.id } }),
      (s) => s.webPixelId !== null,
    );
    const pixels = [...simulator.state(shop.domain).webPixels.values()];
    expect(pixels).toHaveLength(1);
    expect(activated.webPixelId).toBe(`gid://shopify/WebPixel/${pixels[0]!.id}`);
    expect(JSON.parse(pixels[0]!.settings)).toMatchObject({
      accountID: shop.id,
      endpoint: expect.stringMatching(/\/pixel\/events$/),
    });

    const { shopsAwaitingPixel } = await import("../../app/services/shops.server");
    expect((await shopsAwaitingPixel()).map((s) => s.id)).not.toContain(shop.id);
  });
});
