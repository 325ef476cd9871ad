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

  await check("healthRoute", async () => {
    const response = await fetch(`${stack.appUrl}/health`);
    if (response.status !== 200) throw new Error(`health answered ${response.status}: ${await response.text()}`);
    return undefined;
  }, results);

  const ok = Object.values(results).every((r) => r.ok);
  const { prisma } = await import("../app/db.server");
  const codesIssued = await prisma.issuance.count({ where: { shopId: stack.demoShop.id } });
  return { ok, checks: results, codesIssued };
}
