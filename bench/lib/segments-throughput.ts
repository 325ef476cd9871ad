// Segment throughput on the machine's PostgreSQL: 1,000,000 product_viewed events for 100,000 customers against
// 20 segments, from queue to memberships, then checked against a full recompute.
//
// - Setup (not timed): a shop with 2,000 products (25 vendors, 12 types, 40 collections), 100,000 customers (a fifth
//   tagged vip, half accepting marketing) and 20 segments mixing every product-activity form: any product, picked
//   products, collections, vendors, types; at least / more than / exactly; windows of 48 hours to 7 days and all
//   time; grouped by record; AND / OR groups with tags and consent.
// - Timed (BENCH_SEGMENT_MODE=queue, the default): the events are stored first, in time order, as the pixel endpoint
//   stores them (rows in `events`, source PIXEL, topic product_viewed, customer_id set, processed); storing is
//   ingest, the events bench's subject, and is reported but not timed, followed by the VACUUM ANALYZE autovacuum
//   would run on a table that took a million inserts. Then the clock starts with the worker, a
//   separate `npm run worker` process (app/jobs/worker.server.ts, concurrency 4), and eight producer lanes replay
//   the queue side in arrival order: requestSegmentEvaluation once per 50 events, as the pixel job does per batch.
//   The clock stops when no evaluation is pending (segment_requests empty: every claim committed).
//   With BENCH_SEGMENT_MODE=stream the events are stored inside the timed window, interleaved with the requests
//   (and, on a server with autovacuum off, the insert-triggered VACUUM ANALYZE autovacuum would run at 20% growth).
// - Check (the baseline, timed separately): compareWithRecompute evaluates all 100,000 customers against the 20
//   segments in one pass and compares with the memberships the incremental path left: same members, same
//   triggered products, same expiry. No window boundary is crossed during the run (events are at most 47 hours
//   old, the shortest window is 48 hours), so a recompute at the end must agree exactly.
//
// Sizes shrink with BENCH_SEGMENT_EVENTS and BENCH_SEGMENT_CUSTOMERS for a quick check.
import { randomUUID } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { BENCH_DATABASE_URL, BENCH_QUEUE_PREFIX, BENCH_REDIS_URL, ensureBenchDatabase, setBenchEnv } from "./bench-env";
import type { RulesInput } from "../../app/domain/segments/rules";
import { phaseTimer } from "./phases";

const EVENTS = Number(process.env.BENCH_SEGMENT_EVENTS ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_SEGMENT_CUSTOMERS ?? 100_000);
const PRODUCTS = 2000;
const VENDORS = 25;
const TYPES = 12;
const COLLECTIONS = 40;
/** Concurrent producers: the pixel jobs one worker process runs at once (WORKER_CONCURRENCY's default). */
const LANES = 8;
const STORE_CHUNK = 1000;
/** Events per requestSegmentEvaluation call: one pixel batch's worth. */
const CALL_EVENTS = 50;
const SPAN_MS = 47 * 3_600_000;
const WORKER_CONCURRENCY = 4;
const SHOP_DOMAIN_PREFIX = "segments-bench-";
/**
 * queue (default): the events are stored before the clock starts and their evaluation requests are replayed in
 * arrival order while the worker drains: from queue to memberships. stream: storing the events is inside the
 * timed window too, interleaved with the requests, as the pixel pipeline does.
 */
const MODE = process.env.BENCH_SEGMENT_MODE === "stream" ? "stream" : "queue";
const QUEUE_PREFIX = `${BENCH_QUEUE_PREFIX}-segments`;

export interface SegmentsMeasurement {
  segmentEventsPerSec: number;
  segmentSeconds: number;
  membershipsMatchRecompute: boolean;
}

