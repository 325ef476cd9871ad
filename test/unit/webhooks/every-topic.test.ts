// The intake's refusals, for every subscribed topic (webhook-routes.test.ts covers them once, for one topic each):
// a bad or missing signature, malformed JSON, an oversized body and an unknown shop are refused or acknowledged
// the same way on every route, and none of them stores anything. Then duplicates by event id and by webhook id,
// and ids above 2^53 carried through processing.
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import {
  MAX_WEBHOOK_BYTES,
  serveWebhook,
  webhookTopicOfPath,
  type WebhookTopic,
} from "../../../app/services/webhook-route.server";
import { createTestShop } from "../../support/shops";
import { hmacOf, webhookRequest } from "../../support/webhooks";

type RouteAction = (args: never) => Promise<Response>;

const ROUTES: Record<WebhookTopic, () => Promise<{ action: RouteAction }>> = {
  "app/uninstalled": () => import("../../../app/routes/webhooks.app.uninstalled"),
  "app/scopes_update": () => import("../../../app/routes/webhooks.app.scopes_update"),
  "orders/create": () => import("../../../app/routes/webhooks.orders.create"),
  "orders/paid": () => import("../../../app/routes/webhooks.orders.paid"),
  "orders/cancelled": () => import("../../../app/routes/webhooks.orders.cancelled"),
  "orders/fulfilled": () => import("../../../app/routes/webhooks.orders.fulfilled"),
  "refunds/create": () => import("../../../app/routes/webhooks.refunds.create"),
  "customers/create": () => import("../../../app/routes/webhooks.customers.create"),
  "customers/update": () => import("../../../app/routes/webhooks.customers.update"),
  "customers/data_request": () => import("../../../app/routes/webhooks.customers.data_request"),
  "customers/redact": () => import("../../../app/routes/webhooks.customers.redact"),
  "shop/redact": () => import("../../../app/routes/webhooks.shop.redact"),
};
const TOPICS = Object.keys(ROUTES) as WebhookTopic[];

const ORDER = readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8");
const CUSTOMER = readFileSync("test/fixtures/shopify/customer.rest-fixture.json", "utf8");

/** The React Router route module, as `react-router-serve` runs it (HMAC checked by the Shopify package). */
async function throughRoute(topic: WebhookTopic, request: Request): Promise<Response> {
  const { action } = await ROUTES[topic]();
  return action({ request, params: {}, context: {} } as never);
}

// The lean path server/app-server.ts takes before React Router, on a real Node HTTP server.
let lean: Server;
let leanPort = 0;
beforeAll(async () => {
  lean = createServer((req, res) => {
    const topic = webhookTopicOfPath((req.url ?? "/").split("?")[0]!);
    if (!topic) return void res.writeHead(404).end();
    serveWebhook(req, res, topic).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => lean.listen(0, "127.0.0.1", resolve));
  leanPort = (lean.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => lean.close(() => resolve())));

async function throughLeanPath(_topic: WebhookTopic, request: Request): Promise<Response> {
  const body = Buffer.from(await request.arrayBuffer());
  const headers = Object.fromEntries(request.headers);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: "127.0.0.1",
        port: leanPort,
        method: request.method,
        path: new URL(request.url).pathname,
        headers: { ...headers, "content-length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") responseHeaders.set(k, v);
          resolve(
            new Response(chunks.length ? Buffer.concat(chunks) : null, {
              status: res.statusCode ?? 0,
              headers: responseHeaders,
            }),
          );
        });
      },
    );
    // The lean path may answer 413 and stop reading before the whole oversized body is written.
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    outgoing.end(body);
  });
}

