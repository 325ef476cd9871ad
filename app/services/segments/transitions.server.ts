// What campaigns consume: entries into and exits from segments, in the order they were recorded, each carrying the
// triggered products (what made the customer match; dynamic codes are restricted to them). A consumer keeps the
// last id it handled and asks for what came after. Within a shop, ids grow in commit order: every writer of a
// shop's memberships holds the shop's segment lock (engine.server.ts), so a transition with a lower id is never
// committed after one with a higher id has been read.
import type { TransitionKind } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";

export interface SegmentTransitionView {
  /** The cursor: pass the last one handled as `afterId`. */
  id: string;
  segmentId: string;
  customerId: string;
  kind: TransitionKind;
  triggeredProducts: string[];
  at: Date;
}

export async function listTransitionsSince(
  db: ShopDb,
  options: { afterId?: string | null; segmentId?: string; kind?: TransitionKind; take?: number } = {},
): Promise<SegmentTransitionView[]> {
  const rows = await db.segmentTransition.findMany({
    where: {
      ...(options.afterId ? { id: { gt: BigInt(options.afterId) } } : {}),
      ...(options.segmentId ? { segmentId: options.segmentId } : {}),
      ...(options.kind ? { kind: options.kind } : {}),
    },
    orderBy: { id: "asc" },
    take: Math.min(options.take ?? 500, 5000),
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    segmentId: r.segmentId,
    customerId: r.customerId,
    kind: r.kind,
    triggeredProducts: Array.isArray(r.triggeredProducts) ? r.triggeredProducts.map(String) : [],
    at: r.createdAt,
  }));
}

/** The newest id, so a consumer that starts now (a campaign without "also run for current members") skips history. */
export async function latestTransitionId(db: ShopDb): Promise<string | null> {
  const row = await db.segmentTransition.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return row ? row.id.toString() : null;
}

/** Told which segments gained members, after the transaction that recorded the entries committed. */
export type SegmentEntriesListener = (shopId: string, segmentIds: string[]) => unknown;

const listeners = new Set<SegmentEntriesListener>();

/**
 * Lets a consumer react to new entries at once instead of at its next poll (campaigns register their wake-up
 * here). Returns the unsubscribe function.
 */
export function onSegmentEntries(listener: SegmentEntriesListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Never in the engine's way: a listener's failure is the listener's, and consumers also poll. */
export function notifySegmentEntries(shopId: string, segmentIds: Iterable<string>): void {
  const ids = [...new Set(segmentIds)];
  if (ids.length === 0) return;
  for (const listener of listeners) {
    try {
      void Promise.resolve(listener(shopId, ids)).catch(() => undefined);
    } catch {
      // see above
    }
  }
}
