// The checks `npm run demo -- --smoke` runs against a started stack. Each check proves one part works end to end;
// later issues add theirs here.
import { createHmac, randomUUID } from "node:crypto";
import type { Stack } from "../server/stack";

type CheckResult = { ok: boolean; detail?: string };

async function check(name: string, fn: () => Promise<string | undefined>, results: Record<string, CheckResult>) {
  try {
    const detail = await fn();
    results[name] = detail ? { ok: true, detail } : { ok: true };
  } catch (error) {
    results[name] = { ok: false, detail: (error as Error).message };
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runSmokeChecks(stack: Stack, options: { nonce: string }) {
  const results: Record<string, CheckResult> = {};

  await check("databaseMigrated", async () => {
    const { appliedMigrations, readMigrations } = await import("../app/db/migrate.server");
    const [applied, expected] = await Promise.all([appliedMigrations(stack.db), readMigrations()]);
    const missing = expected.filter((m) => !applied.includes(m.name)).map((m) => m.name);
    if (missing.length) throw new Error(`not applied: ${missing.join(", ")}`);
    return `${applied.length} migration(s)`;
  }, results);

  await check("simulatorAnswersSchemaValidQuery", async () => {
    const { shopifyAdminForShop } = await import("../app/platforms/index.server");
    const { SHOP_DETAILS } = await import("../app/platforms/shopify/documents/shop");
    const admin = await shopifyAdminForShop(stack.demoShop.domain);
    const data = await admin.request(SHOP_DETAILS);
    if (data.shop.myshopifyDomain !== stack.demoShop.domain) throw new Error(`unexpected shop ${data.shop.myshopifyDomain}`);
    return data.shop.name;
  }, results);

  await check("simulatorRejectsInvalidDocument", async () => {
    const { shopifyAdminForShop } = await import("../app/platforms/index.server");
    const admin = await shopifyAdminForShop(stack.demoShop.domain);
    const bogus = { source: "#graphql\nquery Bogus { shop { noSuchField } }", operationName: "Bogus" };
    const outcome = await admin.request(bogus).then(
      () => "accepted",
      (error: Error) => error.message,
    );
    if (outcome === "accepted" || !/noSuchField/.test(outcome)) throw new Error(`expected a validation error, got ${outcome}`);
    return undefined;
  }, results);

  await check("magentoMerchantSignsIn", async () => {
    const { DEMO_MAGENTO } = await import("../server/demo-magento");
    const login = await fetch(`${stack.appUrl}/magento/login`, {
      method: "POST",
      body: new URLSearchParams({ email: DEMO_MAGENTO.email, password: DEMO_MAGENTO.password, next: "/app/settings/magento" }),
      headers: { origin: stack.appUrl },
      redirect: "manual",
    });
    const cookie = login.headers.get("set-cookie")?.split(";")[0];
    if (login.status !== 302 || !cookie) throw new Error(`log in answered ${login.status} without a session`);
    const page = await fetch(new URL(login.headers.get("location") ?? "/app", stack.appUrl), { headers: { cookie } });
    const html = await page.text();
    if (page.status !== 200 || !html.includes("Magento connection")) throw new Error(`the Magento settings page answered ${page.status}`);
    return DEMO_MAGENTO.email;
  }, results);

  await check("jobRoundTrip", async () => {
    const { QueueEvents } = await import("bullmq");
    const { enqueue } = await import("../app/jobs/enqueue.server");
    const { redisConnection, queuePrefix } = await import("../app/jobs/connection.server");
    const events = new QueueEvents("system", { connection: redisConnection(), prefix: queuePrefix() });
    try {
      await events.waitUntilReady();
      const job = await enqueue("system", "ping", { shopId: stack.demoShop.id, nonce: options.nonce });
      const result = (await job.waitUntilFinished(events, 15_000)) as { pong?: string };
      if (result.pong !== options.nonce) throw new Error(`worker answered ${JSON.stringify(result)}`);
      return undefined;
    } finally {
      await events.close();
    }
  }, results);

  await check("webhookStoredAndProcessed", async () => {
    // An id above 2^53, written as Shopify writes it (a bare number), to prove it survives without rounding.
    const body = `{"id":9007199254740993,"email":"smoke@example.com","first_name":"Smoke","last_name":"Test","tags":"smoke"}`;
    const hmac = createHmac("sha256", stack.apiSecret).update(body).digest("base64");
    const response = await fetch(`${stack.appUrl}/webhooks/customers/create`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "customers/create",
        "x-shopify-shop-domain": stack.demoShop.domain,
        "x-shopify-api-version": "2026-07",
        "x-shopify-webhook-id": randomUUID(),
        "x-shopify-hmac-sha256": hmac,
      },
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    const { forShop } = await import("../app/db/shop-scope.server");
    const customer = await waitFor("the worker to store the customer", () =>
      forShop(stack.demoShop.id).customer.findFirst({ where: { platformId: "gid://shopify/Customer/9007199254740993" } }),
    );
    return customer.email ?? undefined;
  }, results);

  await check("webhookBadHmacRefused", async () => {
    const response = await fetch(`${stack.appUrl}/webhooks/customers/create`, {
      method: "POST",
      body: "{}",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "customers/create",
        "x-shopify-shop-domain": stack.demoShop.domain,
        "x-shopify-api-version": "2026-07",
        "x-shopify-webhook-id": randomUUID(),
        "x-shopify-hmac-sha256": "bm90IHRoZSByaWdodCBobWFj",
      },
    });
    if (response.status !== 401) throw new Error(`expected 401, got ${response.status}`);
    return undefined;
  }, results);

  await check("adminPageRenders", async () => {
    const response = await fetch(`${stack.appUrl}/app?shop=${stack.demoShop.domain}`);
    const html = await response.text();
    if (response.status !== 200) throw new Error(`GET /app answered ${response.status}`);
    if (!html.includes("Polaris-Page") || !html.includes("Promo codes")) throw new Error("the admin shell did not render");
    return undefined;
  }, results);

  await check("poolIssueThroughApi", async () => {
    const { forShop } = await import("../app/db/shop-scope.server");
    const { createApiKey } = await import("../app/services/api-keys.server");
    const db = forShop(stack.demoShop.id);
    const key = await createApiKey(db, stack.demoShop.id, `smoke ${options.nonce.slice(0, 8)}`);
    if (key.type !== "created") throw new Error(`api key: ${key.type}`);
    const pool = await db.pool.findFirstOrThrow({ where: { name: "Welcome back" } });
    const issue = () =>
      fetch(`${stack.appUrl}/api/v1/pools/${pool.id}/issue`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json", "idempotency-key": options.nonce },
        body: JSON.stringify({ customer: { id: "9007199254740995", email: "smoke-api@example.com" } }),
      });
    const first = await issue();
    const again = await issue();
    const a = (await first.json()) as { code?: string };
    const b = (await again.json()) as { code?: string; replayed?: boolean };
    if (first.status !== 201 || again.status !== 200 || !a.code || a.code !== b.code || !b.replayed) {
      throw new Error(`issue answered ${first.status}/${again.status}: ${JSON.stringify([a, b])}`);
    }
    return a.code;
  }, results);

  await check("storyEndToEnd", () => playStory(stack), results);

  await check("healthRoute", async () => {
    const response = await fetch(`${stack.appUrl}/health`);
    if (response.status !== 200) throw new Error(`health answered ${response.status}: ${await response.text()}`);
    return undefined;
  }, results);

  const ok = Object.values(results).every((r) => r.ok);
  const { prisma } = await import("../app/db.server");
  const shopId = stack.demoShop.id;
  const [codesIssued, messagesDelivered, redemptions, tasksCompleted] = await Promise.all([
    prisma.issuance.count({ where: { shopId } }),
    prisma.message.count({ where: { shopId, status: "SENT" } }),
    prisma.redemption.count({ where: { shopId } }),
    prisma.task.count({ where: { shopId, status: { in: ["EXECUTED", "SUCCEEDED", "CONDITIONS_NOT_MET"] } } }),
  ]);
  return { ok, checks: results, codesIssued, messagesDelivered, redemptions, tasksCompleted };
}