describe.each([
  ["the React Router route", throughRoute],
  ["the lean path", throughLeanPath],
] as const)("every subscribed webhook topic, through %s", (_door, deliver) => {
  it.each(TOPICS)(
    "GIVEN %s signed with the wrong secret, or not signed THEN 401/400 and nothing is stored",
    async (topic) => {
      const shop = await createTestShop();
      const body = JSON.stringify({ id: 1, shop_domain: shop.domain });
      const forged = await deliver(
        topic,
        webhookRequest({ topic, shop: shop.domain, body, hmac: hmacOf(body, "not-the-app-secret") }),
      );
      expect(forged.status).toBe(401);
      const unsigned = webhookRequest({ topic, shop: shop.domain, body });
      unsigned.headers.delete("x-shopify-hmac-sha256");
      expect([400, 401]).toContain((await deliver(topic, unsigned)).status);
      // A valid signature over other bytes than those sent: the body was tampered with on the way.
      const tampered = await deliver(
        topic,
        webhookRequest({
          topic,
          shop: shop.domain,
          body: body.replace("1", "2"),
          hmac: hmacOf(body, process.env.SHOPIFY_API_SECRET!),
        }),
      );
      expect(tampered.status).toBe(401);
      expect(await shop.db.event.count()).toBe(0);
      expect(await prisma.shop.count({ where: { id: shop.id, uninstalledAt: { not: null } } })).toBe(0);
    },
  );

  it.each(TOPICS)("GIVEN %s with a valid signature over malformed JSON THEN 400 and nothing stored", async (topic) => {
    const shop = await createTestShop();
    const response = await deliver(
      topic,
      webhookRequest({ topic, shop: shop.domain, body: '{"id": 1, "customer": {' }),
    );
    expect(response.status).toBe(400);
    expect(await shop.db.event.count()).toBe(0);
  });

  it.each(TOPICS)("GIVEN %s with a body over the limit THEN 413 and nothing stored", async (topic) => {
    const shop = await createTestShop();
    const body = JSON.stringify({ id: 1, note: "x".repeat(MAX_WEBHOOK_BYTES) });
    expect((await deliver(topic, webhookRequest({ topic, shop: shop.domain, body }))).status).toBe(413);
    expect(await shop.db.event.count()).toBe(0);
  });

  it.each(TOPICS)(
    "GIVEN %s for a shop that never installed the app THEN 200 (retrying cannot help) and nothing stored",
    async (topic) => {
      const domain = `never-${topic.replace("/", "-")}.myshopify.com`;
      const response = await deliver(
        topic,
        webhookRequest({ topic, shop: domain, body: JSON.stringify({ id: 1, shop_domain: domain }) }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("x-webhook-result")).toBe("unknown_shop");
      expect(await prisma.event.count({ where: { shop: { domain } } })).toBe(0);
    },
  );

  it("GIVEN one event delivered twice under different webhook ids (same X-Shopify-Event-Id) THEN it is stored and processed once", async () => {
    const shop = await createTestShop();
    const first = await deliver(
      "customers/create",
      webhookRequest({
        topic: "customers/create",
        shop: shop.domain,
        body: CUSTOMER,
        webhookId: "wh-a",
        eventId: "ev-shared",
      }),
    );
    const second = await deliver(
      "customers/create",
      webhookRequest({
        topic: "customers/create",
        shop: shop.domain,
        body: CUSTOMER,
        webhookId: "wh-b",
        eventId: "ev-shared",
      }),
    );
    expect([first.headers.get("x-webhook-result"), second.headers.get("x-webhook-result")]).toEqual([
      "stored",
      "duplicate",
    ]);
    const event = await shop.db.event.findFirstOrThrow();
    const job = { shopId: shop.id, eventId: event.id.toString() };
    expect(await processWebhook(job)).toEqual({ topic: "customers/create" });
    // The same job delivered again by the queue (a retry, or the sweeper's re-enqueue) does nothing.
    expect(await processWebhook(job)).toEqual({ skipped: "already processed" });
    expect(await shop.db.customer.count()).toBe(1);
  });

  it("GIVEN an app/uninstalled that happened before the merchant installed the app again, delivered late THEN the new install keeps its sessions and stays installed, at intake and in the worker; one that happened after the install ends it", async () => {
    const shop = await createTestShop();
    const installedAt = (await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installedAt;
    const sessions = () => prisma.session.count({ where: { shop: shop.domain } });
    const uninstalled = async () => (await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt !== null;
    const before = await sessions();
    expect(before).toBeGreaterThan(0);
    const uninstall = (triggeredAt: Date) =>
      deliver(
        "app/uninstalled",
        webhookRequest({ topic: "app/uninstalled", shop: shop.domain, body: JSON.stringify({ id: 1, domain: shop.domain }), triggeredAt: triggeredAt.toISOString() }),
      );

    expect((await uninstall(new Date(installedAt.getTime() - 3_600_000))).status).toBe(200);
    const late = await shop.db.event.findFirstOrThrow({ where: { topic: "app/uninstalled" } });
    await processWebhook({ shopId: shop.id, eventId: late.id.toString() });
    expect([await uninstalled(), await sessions()]).toEqual([false, before]);

    expect((await uninstall(new Date(installedAt.getTime() + 1_000))).status).toBe(200);
    expect([await uninstalled(), await sessions()]).toEqual([true, 0]);
  });

  it("GIVEN a retried delivery without an event id (same X-Shopify-Webhook-Id) THEN it is stored once", async () => {
    const shop = await createTestShop();
    const request = () => {
      const r = webhookRequest({ topic: "orders/paid", shop: shop.domain, body: ORDER, webhookId: "wh-retried" });
      r.headers.delete("x-shopify-event-id");
      return r;
    };
    expect((await deliver("orders/paid", request())).headers.get("x-webhook-result")).toBe("stored");
    expect((await deliver("orders/paid", request())).headers.get("x-webhook-result")).toBe("duplicate");
    expect(await shop.db.event.count()).toBe(1);
  });

  it("GIVEN the same order in orders/create and orders/paid THEN both events are kept (different topics) and one order row results", async () => {
    const shop = await createTestShop();
    for (const topic of ["orders/create", "orders/paid"] as const) {
      await deliver(topic, webhookRequest({ topic, shop: shop.domain, body: ORDER, eventId: "ev-same-number" }));
    }
    const events = await shop.db.event.findMany({ orderBy: { id: "asc" } });
    expect(events.map((e) => e.topic)).toEqual(["orders/create", "orders/paid"]);
    for (const e of events) await processWebhook({ shopId: shop.id, eventId: e.id.toString() });
    expect(await shop.db.order.count()).toBe(1);
  });

  it("GIVEN customer and order ids above 2^53 WHEN delivered and processed THEN the rows carry the exact ids", async () => {
    const shop = await createTestShop();
    const bigCustomer = "9007199254740995";
    const bigOrder = "18014398509481985";
    // Raw JSON text: a JS number literal would already be rounded. The fixtures' GIDs are replaced too, since
    // admin_graphql_api_id is what the app prefers when present.
    const customerBody = CUSTOMER.replace(/"id": 207119551,/, `"id": ${bigCustomer},`).replaceAll(
      "gid://shopify/Customer/207119551",
      `gid://shopify/Customer/${bigCustomer}`,
    );
    const orderBody = ORDER.replace(/"id": 1073459981,/, `"id": ${bigOrder},`)
      .replace(
        '"admin_graphql_api_id": "gid://shopify/Order/1073459981"',
        `"admin_graphql_api_id": "gid://shopify/Order/${bigOrder}"`,
      )
      .replace(/"customer": \{\s*"id": \d+,/, `"customer": { "id": ${bigCustomer},`)
      .replace(/gid:\/\/shopify\/Customer\/1073339475/g, `gid://shopify/Customer/${bigCustomer}`);
    expect(orderBody).toContain(`"id": ${bigCustomer}`);
    await deliver(
      "customers/create",
      webhookRequest({ topic: "customers/create", shop: shop.domain, body: customerBody }),
    );
    await deliver("orders/create", webhookRequest({ topic: "orders/create", shop: shop.domain, body: orderBody }));
    for (const e of await shop.db.event.findMany({ orderBy: { id: "asc" } })) {
      await processWebhook({ shopId: shop.id, eventId: e.id.toString() });
    }
    const customers = await shop.db.customer.findMany({ select: { platformId: true } });
    expect(customers.map((c) => c.platformId)).toEqual([`gid://shopify/Customer/${bigCustomer}`]);
    const order = await shop.db.order.findFirstOrThrow({ include: { customer: true } });
    expect(order.platformId).toBe(`gid://shopify/Order/${bigOrder}`);
    expect(order.customer?.platformId).toBe(`gid://shopify/Customer/${bigCustomer}`);
  });
});
