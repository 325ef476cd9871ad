// Storefront events in, measured (`npm run bench -- events`):
//
// 1. Webhook ingest: signed orders/create deliveries (a realistic REST order, ~4 KB, unique webhook and event ids,
//    order ids above 2^53) at concurrency 50 for 20 s against the running app: the production build
//    (react-router build) served by server/app-server.ts in its own process, on PostgreSQL (promo_bench) and Redis,
//    as `npm start` would run it (its own pool from DATABASE_URL). Each delivery is HMAC-checked, stored in
//    `events` and enqueued before its 200. No worker runs: this measures intake, and the jobs are removed after.
//    Baseline in the same run: a bare Node HTTP server (bench/lib/bare-http-child.ts) that reads the body and
//    answers 200, in its own process, driven by the same load generator (bench/lib/http-load.ts). The two are
//    measured in alternating 5 s slices (20 s each in all) after a short warm-up each, so a noisy neighbour on
//    this shared machine weighs on both sides; the app's warm-up goes to another shop. Afterwards the events of
//    the measured shop are counted in the database: stored must equal the deliveries answered 200, once each.
// 2. Segment throughput: added by the segments module at the marked place below.
//
// Goals: ingestRatio >= 0.5, p99Ms < 200, stored === sent. BENCH_EVENTS_SECONDS shortens the phases for a check.
import { createHmac, randomUUID } from "node:crypto";
import { BENCH_DATABASE_URL, ensureBenchDatabase, setBenchEnv } from "../lib/bench-env";
import { mergeLoads, runLoad, startChildServer, type LoadRequest, type LoadResult } from "../lib/http-load";
import { measureSegments } from "../lib/segments-throughput";

const SECONDS = Number(process.env.BENCH_EVENTS_SECONDS ?? 20);
const WARMUP_SECONDS = Math.min(3, SECONDS);
const CONCURRENCY = 50;
const SLICE_SECONDS = 5;
/** BENCH_EVENTS_ROUTER=1 sends webhooks through React Router and the package (the `npm start` path) instead. */
const THROUGH_ROUTER = process.env.BENCH_EVENTS_ROUTER === "1";
const SECRET = `events-bench-${randomUUID()}`;
const BASE_ORDER_ID = 9007199254740993n;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** An orders/create body shaped like Shopify's REST payload, with the fields the app reads and the bulk it skips. */
function orderBody(n: number): string {
  const id = (BASE_ORDER_ID + BigInt(n)).toString();
  const line = (k: number) => ({
    id: (BASE_ORDER_ID * 2n + BigInt(n * 10 + k)).toString(),
    admin_graphql_api_id: `gid://shopify/LineItem/${BASE_ORDER_ID * 2n + BigInt(n * 10 + k)}`,
    product_id: 7_000_000_000 + k,
    variant_id: 8_000_000_000 + k,
    title: `Linen shirt ${k}`,
    variant_title: "M / Blue",
    vendor: "Acme",
    sku: `LS-${k}-M`,
    quantity: 1 + (k % 2),
    price: "49.00",
    price_set: {
      shop_money: { amount: "49.00", currency_code: "EUR" },
      presentment_money: { amount: "49.00", currency_code: "EUR" },
    },
    total_discount: "4.90",
    discount_allocations: [{ amount: "4.90", discount_application_index: 0 }],
    tax_lines: [{ title: "VAT", rate: 0.2, price: "8.17" }],
    properties: [],
    requires_shipping: true,
    taxable: true,
    gift_card: false,
  });
  // JSON.stringify cannot write an integer above 2^53 unquoted; the id is spliced in as Shopify sends it.
  const json = JSON.stringify({
    id: "__ORDER_ID__",
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${100000 + n}`,
    email: `buyer${n % 5000}@example.com`,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    currency: "EUR",
    financial_status: "paid",
    fulfillment_status: null,
    total_price: "98.00",
    subtotal_price: "88.20",
    total_tax: "16.34",
    total_discounts: "9.80",
    source_name: "web",
    discount_codes: [{ code: "WELCOME10", amount: "9.80", type: "percentage" }],
    shipping_lines: [{ code: "Standard", source: "shopify", price: "0.00", title: "Standard" }],
    billing_address: {
      first_name: "Jane",
      last_name: "Doe",
      address1: "1 Rue de la Paix",
      city: "Paris",
      zip: "75002",
      country_code: "FR",
    },
    shipping_address: {
      first_name: "Jane",
      last_name: "Doe",
      address1: "1 Rue de la Paix",
      city: "Paris",
      zip: "75002",
      country_code: "FR",
    },
    customer: {
      id: 6_000_000_000 + (n % 5000),
      admin_graphql_api_id: `gid://shopify/Customer/${6_000_000_000 + (n % 5000)}`,
      email: `buyer${n % 5000}@example.com`,
      first_name: "Jane",
      last_name: "Doe",
      tags: "",
      email_marketing_consent: { state: "subscribed" },
    },
    line_items: [line(1), line(2), line(3)],
    note_attributes: [],
    tags: "",
  });
  return json.replace('"__ORDER_ID__"', id);
}

function delivery(shop: string, n: number, prefix: string): LoadRequest {
  const body = orderBody(n);
  return {
    path: "/webhooks/orders/create",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": "orders/create",
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-07",
      "x-shopify-webhook-id": `${prefix}-wh-${n}`,
      "x-shopify-event-id": `${prefix}-ev-${n}`,
      "x-shopify-triggered-at": new Date().toISOString(),
      "x-shopify-hmac-sha256": createHmac("sha256", SECRET).update(body, "utf8").digest("base64"),
    },
  };
}

