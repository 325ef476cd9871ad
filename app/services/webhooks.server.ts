// Inbound webhooks: store first, acknowledge, then process in the worker. The row in `events` is written before
// Shopify gets its 200, so a Redis outage loses nothing (the sweeper re-enqueues unprocessed events), and the
// unique (shop, source, external id) key turns redeliveries into no-ops.
//
// Deliveries arriving together are written together: one multi-row INSERT ... ON CONFLICT DO NOTHING per batch
// and one bulk enqueue, like PostgreSQL's group commit but at the app level. Each delivery still gets its answer
// only after its own row is committed; at low traffic a batch is one delivery and nothing waits. Under load the
// commit (an fsync) is shared by the whole batch, which is what lets intake keep up with a burst of orders
// (docs/decisions/0010-pixel-ingest.md, `npm run bench -- events`).
import { database, prisma } from "../db.server";
import { forShop, type ShopDb } from "../db/shop-scope.server";
import { exactJsonText } from "../domain/events/safe-json";
import { enqueue } from "../jobs/enqueue.server";
import { jobId } from "../jobs/queues";

export interface IncomingWebhook {
  shopDomain: string;
  /** Shopify's topic as sent in X-Shopify-Topic, e.g. "orders/create". */
  topic: string;
  webhookId: string;
  eventId?: string | null;
  triggeredAt?: string | null;
  rawBody: string;
}

export type ReceiveResult =
  | { type: "stored"; eventId: bigint }
  | { type: "duplicate" }
  | { type: "unknown_shop" }
  /** The body is not JSON: nothing was stored. */
  | { type: "malformed" };

const ENQUEUE_TIMEOUT_MS = 1500;
/** Rows per INSERT; a burst larger than this is written as several batches. */
const MAX_BATCH = 200;
/**
 * Batches written at once. One: while it commits, the next deliveries queue up and go together, which is what
 * makes a burst cheap (measured at concurrency 50: one in flight gives batches about twice as large, and a fifth
 * less CPU per delivery here and in PostgreSQL, than two). Latency stays one commit plus one's own.
 */
const MAX_IN_FLIGHT = 1;
/** A shop's id is looked up once in a while, not per delivery; a shop deleted meanwhile is caught on insert. */
const SHOP_CACHE_MS = 30_000;

export function webhookExternalId(input: Pick<IncomingWebhook, "topic" | "webhookId" | "eventId">): string {
  // The event id is shared by every delivery of one event; the webhook id by every retry of one delivery.
  return input.eventId ? `event:${input.topic}:${input.eventId}` : `webhook:${input.webhookId}`;
}

/**
 * Stores one delivery (batched with whatever else is arriving) and enqueues its processing. The body's JSON is
 * checked by PostgreSQL as it stores it as json (a second parse here would cost as much as the rest of intake);
 * unsafe integers are quoted first so they keep every digit.
 */
export async function receiveWebhook(input: IncomingWebhook): Promise<ReceiveResult> {
  const payload = exactJsonText(input.rawBody);
  const shopId = await shopIdOf(input.shopDomain);
  if (!shopId) return isJson(payload) ? { type: "unknown_shop" } : { type: "malformed" };
  const occurredAt = input.triggeredAt ? new Date(input.triggeredAt) : new Date();
  const result = await store.add({
    shopId,
    externalId: webhookExternalId(input),
    topic: input.topic,
    payload,
    occurredAt: Number.isNaN(occurredAt.getTime()) ? new Date() : occurredAt,
  });
  if (result.type === "unknown_shop") shopCache.delete(input.shopDomain);
  return result;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const shopCache = new Map<string, { id: string; expires: number }>();

async function shopIdOf(domain: string): Promise<string | null> {
  const cached = shopCache.get(domain);
  if (cached && cached.expires > Date.now()) return cached.id;
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) {
    shopCache.delete(domain);
    return null;
  }
  shopCache.set(domain, { id: shop.id, expires: Date.now() + SHOP_CACHE_MS });
  return shop.id;
}

interface PendingRow {
  shopId: string;
  externalId: string;
  topic: string;
  payload: string;
  occurredAt: Date;
}

interface Pending extends PendingRow {
  resolve(result: ReceiveResult): void;
  reject(error: unknown): void;
}

class WebhookStore {
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  add(row: PendingRow): Promise<ReceiveResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...row, resolve, reject });
      // Deliveries parsed in the same turn of the event loop go in the same batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.inFlight += 1;
      // The slot is the database write only: enqueuing comes after the answers (see finish).
      void this.insert(batch)
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        })
        .then((outcomes) => this.finish(batch, outcomes));
    }
  }

  private async insert(batch: Pending[]): Promise<Outcome[]> {
    try {
      return await insertRows(batch);
    } catch (error) {
      if (batch.length === 1) return [{ type: "error", error }];
      // One bad row (a shop deleted since it was cached) must not fail its neighbours: write them one by one.
      return Promise.all(
        batch.map((row) =>
          insertRows([row]).then(
            (o) => o[0]!,
            (e: unknown): Outcome => ({ type: "error", error: e }),
          ),
        ),
      );
    }
  }

  /**
   * Answers each delivery as soon as its row is committed, then enqueues: the 200 only promises the event is
   * stored. A Redis that is slow or away never holds up the answer; what it fails to take, the sweeper enqueues.
   */
  private finish(batch: Pending[], outcomes: Outcome[]): void {
    batch.forEach((row, i) => {
      const outcome = outcomes[i]!;
      if (outcome.type !== "error") return row.resolve(outcome);
      const state = sqlState(outcome.error);
      if (state === FOREIGN_KEY_VIOLATION) row.resolve({ type: "unknown_shop" });
      else if (state === INVALID_JSON) row.resolve({ type: "malformed" });
      else row.reject(outcome.error);
    });
    if (outcomes.some((o) => o.type === "stored")) {
      void enqueueWithin(ENQUEUE_TIMEOUT_MS, () => enqueueStored(batch, outcomes));
    }
  }
}

