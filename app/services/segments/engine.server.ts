// The segment engine: for a batch of customers and the segments they may have changed for, read every fact in two
// statements (facts.server.ts), decide membership in the domain (domain/segments/evaluate.ts), read what is stored
// for those customers and write only the difference in one statement: entries and exits as memberships plus
// transitions carrying the triggered products, member counts moved by the difference, expiry and scheduled re-check
// times moved earlier when they must.
//
// Every writer of a shop's memberships (request drains, recomputes, the expiry sweep) holds the shop's segment lock
// for its transaction, so two evaluations of one customer never interleave, what was read is still what is stored
// when the difference is written, and transition ids grow in commit order within a shop (campaigns read them by id).
import { conditionKey, parseRules, type Condition, type Rules } from "../../domain/segments/rules";
import { conditionTimeline, evaluateRule } from "../../domain/segments/evaluate";
import { isAffectedBy, ruleDependencies, ruleIsTimeDependent } from "../../domain/segments/dependencies";
import type { ShopDb, ShopTx } from "../../db/shop-scope.server";
import {
  markActivity,
  type ActivityEvent,
  type ProductAttributes,
  type RawActivity,
} from "../../domain/segments/activity";
import { compileFacts, type ActivityRow, type CompiledFacts, type FactRow } from "./facts.server";

export interface LiveSegment {
  id: string;
  version: number;
  rules: Rules;
  dependencies: number;
  timeDependent: boolean;
  /** conditionKey of rules.groups[g].conditions[c], computed once. */
  keys: string[][];
}

export interface Want {
  segmentId: string;
  customerId: string;
  expiresAt: number | null;
  products: string[];
}

export interface Recheck {
  segmentId: string;
  customerId: string;
  dueAt: number;
}

export interface ComputedBatch {
  /** Customers of this shop found among the ids asked for (unknown ids are dropped). */
  customerIds: string[];
  want: Want[];
  rechecks: Recheck[];
}

export interface AppliedBatch {
  entered: number;
  exited: number;
  updated: number;
  /** Segments that gained members: campaigns on them have entries to read once the transaction commits. */
  enteredSegments: string[];
}

const parsedCache = new Map<string, LiveSegment | null>();
const compiledCache = new Map<string, CompiledFacts>();
const CACHE_LIMIT = 500;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** A stored segment as the engine uses it; null when its stored rules no longer validate (it is then skipped). */
export function liveSegment(row: { id: string; version: number; rules: unknown }): LiveSegment | null {
  const cacheKey = `${row.id}:${row.version}`;
  if (parsedCache.has(cacheKey)) return parsedCache.get(cacheKey)!;
  const parsed = parseRules(row.rules);
  const segment = parsed.ok
    ? {
        id: row.id,
        version: row.version,
        rules: parsed.rules,
        dependencies: ruleDependencies(parsed.rules),
        timeDependent: ruleIsTimeDependent(parsed.rules),
        keys: parsed.rules.groups.map((g) => g.conditions.map(conditionKey)),
      }
    : null;
  return remember(parsedCache, cacheKey, segment);
}