export interface SegmentsBenchDetails extends SegmentsMeasurement {
  events: number;
  customers: number;
  segments: number;
  mode: "queue" | "stream";
  storeSeconds: number;
  recomputeSeconds: number;
  memberships: number;
  /** Customer evaluations the drains did (a customer requested again after being evaluated counts again). */
  customerEvaluations: number;
  drainBatches: number;
  transitions: number;
  mismatches: string[];
  phaseSeconds: Record<string, number>;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const gid = (kind: string, n: number) => `gid://shopify/${kind}/${n}`;

/** A small seeded generator, so every run plays the same history. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function benchSegments(): { name: string; rules: RulesInput }[] {
  const days = (value: number) => ({ value, unit: "days" as const });
  const hours = (value: number) => ({ value, unit: "hours" as const });
  const viewed = (target: object, op: string, value: number, window: object | null, groupByRecord = false) => ({
    kind: "product_activity",
    action: "viewed",
    target,
    op,
    value,
    window,
    groupByRecord,
  });
  const one = (condition: object): RulesInput =>
    ({ join: "and", groups: [{ join: "and", conditions: [condition] }] }) as RulesInput;
  const any = { type: "any" };
  const products = (...n: number[]) => ({ type: "products", ids: n.map((i) => gid("Product", i)) });
  const collections = (...n: number[]) => ({ type: "collections", ids: n.map((i) => gid("Collection", i)) });
  const vendors = (...n: number[]) => ({ type: "vendors", values: n.map((i) => `Vendor ${i}`) });
  const types = (...n: number[]) => ({ type: "product_types", values: n.map((i) => `Type ${i}`) });
  return [
    { name: "Viewed anything this week", rules: one(viewed(any, "at_least", 1, days(7))) },
    { name: "Busy browsers", rules: one(viewed(any, "at_least", 5, days(3))) },
    { name: "Three products this week", rules: one(viewed(any, "at_least", 3, days(7), true)) },
    { name: "Flagship fans", rules: one(viewed(products(1), "at_least", 1, null)) },
    { name: "Top five, twice", rules: one(viewed(products(2, 3, 4, 5, 6), "at_least", 2, hours(72))) },
    { name: "Collection 0 twice", rules: one(viewed(collections(0), "at_least", 2, days(7))) },
    { name: "Collections 1 or 2", rules: one(viewed(collections(1, 2), "at_least", 1, hours(96), true)) },
    { name: "Vendor 0 regulars", rules: one(viewed(vendors(0), "at_least", 3, null)) },
    { name: "Vendors 1 and 2", rules: one(viewed(vendors(1, 2), "at_least", 1, days(7))) },
    { name: "Type 0 more than twice", rules: one(viewed(types(0), "more_than", 2, days(7))) },
    { name: "Types 1-2 exactly two products", rules: one(viewed(types(1, 2), "exactly", 2, null, true)) },
    { name: "Ten views ever", rules: one(viewed(any, "at_least", 10, null)) },
    {
      name: "VIPs in collection 3",
      rules: {
        join: "and",
        groups: [
          {
            join: "and",
            conditions: [
              viewed(collections(3), "at_least", 1, days(7)),
              { kind: "customer_tags", match: "any", tags: ["vip"] },
            ],
          },
        ],
      } as RulesInput,
    },
    {
      name: "Vendor 3 or type 3",
      rules: {
        join: "or",
        groups: [
          { join: "and", conditions: [viewed(vendors(3), "at_least", 2, null)] },
          { join: "and", conditions: [viewed(types(3), "at_least", 2, null)] },
        ],
      } as RulesInput,
    },
    {
      name: "Subscribed and active",
      rules: {
        join: "and",
        groups: [
          {
            join: "and",
            conditions: [viewed(any, "at_least", 2, hours(48)), { kind: "marketing_consent", subscribed: true }],
          },
        ],
      } as RulesInput,
    },
    {
      name: "Second ten, grouped",
      rules: one(viewed(products(10, 11, 12, 13, 14, 15, 16, 17, 18, 19), "at_least", 1, days(7), true)),
    },
    { name: "Collection 4 exactly once", rules: one(viewed(collections(4), "exactly", 1, days(7))) },
    { name: "More than seven this week", rules: one(viewed(any, "more_than", 7, days(7))) },
    {
      name: "Collections 5 and 6",
      rules: {
        join: "and",
        groups: [
          {
            join: "and",
            conditions: [
              viewed(collections(5), "at_least", 1, days(7)),
              viewed(collections(6), "at_least", 1, days(7)),
            ],
          },
        ],
      } as RulesInput,
    },
    { name: "Vendor 4, two products", rules: one(viewed(vendors(4), "at_least", 2, null, true)) },
  ];
}

export async function runSegmentsBench(log: (line: string) => void): Promise<SegmentsBenchDetails> {
  const { phases, timed } = phaseTimer();

  const url = BENCH_DATABASE_URL;
  setBenchEnv(url);
  // Its own queue prefix: the worker process it starts consumes every queue under it, never another bench's jobs.
  process.env.QUEUE_PREFIX = QUEUE_PREFIX;
  await timed("migrate", () => ensureBenchDatabase(url));
  const { connectPostgres } = await import("../../app/db/connect.server");
  const { registerDatabase, prisma } = await import("../../app/db.server");
  const db = connectPostgres(url, { max: 16 });
  registerDatabase(db);
  const { parseRules } = await import("../../app/domain/segments/rules");
  const { requestSegmentEvaluation } = await import("../../app/services/segments/triggers.server");
  const { compareWithRecompute } = await import("../../app/services/segments/recompute.server");
  const { closeQueues, queue } = await import("../../app/jobs/enqueue.server");

  const deleteShop = async (shopId: string) => {
    const literal = `'${shopId.replaceAll("'", "''")}'::uuid`;
    // Cascading a million events and their memberships row by row takes minutes: empty the big tables with the
    // foreign-key triggers off (superuser only; these tables hold only this shop's bench rows here), then cascade.
    const tables = [
      "segment_transitions",
      "segment_memberships",
      "segment_rechecks",
      "segment_requests",
      "events",
      "customers",
      "products",
    ];
    await db
      .withConnection(async (conn) => {
        await conn.execScript(`BEGIN; SET LOCAL session_replication_role = replica;
          ${tables.map((t) => `DELETE FROM ${t} WHERE shop_id = ${literal};`).join("\n")}
          COMMIT;`);
      })
      .catch(async (error: unknown) => {
        log(`fast cleanup unavailable (${(error as Error).message}); cascading from the shop row instead`);
        await db.execScript("ROLLBACK").catch(() => undefined);
      });
    await prisma.$executeRaw`DELETE FROM shops WHERE id = ${shopId}::uuid`;
  };

  await timed("cleanLeftovers", async () => {
    const leftovers = await prisma.shop.findMany({
      where: { domain: { startsWith: SHOP_DOMAIN_PREFIX } },
      select: { id: true },
    });
    for (const s of leftovers) await deleteShop(s.id);
    if (leftovers.length) log(`removed ${leftovers.length} shop(s) left by an earlier run`);
    await queue("segments").obliterate({ force: true });
    for (const t of ["events", "customers", "segment_memberships", "segment_transitions"])
      await db.execScript(`VACUUM ANALYZE ${t}`);
  });

  const shop = await prisma.shop.create({
    data: { domain: `${SHOP_DOMAIN_PREFIX}${randomUUID().slice(0, 8)}.myshopify.com`, name: "segments bench" },
  });
  const shopId = shop.id;
  const rand = random(5);
  const customerIds = Array.from({ length: CUSTOMERS }, () => randomUUID());
  let worker: ChildProcess | null = null;

  try {
    await timed("setup", async () => {
      const productRows = Array.from({ length: PRODUCTS }, (_, i) => {
        const n = i + 1;
        const collections = [gid("Collection", n % COLLECTIONS), gid("Collection", (n * 7 + 3) % COLLECTIONS)];
        return {
          id: gid("Product", n),
          vendor: `Vendor ${n % VENDORS}`,
          type: `Type ${n % TYPES}`,
          collections: `{${[...new Set(collections)].join(",")}}`,
        };
      });
      await db.query(
        `INSERT INTO products (id, shop_id, platform_id, title, vendor, product_type, collection_ids, updated_at)
         SELECT gen_random_uuid(), $1::uuid, p.id, 'Product ' || split_part(p.id, '/', 5), p.vendor, p.type, p.collections::text[], now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS p(id, vendor, type, collections)`,
        [
          shopId,
          productRows.map((p) => p.id),
          productRows.map((p) => p.vendor),
          productRows.map((p) => p.type),
          productRows.map((p) => p.collections),
        ],
      );
      for (let i = 0; i < CUSTOMERS; i += 10_000) {
        const ids = customerIds.slice(i, i + 10_000);
        await db.query(
          `INSERT INTO customers (id, shop_id, platform_id, email, tags, accepts_marketing, platform_created_at, created_at, updated_at)
           SELECT c.id, $1::uuid, 'gid://shopify/Customer/' || (c.n + $3::int), 'c' || (c.n + $3::int) || '@bench.example',
                  CASE WHEN (c.n + $3::int) % 5 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END, (c.n + $3::int) % 2 = 0,
                  now() - interval '400 days', now(), now()
           FROM unnest($2::uuid[]) WITH ORDINALITY AS c(id, n)`,
          [shopId, ids, i],
        );
      }
      const now = new Date();
      for (const s of benchSegments()) {
        const parsed = parseRules(s.rules);
        if (!parsed.ok) throw new Error(`bench segment "${s.name}" is invalid: ${JSON.stringify(parsed.errors)}`);
        // Created as already recomputed: with no events yet there is nothing to backfill, and a backfill of every
        // customer per segment would run inside the measurement.
        await prisma.segment.create({ data: { shopId, name: s.name, rules: parsed.rules, recomputedAt: now } });
      }
      await db.execScript("ANALYZE customers; ANALYZE products; ANALYZE segments");
    });
    log(
      `shop ${shopId}: ${CUSTOMERS.toLocaleString("en")} customers, ${PRODUCTS} products, ${benchSegments().length} segments`,
    );

    // The history: in time order, each event a random customer viewing a product (popular ones more often).
    const start = Date.now() - SPAN_MS;
    const eventAt = (i: number) => start + Math.floor((i * SPAN_MS) / EVENTS);
    const customersOf: string[][] = [];
    const storeChunk = async (from: number, count: number) => {
      const ext: string[] = [];
      const cust: string[] = [];
      const client: string[] = [];
      const prod: string[] = [];
      const variant: string[] = [];
      const payload: string[] = [];
      const at: number[] = [];
      for (let i = from; i < from + count; i++) {
        const c = Math.floor(rand() * CUSTOMERS);
        const p = 1 + Math.floor(PRODUCTS * rand() * rand());
        const v = p * 10 + Math.floor(rand() * 3);
        const id = randomUUID();
        const when = eventAt(i);
        ext.push(id);
        cust.push(customerIds[c]!);
        client.push(`client-${c}`);
        prod.push(gid("Product", p));
        variant.push(gid("ProductVariant", v));
        at.push(when);
        payload.push(
          JSON.stringify({
            id,
            name: "product_viewed",
            timestamp: new Date(when).toISOString(),
            clientId: `client-${c}`,
            products: [{ id: String(p), variantId: String(v) }],
          }),
        );
      }
      await db.query(
        `INSERT INTO events (shop_id, source, external_id, topic, customer_id, client_id, product_id, variant_id, payload, occurred_at, received_at, processed_at)
         SELECT $1::uuid, 'PIXEL', x.ext, 'product_viewed', x.cust, x.client, x.prod, x.variant, x.payload::jsonb,
                to_timestamp(x.at / 1000) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
         FROM unnest($2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[])
           AS x(ext, cust, client, prod, variant, payload, at)`,
        [shopId, ext, cust, client, prod, variant, payload, at],
      );
      return cust;
    };
    /** What the pixel job does after storing a batch: one request per 50 events, for their customers. */
    const request = async (customers: string[]) => {
      for (let i = 0; i < customers.length; i += CALL_EVENTS) {
        await requestSegmentEvaluation(shopId, customers.slice(i, i + CALL_EVENTS), "events");
      }
    };
    /** Runs `work` on consecutive chunks of the history, LANES at a time, in order. */
    const inLanes = async (work: (chunk: number) => Promise<void>) => {
      let next = 0;
      const chunks = Math.ceil(EVENTS / STORE_CHUNK);
      await Promise.all(
        Array.from({ length: LANES }, async () => {
          for (let chunk = next++; chunk < chunks; chunk = next++) await work(chunk);
        }),
      );
    };
    const chunkSize = (chunk: number) => Math.min(STORE_CHUNK, EVENTS - chunk * STORE_CHUNK);