/** `triggeredAt`: when Shopify says the event happened (X-Shopify-Triggered-At); now when not given. */
function signedWebhook(stack: Stack, topic: string, payload: unknown, triggeredAt = new Date().toISOString()) {
  const body = JSON.stringify(payload);
  return fetch(`${stack.appUrl}/webhooks/${topic}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": stack.demoShop.domain,
      "x-shopify-api-version": "2026-07",
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-triggered-at": triggeredAt,
      "x-shopify-hmac-sha256": createHmac("sha256", stack.apiSecret).update(body).digest("base64"),
    },
  });
}

/**
 * The whole loop on the demo shop: two customers view products on the storefront (the pixel endpoint), which puts
 * them into the "viewed more than once" segment; its two campaigns issue a static and a dynamic code each and email
 * them to the local SMTP sink; one customer orders with the dynamic code (simulator checkout + signed webhooks),
 * which redeems it and starts the order-paid scenario, whose one-minute delay counts from the payment (orders/paid
 * fired 55 s ago here, so the smoke waits seconds, not a minute) before it issues a thank-you code and emails it.
 */
async function playStory(stack: Stack): Promise<string> {
  const { forShop } = await import("../app/db/shop-scope.server");
  const db = forShop(stack.demoShop.id);
  const store = stack.simulator.state(stack.demoShop.domain);
  const products = [...store.products.values()].slice(0, 2);
  const shoppers = (await db.customer.findMany({ where: { platformId: { startsWith: "gid://shopify/Customer/" }, email: { not: null } }, orderBy: { createdAt: "asc" }, take: 2 }))
    .filter((c) => store.customers.has(c.platformId.split("/").pop() ?? ""));
  if (shoppers.length < 2 || products.length < 2) throw new Error("the demo shop lacks customers or products");
  const sinkBefore = stack.smtp.messages.length;

  // 1. Storefront views through the pixel endpoint, as the web pixel sends them.
  const now = Date.now();
  const events = shoppers.flatMap((c, ci) =>
    products.map((p, pi) => ({
      id: `smoke-${randomUUID()}`,
      name: "product_viewed",
      timestamp: new Date(now - (ci * 2 + pi) * 1000).toISOString(),
      clientId: `smoke-client-${ci}`,
      customerId: c.platformId,
      products: [{ id: `gid://shopify/Product/${p.id}`, title: p.title, vendor: p.vendor ?? null }],
    })),
  );
  const pixel = await fetch(`${stack.appUrl}/pixel/events`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify({ v: 1, shop: stack.demoShop.domain, accountId: stack.demoShop.id, events }),
  });
  if (pixel.status !== 202) throw new Error(`pixel endpoint answered ${pixel.status}: ${await pixel.text()}`);

  // 2. The segment takes them in; both campaigns run for both: a static and a dynamic code each, emailed.
  const segment = await db.segment.findFirstOrThrow({ where: { name: "Viewed products more than once this week" } });
  await waitFor("both shoppers in the segment", async () =>
    (await db.segmentMembership.count({ where: { segmentId: segment.id, customerId: { in: shoppers.map((c) => c.id) } } })) === 2 || null,
  30_000);
  const dynamicPool = await db.pool.findFirstOrThrow({ where: { name: "Come back 15%" } });
  const dynamicCode = await waitFor(
    "a dynamic code for the first shopper",
    () => db.code.findFirst({ where: { poolId: dynamicPool.id, customerId: shoppers[0]!.id, status: "ASSIGNED" } }),
    60_000,
  );
  await waitFor("four campaign emails at the SMTP sink", async () => (stack.smtp.messages.length - sinkBefore >= 4 ? true : null), 60_000);

  // 3. The first shopper orders the product they viewed with the dynamic code.
  const product = products[0]!;
  const variant = [...store.variants.values()].find((v) => v.productId === product.id);
  if (!variant) throw new Error("the viewed product has no variant");
  const customerNumber = shoppers[0]!.platformId.split("/").pop()!;
  // The payment is reported 55 s in the past (orders/paid's X-Shopify-Triggered-At, which the order-paid delay counts
  // from), so the scenario's one-minute delay ends a few seconds from now.
  const paidAt = new Date(Date.now() - 55_000).toISOString();
  const order = stack.simulator.placeOrder(stack.demoShop.domain, {
    customerId: customerNumber,
    lines: [{ variantId: variant.id, quantity: 1 }],
    discountCodes: [dynamicCode.code],
  });
  const payload = {
    id: Number(order.id) > Number.MAX_SAFE_INTEGER ? order.id : Number(order.id),
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    created_at: order.createdAt,
    processed_at: paidAt,
    financial_status: "paid",
    currency: "USD",
    total_price: (order.totalCents / 100).toFixed(2),
    source_name: "web",
    discount_codes: [{ code: dynamicCode.code, amount: (order.totalDiscountsCents / 100).toFixed(2), type: "percentage" }],
    shipping_lines: [{ code: "Standard", source: "shopify" }],
    customer: { id: Number(customerNumber), admin_graphql_api_id: shoppers[0]!.platformId, email: shoppers[0]!.email },
  };
  for (const topic of ["orders/create", "orders/paid"]) {
    const response = await signedWebhook(stack, topic, payload, topic === "orders/paid" ? paidAt : undefined);
    if (response.status !== 200) throw new Error(`${topic} answered ${response.status}`);
  }
  await waitFor("the dynamic code redeemed", () => db.redemption.findFirst({ where: { codeId: dynamicCode.id } }), 30_000);

  // 4. The scenario's task waits out the rest of its minute, then issues the thank-you code and emails it.
  const scenario = await db.scenario.findFirstOrThrow({ where: { name: "Thank-you code a minute after payment" } });
  const task = await waitFor(
    "the thank-you task to run",
    () => db.task.findFirst({ where: { scenarioId: scenario.id, status: { in: ["EXECUTED", "SUCCEEDED"] }, codeId: { not: null } } }),
    60_000,
  );
  await waitFor("the thank-you email at the SMTP sink", async () => (stack.smtp.messages.some((m) => m.subject.startsWith("Thanks!")) ? true : null), 30_000);
  return `${shoppers.length} shoppers entered the segment; code ${dynamicCode.code} redeemed; scenario task ${task.id.slice(0, 8)} executed`;
}
