// Pending evaluations. requestSegmentEvaluation records which customers changed and why in segment_requests (in
// PostgreSQL, so a Redis outage or a restart loses nothing) and asks the worker to drain them soon. One row per
// pending customer: a burst of requests for the same customer merges into it, so the customer is evaluated once
// however many events arrived meanwhile.
//
// A drain reads the oldest rows (without locking them: producers never wait for an evaluation), evaluates their
// customers, and in the transaction that writes the outcome deletes each row only if its version is still the one
// it read. A request that came in during the evaluation bumped the version, so its customer stays pending and is
// evaluated again with what that request's producer stored; a worker killed mid-batch deleted nothing.
import { forShop, type ShopDb } from "../../db/shop-scope.server";
import { enqueue } from "../../jobs/enqueue.server";
import { evaluateBatch, loadLiveSegments, segmentsAffectedBy, withShopLock } from "./engine.server";
import { notifySegmentEntries } from "./transitions.server";
import { isUuid } from "../../domain/ids";

/** Customers evaluated per transaction. */
export const DEFAULT_BATCH = 5000;
/** A drain job stops after this long and enqueues its continuation, so one shop cannot hold a worker slot for ever. */
const DRAIN_BUDGET_MS = 30_000;

/**
 * Marks customers of this shop pending (ids of unknown customers or of another shop are ignored). Rows are written
 * in customer id order, so two producers naming the same customers never wait on each other in a cycle.
 */
export async function recordRequest(
  db: ShopDb,
  shopId: string,
  customerIds: string[],
  reasons: number,
): Promise<number> {
  const ids = [...new Set(customerIds.filter((id) => isUuid(id)).map((id) => id.toLowerCase()))].sort();
  if (ids.length === 0 || reasons === 0) return 0;
  return db.$executeRaw`
    INSERT INTO segment_requests AS r (customer_id, shop_id, reasons, requested_at, version)
    SELECT c.id, c.shop_id, ${reasons}::int, (now() AT TIME ZONE 'UTC'), 1
    FROM customers c WHERE c.shop_id = ${shopId}::uuid AND c.id = ANY(${ids}::text[]::uuid[])
    ORDER BY c.id
    ON CONFLICT (customer_id) DO UPDATE SET reasons = r.reasons | EXCLUDED.reasons, version = r.version + 1`;
}

interface ClaimedRow {
  customer_id: string;
  reasons: number;
  version: number;
}

export interface DrainResult {
  /** False when another writer held the shop's lock: it drains what is pending when it lets go. */
  ran: boolean;
  batches: number;
  customers: number;
  entered: number;
  exited: number;
  /** Requests were left for a continuation job (the time budget ran out). */
  remaining: boolean;
}

export interface DrainOptions {
  now?: () => Date;
  batchSize?: number;
  budgetMs?: number;
  /** Seams for tests that race a producer against a drain or kill one mid-batch; both run inside the transaction. */
  onClaimed?: () => Promise<void>;
  onWritten?: () => Promise<void>;
}

/**
 * Evaluates pending requests until none are left or the budget runs out. After letting go of the lock it looks
 * once more: a request recorded while the lock was held may have had its job turned away by that lock.
 */
export async function drainRequests(shopId: string, options: DrainOptions = {}): Promise<DrainResult> {
  const db = forShop(shopId);
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const deadline = Date.now() + (options.budgetMs ?? DRAIN_BUDGET_MS);
  const result: DrainResult = { ran: false, batches: 0, customers: 0, entered: 0, exited: 0, remaining: false };
  for (;;) {
    const locked = await withShopLock(db, shopId, async (tx) => {
      const claimed = await tx.$queryRaw<ClaimedRow[]>`
        SELECT customer_id::text AS customer_id, reasons, version FROM segment_requests
        WHERE shop_id = ${shopId}::uuid ORDER BY requested_at LIMIT ${batchSize}`;
      if (claimed.length === 0) return null;
      await options.onClaimed?.();
      const byReasons = new Map<number, string[]>();
      for (const { customer_id: id, reasons } of claimed) {
        const ids = byReasons.get(reasons);
        if (ids) ids.push(id);
        else byReasons.set(reasons, [id]);
      }
      const segments = await loadLiveSegments(tx);
      const at = now();
      const totals = { customers: claimed.length, entered: 0, exited: 0, enteredSegments: [] as string[] };
      for (const [reasons, ids] of byReasons) {
        const outcome = await evaluateBatch(tx, shopId, segmentsAffectedBy(segments, reasons), ids, at);
        totals.entered += outcome.entered;
        totals.exited += outcome.exited;
        totals.enteredSegments.push(...outcome.enteredSegments);
      }
      // Rows are locked in customer id order, the order producers write them in, so neither waits on the other in a
      // cycle; a row a producer bumped since it was read keeps its customer pending.
      const read = new Map(claimed.map((c) => [c.customer_id, c.version]));
      const locked = await tx.$queryRaw<{ customer_id: string; version: number }[]>`
        SELECT customer_id::text AS customer_id, version FROM segment_requests
        WHERE shop_id = ${shopId}::uuid AND customer_id = ANY(${[...read.keys()]}::text[]::uuid[])
        ORDER BY customer_id FOR UPDATE`;
      const done = locked.filter((r) => read.get(r.customer_id) === r.version).map((r) => r.customer_id);
      if (done.length) {
        await tx.$executeRaw`
          DELETE FROM segment_requests WHERE shop_id = ${shopId}::uuid AND customer_id = ANY(${done}::text[]::uuid[])`;
      }
      await options.onWritten?.();
      return totals;
    });
    if (locked === null) return result;
    result.ran = true;
    if (locked.value === null) {
      // Nothing was pending when this transaction looked; something recorded since is seen by the next turn.
      if (!(await hasPendingRequests(db))) return result;
      continue;
    }
    notifySegmentEntries(shopId, locked.value.enteredSegments);
    result.batches++;
    result.customers += locked.value.customers;
    result.entered += locked.value.entered;
    result.exited += locked.value.exited;
    if (Date.now() > deadline) {
      result.remaining = await hasPendingRequests(db);
      return result;
    }
  }
}

async function hasPendingRequests(db: ShopDb): Promise<boolean> {
  return (await db.segmentRequest.findFirst({ select: { customerId: true } })) !== null;
}

export async function pendingRequestCount(db: ShopDb): Promise<number> {
  return db.segmentRequest.count();
}

/**
 * Asks the worker to drain a shop's requests after a short pause, so a burst of requests from this process becomes
 * one job (a trailing debounce: the job always runs after the last request of the burst). Never in the caller's
 * way: if Redis is away the requests wait in PostgreSQL for the expiry sweep, which drains them too.
 */
const scheduled = new Map<string, NodeJS.Timeout>();
export const COALESCE_MS = 250;

export function scheduleDrain(shopId: string): void {
  if (scheduled.has(shopId)) return;
  const timer = setTimeout(() => {
    scheduled.delete(shopId);
    enqueue("segments", "evaluate", { shopId }).catch(() => undefined);
  }, COALESCE_MS);
  timer.unref();
  scheduled.set(shopId, timer);
}