export async function run(log: (line: string) => void) {
  const url = BENCH_DATABASE_URL;
  setBenchEnv(url);
  process.env.SHOPIFY_API_SECRET = SECRET;
  await ensureBenchDatabase(url);
  const { ensureBuild } = await import("../../server/stack");
  ensureBuild(log);
  const { connectPostgres } = await import("../../app/db/connect.server");
  const { registerDatabase, prisma } = await import("../../app/db.server");
  const db = connectPostgres(url, { max: 4 });
  registerDatabase(db);

  const shops = {
    warm: `events-bench-warm-${randomUUID().slice(0, 8)}.myshopify.com`,
    measured: `events-bench-${randomUUID().slice(0, 8)}.myshopify.com`,
  };
  const shopIds: string[] = [];
  for (const domain of Object.values(shops)) {
    const shop = await prisma.shop.create({ data: { domain, name: "Events bench", scopes: "read_orders" } });
    // An installed shop has an offline session; the webhook authentication looks it up.
    await prisma.session.create({
      data: {
        id: `offline_${domain}`,
        shop: domain,
        state: "installed",
        isOnline: false,
        accessToken: "shpat_bench",
        scope: "read_orders",
      },
    });
    shopIds.push(shop.id);
  }
  const measuredShopId = shopIds[1]!;

  // The machine is shared and noisy: the two servers are measured in alternating slices, so a neighbour's burst
  // lands on both sides rather than on one.
  const slices = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
  const sliceMs = (SECONDS * 1000) / slices;
  const bareSlices: LoadResult[] = [];
  const ingestSlices: LoadResult[] = [];
  let stored = 0;
  let distinct = 0;
  const bareServer = await startChildServer("bench/lib/bare-http-child.ts", {});
  const app = await startChildServer(
    "bench/lib/ingest-app-child.ts",
    {
      BENCH_DATABASE_URL: url,
      SHOPIFY_API_SECRET: SECRET,
      NODE_ENV: "production",
      BENCH_WEBHOOKS_THROUGH_ROUTER: THROUGH_ROUTER ? "1" : "0",
    },
    ["--max-semi-space-size=16"],
  );
  try {
    let n = 0;
    const load = (target: string, ms: number, shop: string, prefix: string) =>
      runLoad({ url: target, concurrency: CONCURRENCY, durationMs: ms, next: () => delivery(shop, n++, prefix) });
    await load(bareServer.url, WARMUP_SECONDS * 1000, shops.warm, "bare");
    await load(app.url, WARMUP_SECONDS * 1000, shops.warm, "warm");
    for (let i = 0; i < slices; i++) {
      bareSlices.push(await load(bareServer.url, sliceMs, shops.warm, "bare"));
      ingestSlices.push(await load(app.url, sliceMs, shops.measured, "run"));
      log(`slice ${i + 1}/${slices}: bare ${bareSlices.at(-1)!.perSec}/s, ingest ${ingestSlices.at(-1)!.perSec}/s`);
    }
    const [row] = await db.query<{ stored: number; distinct: number }>(
      "SELECT count(*)::int AS stored, count(DISTINCT external_id)::int AS distinct FROM events WHERE shop_id = $1",
      [measuredShopId],
    );
    stored = row?.stored ?? 0;
    distinct = row?.distinct ?? 0;
  } finally {
    await Promise.all([bareServer.stop(), app.stop()]);
    await prisma.session.deleteMany({ where: { shop: { in: Object.values(shops) } } });
    await prisma.shop.deleteMany({ where: { id: { in: shopIds } } });
    const { closeQueues, queue } = await import("../../app/jobs/enqueue.server");
    await queue("webhooks")
      .obliterate({ force: true })
      .catch(() => undefined);
    await closeQueues();
  }
  const bare = mergeLoads(bareSlices);
  const ingest = mergeLoads(ingestSlices);
  log(`bare http: ${bare.perSec}/s, p99 ${bare.p99Ms} ms (${bare.sent} requests)`);
  log(
    `webhook ingest: ${ingest.perSec}/s, p50 ${ingest.p50Ms} ms, p99 ${ingest.p99Ms} ms, statuses ${JSON.stringify(ingest.statuses)}`,
  );

  const result: Record<string, unknown> = {
    ingestPerSec: ingest.perSec,
    bareHttpPerSec: bare.perSec,
    ingestRatio: round(ingest.perSec / bare.perSec, 3),
    p99Ms: ingest.p99Ms,
    stored,
    sent: ingest.ok,
    storedOnce: stored === distinct && stored === ingest.ok,
    failedDeliveries: ingest.sent - ingest.ok,
    ingestP50Ms: ingest.p50Ms,
    bareP99Ms: bare.p99Ms,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    path: THROUGH_ROUTER ? "react-router" : "lean",
  };

  // --- segment throughput (begin)
  // 1M product views for 100k customers against 20 segments, from queue to memberships, checked against a full
  // recompute (bench/lib/segments-throughput.ts). BENCH_EVENTS_SKIP_SEGMENTS=1 runs the ingest half alone.
  if (process.env.BENCH_EVENTS_SKIP_SEGMENTS !== "1") Object.assign(result, await measureSegments(log));
  // --- segment throughput (end)

  await db.close();
  return result;
}