    let storeSeconds = 0;
    if (MODE === "queue") {
      // The events are in the database before the clock starts (ingest is the events bench's subject).
      const started = performance.now();
      await timed("store", () =>
        inLanes(async (chunk) => {
          customersOf[chunk] = await storeChunk(chunk * STORE_CHUNK, chunkSize(chunk));
        }),
      );
      storeSeconds = (performance.now() - started) / 1000;
      log(`stored ${EVENTS.toLocaleString("en")} events in ${storeSeconds.toFixed(1)} s (not timed)`);
      // What autovacuum does to a table that took a million inserts (PostgreSQL 13+ vacuums on inserts): visibility
      // map and statistics current, so reads are index-only as in a shop's steady state.
      await timed("vacuum", () => db.execScript("VACUUM (ANALYZE) events"));
    }

    worker = await startWorkerProcess(url, log);
    const t0 = performance.now();
    await timed("events", async () => {
      if (MODE === "queue") {
        await inLanes((chunk) => request(customersOf[chunk]!));
        log(
          `requested evaluation for ${EVENTS.toLocaleString("en")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      } else {
        // The growing table needs statistics and a visibility map, as autovacuum keeps them (insert-triggered vacuum
        // at 20% growth). This server may run with autovacuum off; the bench then does what it would.
        const [auto] = await db.query<{ autovacuum: string }>("SHOW autovacuum", []);
        let stored = 0;
        let vacuumedAt = 0;
        let vacuuming: Promise<void> | null = null;
        await inLanes(async (chunk) => {
          const customers = await storeChunk(chunk * STORE_CHUNK, chunkSize(chunk));
          stored += customers.length;
          if (auto?.autovacuum === "off" && !vacuuming && stored >= Math.max(1000, vacuumedAt * 1.2)) {
            vacuumedAt = stored;
            vacuuming = db.execScript("VACUUM (ANALYZE) events").finally(() => (vacuuming = null));
          }
          await request(customers);
        });
        await vacuuming;
        storeSeconds = (performance.now() - t0) / 1000;
        log(
          `stored ${EVENTS.toLocaleString("en")} events and requested their evaluation in ${storeSeconds.toFixed(1)} s`,
        );
      }
      let lastLog = Date.now();
      for (;;) {
        const [row] = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM segment_requests WHERE shop_id = $1::uuid`,
          [shopId],
        );
        const pending = Number(row?.n ?? 0);
        if (pending === 0) break;
        if (Date.now() - lastLog > 5000) {
          log(`  ${pending.toLocaleString("en")} customers still pending`);
          lastLog = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    const segmentSeconds = (performance.now() - t0) / 1000;
    // How much evaluating the queue took: the drain jobs' own accounts (customers evaluated, batches), once the last
    // one has finished (it commits its last batch before it looks for more and returns).
    for (
      let i = 0;
      i < 100 && (await queue("segments").getActiveCount()) + (await queue("segments").getWaitingCount()) > 0;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const drains = await queue("segments").getJobs(["completed"], 0, 100_000);
    const evaluated = drains
      .filter((j) => j.name === "evaluate")
      .map(
        (j) =>
          (typeof j.returnvalue === "string" ? JSON.parse(j.returnvalue) : j.returnvalue) as {
            customers?: number;
            batches?: number;
          } | null,
      );
    const customerEvaluations = evaluated.reduce((sum, r) => sum + (r?.customers ?? 0), 0);
    const drainBatches = evaluated.reduce((sum, r) => sum + (r?.batches ?? 0), 0);
    log(
      `the worker evaluated ${customerEvaluations.toLocaleString("en")} customers in ${drainBatches} batches (${evaluated.length} drain jobs)`,
    );
    log(`memberships current ${segmentSeconds.toFixed(1)} s after the first event`);

    await stopWorkerProcess(worker);
    worker = null;

    const comparedAt = new Date();
    const started = performance.now();
    const comparison = await timed("recompute", () => compareWithRecompute(shopId, { now: comparedAt }));
    const recomputeSeconds = (performance.now() - started) / 1000;
    log(
      `full recompute of ${comparison.customers.toLocaleString("en")} customers: ${recomputeSeconds.toFixed(1)} s; ` +
        `${comparison.memberships.toLocaleString("en")} memberships; missing ${comparison.missing}, unexpected ${comparison.unexpected}, different ${comparison.different}`,
    );
    for (const example of comparison.examples) log(`  ${example}`);
    const [transitions] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM segment_transitions WHERE shop_id = $1::uuid`,
      [shopId],
    );
    return {
      segmentEventsPerSec: Math.round(EVENTS / segmentSeconds),
      segmentSeconds: round(segmentSeconds),
      membershipsMatchRecompute: comparison.matches,
      events: EVENTS,
      customers: CUSTOMERS,
      segments: benchSegments().length,
      mode: MODE,
      storeSeconds: round(storeSeconds),
      recomputeSeconds: round(recomputeSeconds),
      memberships: comparison.memberships,
      customerEvaluations,
      drainBatches,
      transitions: Number(transitions?.n ?? 0),
      mismatches: comparison.examples,
      phaseSeconds: phases,
    };
  } finally {
    if (worker) await stopWorkerProcess(worker).catch(() => undefined);
    if (process.env.BENCH_SEGMENT_KEEP === "1") log(`kept shop ${shopId} (BENCH_SEGMENT_KEEP=1)`);
    else
      await timed("cleanup", async () => {
        await queue("segments")
          .obliterate({ force: true })
          .catch((error: unknown) => log(`could not clear the bench queue: ${(error as Error).message}`));
        await closeQueues();
        await deleteShop(shopId);
      });
    log(`phases (s): ${JSON.stringify(phases)}`);
    await db.close();
  }
}

/** The worker as production runs it (`npm run worker`), on the bench database and queue prefix. */
async function startWorkerProcess(url: string, log: (line: string) => void): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--max-semi-space-size=16", "--import", "tsx", path.resolve("app/jobs/worker.server.ts")],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        REDIS_URL: BENCH_REDIS_URL,
        QUEUE_PREFIX,
        WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
        DEMO_MODE: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes("[worker] consuming")) resolve();
      for (const line of text.split("\n")) if (line.includes("failed")) log(`worker: ${line}`);
    });
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it started`)));
  });
  log(`worker process ${child.pid} started (concurrency ${WORKER_CONCURRENCY})`);
  return child;
}

async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** The three numbers the events bench reports for segments. */
export async function measureSegments(log: (line: string) => void): Promise<SegmentsMeasurement> {
  const { segmentEventsPerSec, segmentSeconds, membershipsMatchRecompute } = await runSegmentsBench(log);
  return { segmentEventsPerSec, segmentSeconds, membershipsMatchRecompute };
}
