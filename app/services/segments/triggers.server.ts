// The seam between what happens to customers (storefront events, orders, customer updates, codes issued or
// redeemed) and segment membership. Producers call requestSegmentEvaluation after they have stored what
// happened; the segments engine decides which segments can have changed for those customers.
//
// The request is stored in PostgreSQL before the promise resolves (a Redis outage loses nothing; it rejects only
// when the database cannot take it), and a drain job is asked for a moment later, so a burst of events for the same
// customers is evaluated once (app/services/segments/requests.server.ts). Calls made by this process in the same
// turn of the event loop (concurrent pixel or webhook jobs) share one statement: each still resolves only once its
// customers are stored.
import { forShop } from "../../db/shop-scope.server";
import { REASONS } from "../../domain/segments/dependencies";
import { loadLiveSegments } from "./engine.server";
import { recordRequest, scheduleDrain } from "./requests.server";

export type SegmentEvaluationReason = "events" | "orders" | "customer" | "codes";

interface Pending {
  reasons: Map<string, number>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const pending = new Map<string, Pending>();

export function requestSegmentEvaluation(
  shopId: string,
  customerIds: string[],
  reason: SegmentEvaluationReason,
): Promise<void> {
  if (customerIds.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let batch = pending.get(shopId);
    if (!batch) {
      batch = { reasons: new Map(), waiters: [] };
      pending.set(shopId, batch);
      setImmediate(() => void flush(shopId));
    }
    for (const id of customerIds) batch.reasons.set(id, (batch.reasons.get(id) ?? 0) | REASONS[reason]);
    batch.waiters.push({ resolve, reject });
  });
}

async function flush(shopId: string): Promise<void> {
  const batch = pending.get(shopId);
  pending.delete(shopId);
  if (!batch) return;
  const byReasons = new Map<number, string[]>();
  for (const [id, bits] of batch.reasons) {
    const ids = byReasons.get(bits);
    if (ids) ids.push(id);
    else byReasons.set(bits, [id]);
  }
  try {
    let recorded = 0;
    for (const [bits, ids] of byReasons) recorded += await recordRequest(forShop(shopId), shopId, ids, bits);
    if (recorded > 0) scheduleDrain(shopId);
    for (const w of batch.waiters) w.resolve();
  } catch (error) {
    for (const w of batch.waiters) w.reject(error);
  }
}

/**
 * How long a process trusts what it read of a shop's segments' dependencies. Issuing a code is a hot path that
 * most shops' segments never look at: it asks for an evaluation only when some live segment depends on codes. A
 * segment created meanwhile in another process is seen within this time; its own full recompute covers what
 * happened before it started.
 */
export const WATCHED_REASONS_TTL_MS = 5_000;
const watched = new Map<string, { bits: number; until: number }>();

async function watchedReasons(shopId: string, now = Date.now()): Promise<number> {
  const cached = watched.get(shopId);
  if (cached && cached.until > now) return cached.bits;
  const segments = await loadLiveSegments(forShop(shopId));
  const bits = segments.reduce((all, s) => all | s.dependencies, 0);
  watched.set(shopId, { bits, until: now + WATCHED_REASONS_TTL_MS });
  return bits;
}

/** This process saved a segment: the next check reads the shop's segments again. */
export function forgetWatchedReasons(shopId: string): void {
  watched.delete(shopId);
}

/**
 * requestSegmentEvaluation for producers on hot paths (codes issued): nothing is written when no live segment of
 * the shop depends on the reason. Never rejects: what it was asked after has already happened and is stored, so a
 * failure is logged (the shop's next full recompute, or the customer's next evaluation, catches up).
 */
export async function requestSegmentEvaluationIfWatched(
  shopId: string,
  customerIds: string[],
  reason: SegmentEvaluationReason,
): Promise<void> {
  if (customerIds.length === 0) return;
  try {
    if (((await watchedReasons(shopId)) & REASONS[reason]) === 0) return;
    await requestSegmentEvaluation(shopId, customerIds, reason);
  } catch (error) {
    console.warn(`[segments] could not request an evaluation (${reason}) for ${customerIds.length} customer(s) of ${shopId}: ${(error as Error).message}`);
  }
}