type Outcome = ReceiveResult | { type: "error"; error: unknown };

const store = new WebhookStore();

/**
 * One INSERT for the batch; rows that already existed (redeliveries) come back as duplicates. Each value is its
 * own parameter, so a payload travels as the text it arrived as (nothing escaped, nothing re-serialised) and a
 * malformed one fails as invalid JSON, never as part of another row. Names shop_id explicitly.
 */
async function insertRows(rows: PendingRow[]): Promise<ReceiveResult[]> {
  const params: unknown[] = [];
  const values = rows.map((r) => {
    const at = params.length;
    // timestamp(3) columns hold UTC wall time, as Prisma writes them.
    params.push(r.shopId, r.externalId, r.topic, r.payload, r.occurredAt.toISOString().replace("Z", ""));
    return `($${at + 1}::uuid, 'WEBHOOK', $${at + 2}, $${at + 3}, $${at + 4}::json, $${at + 5}::timestamp(3))`;
  });
  const inserted = await database().query<{ id: string; shop_id: string; external_id: string }>(
    `INSERT INTO events (shop_id, source, external_id, topic, payload, occurred_at)
     VALUES ${values.join(", ")}
     ON CONFLICT (shop_id, source, external_id) DO NOTHING
     RETURNING id::text AS id, shop_id::text AS shop_id, external_id`,
    params,
  );
  const ids = new Map(inserted.map((r) => [`${r.shop_id}|${r.external_id}`, BigInt(r.id)]));
  return rows.map((r) => {
    const key = `${r.shopId}|${r.externalId}`;
    const id = ids.get(key);
    if (id === undefined) return { type: "duplicate" };
    // The same delivery twice in one batch: the first one stored it, the second is its duplicate.
    ids.delete(key);
    return { type: "stored", eventId: id };
  });
}

/**
 * One job per shop for what this batch stored (events/processWebhooks). A burst is nearly always one shop's, so
 * this is usually a single add (about half the client-side cost of an addBulk of one).
 */
async function enqueueStored(batch: PendingRow[], outcomes: { type: string; eventId?: bigint }[]): Promise<void> {
  const byShop = new Map<string, string[]>();
  batch.forEach((row, i) => {
    const outcome = outcomes[i];
    if (outcome?.type !== "stored" || outcome.eventId === undefined) return;
    byShop.set(row.shopId, [...(byShop.get(row.shopId) ?? []), outcome.eventId.toString()]);
  });
  await Promise.all(
    [...byShop].map(([shopId, eventIds]) =>
      enqueue("events", "processWebhooks", { shopId, eventIds }, { jobId: jobId("webhooks", eventIds[0]!) }),
    ),
  );
}

const FOREIGN_KEY_VIOLATION = "23503";
/** invalid_text_representation: what PostgreSQL raises for a json value that is not JSON. */
const INVALID_JSON = "22P02";

/** The SQLSTATE of a database error, from the pg driver or PGlite, possibly wrapped. */
function sqlState(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate.code;
    current = candidate.cause;
  }
  return null;
}

/** False when Redis did not take the job in time; the stored event is picked up by the sweeper instead. */
export async function enqueueWithin(ms: number, add: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([add().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Events stored but never processed (Redis lost the job or was down), oldest first. Webhooks by default; the
 * sweeper asks for PIXEL events too, which it re-enqueues in batches.
 */
export async function unprocessedEventIds(
  shopId: string,
  olderThan: Date,
  limit = 500,
  source: "WEBHOOK" | "PIXEL" = "WEBHOOK",
): Promise<bigint[]> {
  const rows = await forShop(shopId).event.findMany({
    where: { processedAt: null, source, receivedAt: { lt: olderThan } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** A stored event for the worker to process, with its shop's domain; null when it is gone (shop redacted). */
export async function loadStoredEvent(db: ShopDb, eventId: string) {
  const event = await db.event.findFirst({ where: { id: BigInt(eventId) } });
  if (!event) return null;
  const shop = await db.shop.findFirstOrThrow({ select: { domain: true } });
  return { event, shopDomain: shop.domain };
}

/**
 * Closes a processed webhook row, linked to the customer it was about (when there is one) so that customers/redact
 * finds it. A row that a redaction closed meanwhile (or removed) is left as the redaction left it.
 */
export async function markEventProcessed(db: ShopDb, eventId: bigint, customerId: string | null = null): Promise<void> {
  await db.event.updateMany({
    where: { id: eventId, processedAt: null },
    data: { processedAt: new Date(), ...(customerId ? { customerId } : {}) },
  });
}
