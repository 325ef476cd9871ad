// A Redis outage during delivery, for real: a private redis-server is stopped while webhooks and pixel batches
// arrive, then started again. Everything that arrived is stored and acknowledged during the outage, and processed
// exactly once after it, by the sweeper, with the real worker on PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "../../app/env.server";
import type { RunningWorker } from "../../app/jobs/worker.server";
import { createTestShop, type TestShop } from "../support/shops";
import { webhookRequest } from "../support/webhooks";

const ORDER = readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8");
const BIG_ORDER_ID = "9007199254740993";
const BIG_ORDER = ORDER.replace(/"id": 1073459981,/, `"id": ${BIG_ORDER_ID},`).replace(
  '"admin_graphql_api_id": "gid://shopify/Order/1073459981"',
  `"admin_graphql_api_id": "gid://shopify/Order/${BIG_ORDER_ID}"`,
);

let port = 0;
let redis: ChildProcess | undefined;
let dataDir = "";
let worker: RunningWorker;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function startRedis(): Promise<void> {
  redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dataDir],
    {
      stdio: "ignore",
    },
  );
  const { ping } = await import("../../server/redis");
  for (let i = 0; i < 100 && !(await ping(`redis://127.0.0.1:${port}`, 200)); i++)
    await new Promise((r) => setTimeout(r, 50));
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  port = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), "promo-outage-"));
  await startRedis();
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  resetEnvCache();
  const { startWorker } = await import("../../app/jobs/worker.server");
  worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined });
});

afterAll(async () => {
  await worker?.close().catch(() => undefined);
  const { closeQueues } = await import("../../app/jobs/enqueue.server");
  const { closeRateLimiter } = await import("../../app/services/pixel/rate-limit.server");
  await closeQueues().catch(() => undefined);
  await closeRateLimiter();
  await stopRedis();
  rmSync(dataDir, { recursive: true, force: true });
});

async function deliverOrder(shop: TestShop, ids: { webhookId: string; eventId: string }): Promise<Response> {
  const { action } = await import("../../app/routes/webhooks.orders.create");
  return action({
    request: webhookRequest({ topic: "orders/create", shop: shop.domain, body: BIG_ORDER, ...ids }),
    params: {},
    context: {},
  } as never);
}

async function deliverPixel(shop: TestShop, eventId: string): Promise<Response> {
  const { action } = await import("../../app/routes/pixel.events");
  const body = JSON.stringify({
    v: 1,
    shop: shop.domain,
    accountId: shop.id,
    events: [
      {
        id: eventId,
        name: "product_viewed",
        timestamp: new Date().toISOString(),
        clientId: "outage-browser",
        customerId: "5001",
        products: [
          { id: "7001", variantId: "8001", title: "Tee", vendor: "Acme", type: "Shirts", sku: null, quantity: null },
        ],
      },
    ],
  });
  const request = new Request("https://promo-app.test/pixel/events", {
    method: "POST",
    body,
    headers: { "content-type": "text/plain" },
  });
  return action({ request, params: {}, context: {} } as never);
}

describe("a Redis outage during delivery", () => {
  it("GIVEN Redis goes down WHEN a webhook and a pixel batch arrive THEN both are stored and acknowledged, and processed once after Redis is back", async () => {
    const shop = await createTestShop();
    await stopRedis();

    const started = Date.now();
    const webhook = await deliverOrder(shop, { webhookId: "wh-outage", eventId: "ev-outage" });
    expect(webhook.status).toBe(200);
    expect(webhook.headers.get("x-webhook-result")).toBe("stored");
    const pixel = await deliverPixel(shop, "px-outage-1");
    expect(pixel.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await shop.db.event.count({ where: { processedAt: null } })).toBe(2);

    // Shopify retries while Redis is still away: still one stored event.
    expect(
      (await deliverOrder(shop, { webhookId: "wh-outage-retry", eventId: "ev-outage" })).headers.get(
        "x-webhook-result",
      ),
    ).toBe("duplicate");

    await startRedis();
    const { processSweep } = await import("../../app/jobs/processors/sweep.server");
    // The sweeper runs once a minute for events older than its grace period; here it is run for a later "now",
    // until both events are done (a job the outage held up may also get through once Redis is back).
    const sweeps: unknown[] = [];
    const processed = await until(
      async () => {
        sweeps.push(
          await processSweep({ shopId: shop.id }, new Date(Date.now() + 60_000)).catch((e: Error) => e.message),
        );
        return shop.db.event.count({ where: { processedAt: { not: null } } });
      },
      (count) => count === 2,
    );
    expect(processed).toBe(2);
    expect(sweeps.length).toBeGreaterThan(0);
    const orders = await shop.db.order.findMany({ select: { platformId: true } });
    expect(orders).toEqual([{ platformId: `gid://shopify/Order/${BIG_ORDER_ID}` }]);
    const viewer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/5001" } });
    expect(await shop.db.event.count({ where: { source: "PIXEL", customerId: viewer.id } })).toBe(1);

    // A second sweep and a late redelivery change nothing.
    expect(await processSweep({ shopId: shop.id }, new Date(Date.now() + 60_000))).toMatchObject({ requeued: 0 });
    expect(
      (await deliverOrder(shop, { webhookId: "wh-outage-late", eventId: "ev-outage" })).headers.get("x-webhook-result"),
    ).toBe("duplicate");
    expect((await deliverPixel(shop, "px-outage-1")).status).toBe(202);
    expect(await shop.db.event.count()).toBe(2);
    expect(await shop.db.order.count()).toBe(1);
  });

  it("GIVEN Redis is up WHEN a webhook arrives THEN the worker processes it without the sweeper", async () => {
    const shop = await createTestShop();
    const response = await deliverOrder(shop, { webhookId: "wh-live", eventId: "ev-live" });
    expect(response.headers.get("x-webhook-result")).toBe("stored");
    const processed = await until(
      () => shop.db.event.findFirstOrThrow(),
      (e) => e.processedAt !== null,
    );
    expect(processed.processedAt).not.toBeNull();
    expect(await shop.db.order.count()).toBe(1);
  });
});