export async function loadLiveSegments(db: ShopDb | ShopTx, ids?: string[]): Promise<LiveSegment[]> {
  const rows = await db.segment.findMany({
    where: { deletedAt: null, ...(ids ? { id: { in: ids } } : {}) },
    select: { id: true, version: true, rules: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(liveSegment).filter((s): s is LiveSegment => s !== null);
}

export function segmentsAffectedBy(segments: LiveSegment[], reasons: number): LiveSegment[] {
  return segments.filter((s) => isAffectedBy(s.rules, reasons));
}

function conditionsByKey(segments: LiveSegment[]): Map<string, Condition> {
  const out = new Map<string, Condition>();
  for (const s of segments)
    s.rules.groups.forEach((g, gi) => g.conditions.forEach((c, ci) => out.set(s.keys[gi]![ci]!, c)));
  return out;
}

function compiledFor(segments: LiveSegment[]): CompiledFacts {
  const key = segments.map((s) => `${s.id}:${s.version}`).join(",");
  const cached = compiledCache.get(key);
  if (cached) return cached;
  const conditions: Condition[] = segments.flatMap((s) => s.rules.groups.flatMap((g) => g.conditions));
  return remember(compiledCache, key, compileFacts(conditions));
}

/**
 * Runs a transaction under the shop's segment lock. Drains (many small jobs) do not wait: with `wait: false` the
 * answer is null when another writer holds the lock, and that writer drains pending requests once it lets go
 * (requests.server.ts), so nothing is left behind. Recomputes and the expiry sweep (one job each) wait their turn.
 */
export async function withShopLock<T>(
  db: ShopDb,
  shopId: string,
  fn: (tx: ShopTx) => Promise<T>,
  options: { wait: boolean } = { wait: false },
): Promise<{ value: T } | null> {
  const key = `segments:${shopId}`;
  return db.$transaction(
    async (tx) => {
      if (options.wait) {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))::text AS locked`;
      } else {
        const [row] = await tx.$queryRaw<
          { locked: boolean }[]
        >`SELECT pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) AS locked`;
        if (!row?.locked) return null;
      }
      return { value: await fn(tx) };
    },
    { timeout: 10 * 60_000, maxWait: 30_000 },
  );
}

/** The batch's storefront events, marked with the filters each matches, by customer. */
async function readActivity(
  tx: ShopTx,
  shopId: string,
  compiled: CompiledFacts,
  customerIds: string[],
  at: number,
): Promise<Map<string, ActivityEvent[]>> {
  const statement = compiled.activity!;
  const [row] = await tx.$queryRawUnsafe<ActivityRow[]>(statement.sql, shopId, customerIds, at, ...statement.params);
  const events: RawActivity[] = [];
  const productIds = new Set<string>();
  if (row?.events) {
    for (const text of row.events.split("\x1e")) {
      const [n, t, topic, product, collection] = text.split("\x1f");
      const productId = product ? product : null;
      if (productId) productIds.add(productId);
      events.push({
        customerId: customerIds[Number(n) - 1]!,
        at: Number(t),
        topic: topic!,
        productId,
        collectionId: collection ? collection : null,
      });
    }
  }
  const products = new Map<string, ProductAttributes>();
  if (compiled.needsProducts && productIds.size) {
    const rows = await tx.$queryRaw<
      { platform_id: string; vendor: string | null; product_type: string | null; collection_ids: string[] }[]
    >`
      SELECT platform_id, vendor, product_type, collection_ids FROM products
      WHERE shop_id = ${shopId}::uuid AND platform_id = ANY(${[...productIds]}::text[])`;
    for (const r of rows)
      products.set(r.platform_id, {
        vendor: r.vendor,
        productType: r.product_type,
        collectionIds: r.collection_ids ?? [],
      });
  }
  return markActivity(events, compiled.filters, products);
}

/** Reads the facts of a batch and decides membership for each (segment, customer); writes nothing. */
export async function computeBatch(
  tx: ShopTx,
  shopId: string,
  segments: LiveSegment[],
  customerIds: string[],
  now: Date,
): Promise<ComputedBatch> {
  if (segments.length === 0 || customerIds.length === 0) return { customerIds: [], want: [], rechecks: [] };
  const compiled = compiledFor(segments);
  const at = now.getTime();
  const rows = await tx.$queryRawUnsafe<FactRow[]>(
    compiled.customers.sql,
    shopId,
    customerIds,
    at,
    ...compiled.customers.params,
  );
  const activity =
    compiled.activity && rows.length
      ? await readActivity(
          tx,
          shopId,
          compiled,
          rows.map((r) => r.customer_id),
          at,
        )
      : new Map();
  const byKey = conditionsByKey(segments);
  const conditions = compiled.keys.map((key) => byKey.get(key)!);
  const slots = segments.map((segment) => segment.keys.map((row) => row.map((key) => compiled.keys.indexOf(key))));
  const decode = compiled.prepare(at);

  const out: ComputedBatch = { customerIds: [], want: [], rechecks: [] };
  for (const row of rows) {
    out.customerIds.push(row.customer_id);
    const facts = decode(row, activity.get(row.customer_id) ?? []);
    const timelines = facts.map((fact, i) => conditionTimeline(conditions[i]!, fact, at));
    segments.forEach((segment, s) => {
      const slot = slots[s]!;
      const evaluation = evaluateRule(segment.rules, (g, c) => timelines[slot[g]![c]!]!);
      if (evaluation.member) {
        out.want.push({
          segmentId: segment.id,
          customerId: row.customer_id,
          expiresAt: evaluation.nextChangeAt,
          products: evaluation.triggeredProducts,
        });
      } else if (evaluation.nextChangeAt !== null) {
        out.rechecks.push({ segmentId: segment.id, customerId: row.customer_id, dueAt: evaluation.nextChangeAt });
      }
    });
  }
  return out;
}

/**
 * A stored expiry (or re-check time) is rewritten only when the new one is earlier, or the stored one is due.
 * A later one can wait: re-checking a member early finds them still in and moves the time on then. Most events
 * push a member's expiry later, so most evaluations of members write nothing.
 */
export function needsEarlierTime(stored: number | null, next: number | null, now: number): boolean {
  if (stored === null) return next !== null;
  return stored <= now || (next !== null && next < stored);
}

/**
 * The current memberships and re-checks of a batch's customers in the evaluated segments, keyed
 * "segmentId:customerId" with their time in epoch ms (or null). Read as one text per table, segment and customer
 * named by their position in the arrays sent: thousands of rows of uuids cost more to decode than to read.
 */
async function storedState(tx: ShopTx, shopId: string, segments: LiveSegment[], customerIds: string[]) {
  const segmentIds = segments.map((s) => s.id);
  const read = async (table: "segment_memberships" | "segment_rechecks", column: "expires_at" | "due_at") => {
    const [row] = await tx.$queryRawUnsafe<{ rows: string | null }[]>(
      `SELECT string_agg(s.n || ':' || c.n || ':' || coalesce(((extract(epoch FROM t.${column}) * 1000)::bigint)::text, ''), ',') AS rows
       FROM ${table} t
       JOIN unnest($2::text[]::uuid[]) WITH ORDINALITY AS c(id, n) ON c.id = t.customer_id
       JOIN unnest($3::text[]::uuid[]) WITH ORDINALITY AS s(id, n) ON s.id = t.segment_id
       WHERE t.shop_id = $1::uuid AND t.customer_id = ANY($2::text[]::uuid[])`,
      shopId,
      customerIds,
      segmentIds,
    );
    const out = new Map<string, number | null>();
    if (!row?.rows) return out;
    for (const entry of row.rows.split(",")) {
      const [s, c, at] = entry.split(":");
      out.set(`${segmentIds[Number(s) - 1]}:${customerIds[Number(c) - 1]}`, at ? Number(at) : null);
    }
    return out;
  };
  const timed = segments.some((s) => s.timeDependent);
  const [members, rechecks] = await Promise.all([
    read("segment_memberships", "expires_at"),
    timed ? read("segment_rechecks", "due_at") : new Map<string, number | null>(),
  ]);
  return { members, rechecks };
}

interface AppliedRow {
  entered: number;
  exited: number;
}

/**
 * Writes what changed in a computed batch. Entries insert a membership with the products that made the customer
 * match (kept as the reasons they entered) and an ENTER transition; exits delete it with an EXIT transition
 * carrying those products; member counts move by the difference; expiries and re-check times move earlier when
 * they must (needsEarlierTime). The caller holds the shop lock, so what was read is still what is stored.
 */
export async function applyBatch(
  tx: ShopTx,
  shopId: string,
  segments: LiveSegment[],
  batch: ComputedBatch,
  now: Date,
): Promise<AppliedBatch> {
  if (batch.customerIds.length === 0) return { entered: 0, exited: 0, updated: 0, enteredSegments: [] };
  const at = now.getTime();
  const stored = await storedState(tx, shopId, segments, batch.customerIds);
  const enter: Want[] = [];
  const move: Want[] = [];
  for (const want of batch.want) {
    const key = `${want.segmentId}:${want.customerId}`;
    if (!stored.members.has(key)) enter.push(want);
    else if (needsEarlierTime(stored.members.get(key)!, want.expiresAt, at)) move.push(want);
    stored.members.delete(key);
  }
  const exit = [...stored.members.keys()].map((key) => key.split(":") as [string, string]);
  const due: Recheck[] = [];
  for (const recheck of batch.rechecks) {
    const key = `${recheck.segmentId}:${recheck.customerId}`;
    if (!stored.rechecks.has(key) || needsEarlierTime(stored.rechecks.get(key)!, recheck.dueAt, at)) due.push(recheck);
    stored.rechecks.delete(key);
  }
  const undue = [...stored.rechecks.keys()].map((key) => key.split(":") as [string, string]);
  if (!enter.length && !move.length && !exit.length && !due.length && !undue.length)
    return { entered: 0, exited: 0, updated: 0, enteredSegments: [] };

  // Segments and customers travel once, as arrays; each row names them by position (small integers instead of
  // tens of thousands of uuids to serialise and parse).
  const segmentIds = segments.map((s) => s.id);
  const segmentAt = new Map(segmentIds.map((id, i) => [id, i + 1]));
  const customerAt = new Map(batch.customerIds.map((id, i) => [id, i + 1]));
  const si = (id: string) => segmentAt.get(id)!;
  const ci = (id: string) => customerAt.get(id)!;
  const ts = (column: string) => `(to_timestamp(${column} / 1000) AT TIME ZONE 'UTC')`;
  const [row] = await tx.$queryRawUnsafe<AppliedRow[]>(
    `WITH k AS MATERIALIZED (SELECT $3::text[]::uuid[] AS s, $4::text[]::uuid[] AS c),
     entering AS (
       -- No ON CONFLICT: under the shop lock, what was read is what is stored, so a duplicate is a bug to surface.
       INSERT INTO segment_memberships (id, shop_id, segment_id, customer_id, entered_at, expires_at, triggered_products)
       SELECT gen_random_uuid(), $1::uuid, k.s[w.si], k.c[w.ci], ${ts("$2::float8")}, ${ts("w.expires_ms")}, w.products::jsonb
       FROM unnest($5::int[], $6::int[], $7::float8[], $8::text[]) AS w(si, ci, expires_ms, products) CROSS JOIN k
       RETURNING segment_id, customer_id, triggered_products
     ),
     leaving AS (
       DELETE FROM segment_memberships m
       USING (SELECT k.s[x.si] AS segment_id, k.c[x.ci] AS customer_id FROM unnest($9::int[], $10::int[]) AS x(si, ci) CROSS JOIN k) x
       WHERE m.shop_id = $1::uuid AND m.segment_id = x.segment_id AND m.customer_id = x.customer_id
       RETURNING m.segment_id, m.customer_id, m.triggered_products
     ),
     moved AS (
       UPDATE segment_memberships m SET expires_at = ${ts("x.expires_ms")}
       FROM (SELECT k.s[x.si] AS segment_id, k.c[x.ci] AS customer_id, x.expires_ms FROM unnest($11::int[], $12::int[], $13::float8[]) AS x(si, ci, expires_ms) CROSS JOIN k) x
       WHERE m.shop_id = $1::uuid AND m.segment_id = x.segment_id AND m.customer_id = x.customer_id
     ),
     recorded AS (
       INSERT INTO segment_transitions (shop_id, segment_id, customer_id, kind, triggered_products, created_at)
       SELECT $1::uuid, segment_id, customer_id, 'ENTER'::"TransitionKind", triggered_products, ${ts("$2::float8")} FROM entering
       UNION ALL
       SELECT $1::uuid, segment_id, customer_id, 'EXIT'::"TransitionKind", triggered_products, ${ts("$2::float8")} FROM leaving
     ),
     counted AS (
       UPDATE segments s SET member_count = s.member_count + d.delta
       FROM (
         SELECT segment_id, sum(delta)::int AS delta
         FROM (SELECT segment_id, 1 AS delta FROM entering UNION ALL SELECT segment_id, -1 FROM leaving) x
         GROUP BY segment_id
       ) d
       WHERE s.id = d.segment_id AND s.shop_id = $1::uuid AND d.delta <> 0
     ),
     scheduled AS (
       INSERT INTO segment_rechecks AS r (segment_id, customer_id, shop_id, due_at)
       SELECT k.s[x.si], k.c[x.ci], $1::uuid, ${ts("x.due_ms")}
       FROM unnest($14::int[], $15::int[], $16::float8[]) AS x(si, ci, due_ms) CROSS JOIN k
       ON CONFLICT (segment_id, customer_id) DO UPDATE SET due_at = EXCLUDED.due_at
     ),
     unscheduled AS (
       DELETE FROM segment_rechecks r
       USING (SELECT k.s[x.si] AS segment_id, k.c[x.ci] AS customer_id FROM unnest($17::int[], $18::int[]) AS x(si, ci) CROSS JOIN k) x
       WHERE r.shop_id = $1::uuid AND r.segment_id = x.segment_id AND r.customer_id = x.customer_id
     )
     -- Every data-modifying CTE runs to completion whether or not this SELECT reads it.
     SELECT (SELECT count(*) FROM entering)::int AS entered, (SELECT count(*) FROM leaving)::int AS exited`,
    shopId,
    at,
    segmentIds,
    batch.customerIds,
    enter.map((w) => si(w.segmentId)),
    enter.map((w) => ci(w.customerId)),
    enter.map((w) => w.expiresAt),
    enter.map((w) => JSON.stringify(w.products)),
    exit.map(([segmentId]) => si(segmentId)),
    exit.map(([, customerId]) => ci(customerId)),
    move.map((w) => si(w.segmentId)),
    move.map((w) => ci(w.customerId)),
    move.map((w) => w.expiresAt),
    due.map((r) => si(r.segmentId)),
    due.map((r) => ci(r.customerId)),
    due.map((r) => r.dueAt),
    undue.map(([segmentId]) => si(segmentId)),
    undue.map(([, customerId]) => ci(customerId)),
  );
  return {
    entered: row?.entered ?? 0,
    exited: row?.exited ?? 0,
    updated: move.length,
    enteredSegments: [...new Set(enter.map((w) => w.segmentId))],
  };
}

/** Evaluates and writes one batch; the caller holds the shop lock (withShopLock). */
export async function evaluateBatch(
  tx: ShopTx,
  shopId: string,
  segments: LiveSegment[],
  customerIds: string[],
  now: Date,
): Promise<AppliedBatch & { customers: number }> {
  const computed = await computeBatch(tx, shopId, segments, customerIds, now);
  const applied = await applyBatch(tx, shopId, segments, computed, now);
  return { ...applied, customers: computed.customerIds.length };
}
