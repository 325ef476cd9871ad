// The messages sweep: PostgreSQL is the truth, Redis only wakes rows up. A QUEUED message whose job Redis lost (an
// outage when it was queued, a flush), whose lease ran out (its worker was killed mid-send) or whose retry job
// vanished is re-enqueued here once it has been due for a grace period. Enqueueing a message twice is harmless:
// the send job's claim lets one of them through.
import type { ShopDb } from "../../db/shop-scope.server";
import { resumeStalledBroadcasts } from "../campaigns/broadcast.server";
import { resumeStalledBulkActions } from "../campaigns/bulk-actions.server";
import { enqueueSends } from "./store.server";

export interface SweepOptions {
  /** How long a message may be due without being picked up before it counts as lost. */
  graceMs?: number;
  /** Messages re-enqueued per sweep at most; the next sweep takes the rest. */
  limit?: number;
  now?: Date;
}

export const SWEEP_GRACE_MS = 2 * 60_000;

/** QUEUED rows due (never leased, lease over, or retry time reached) for longer than the grace period. */
export async function lostMessageIds(db: ShopDb, shopId: string, options: SweepOptions = {}): Promise<bigint[]> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.graceMs ?? SWEEP_GRACE_MS));
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM messages
    WHERE shop_id = ${shopId}::uuid AND status = 'QUEUED' AND COALESCE(sent_at, created_at) <= ${cutoff}::timestamp
    ORDER BY id
    LIMIT ${options.limit ?? 5000}`;
  return rows.map((r) => r.id);
}

export async function sweepMessages(db: ShopDb, shopId: string, options: SweepOptions = {}): Promise<{ requeued: number; broadcasts: number; bulkActions: number }> {
  const now = options.now ?? new Date();
  const ids = await lostMessageIds(db, shopId, { ...options, now });
  // A tag per minute: a chunk swept again next minute gets a new job, not the finished one's id.
  if (ids.length) await enqueueSends(shopId, ids, { tag: `s${Math.floor(now.getTime() / 60_000)}` });
  const broadcasts = await resumeStalledBroadcasts(db, shopId, undefined, now);
  const bulkActions = await resumeStalledBulkActions(db, shopId, now);
  return { requeued: ids.length, broadcasts, bulkActions };
}
