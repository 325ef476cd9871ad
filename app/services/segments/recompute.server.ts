// Full recompute: every customer of the shop evaluated against a segment, in chunks, each chunk under the shop's
// segment lock. Used when a segment is created or its rules change (existing customers are backfilled, members who
// no longer match leave with an EXIT), and by the benchmark and tests to check that incremental evaluation ended
// where a recompute would (compareWithRecompute writes nothing).
import { forShop, type ShopDb, type ShopTx } from "../../db/shop-scope.server";
import {
  computeBatch,
  evaluateBatch,
  liveSegment,
  loadLiveSegments,
  withShopLock,
  type LiveSegment,
} from "./engine.server";
import { drainRequests } from "./requests.server";
import { notifySegmentEntries } from "./transitions.server";

const CHUNK = 5000;

async function customerChunk(
  tx: ShopTx | ShopDb,
  shopId: string,
  after: string | null,
  size: number,
): Promise<{ id: string; platformId: string }[]> {
  // Keyset over the shop's (shop_id, platform_id) unique index: never walks other shops' customers.
  return tx.customer.findMany({
    where: after === null ? {} : { platformId: { gt: after } },
    orderBy: { platformId: "asc" },
    take: size,
    select: { id: true, platformId: true },
  });
}

export type RecomputeResult =
  | { type: "done"; customers: number; entered: number; exited: number }
  /** The segment was edited (a newer recompute takes over) or deleted meanwhile. */
  | { type: "stale" }
  | { type: "not_found" };

export async function recomputeSegment(
  shopId: string,
  segmentId: string,
  version: number,
  options: { now?: () => Date; chunk?: number } = {},
): Promise<RecomputeResult> {
  const db = forShop(shopId);
  const now = options.now ?? (() => new Date());
  const size = options.chunk ?? CHUNK;
  const totals = { customers: 0, entered: 0, exited: 0 };
  let after: string | null = null;
  for (;;) {
    const step = await withShopLock(
      db,
      shopId,
      async (tx) => {
        const row = await tx.segment.findFirst({
          where: { id: segmentId },
          select: { id: true, version: true, rules: true, deletedAt: true },
        });
        if (!row) return { type: "not_found" as const };
        if (row.deletedAt || row.version !== version) return { type: "stale" as const };
        const segment = liveSegment(row);
        if (!segment) return { type: "stale" as const };
        const chunk = await customerChunk(tx, shopId, after, size);
        if (chunk.length === 0) {
          await tx.segment.updateMany({ where: { id: segmentId, version }, data: { recomputedAt: now() } });
          return { type: "finished" as const };
        }
        const outcome = await evaluateBatch(
          tx,
          shopId,
          [segment],
          chunk.map((c) => c.id),
          now(),
        );
        return { type: "chunk" as const, last: chunk[chunk.length - 1]!.platformId, ...outcome };
      },
      { wait: true },
    );
    const value = step!.value;
    if (value.type === "not_found" || value.type === "stale") return value;
    if (value.type === "finished") break;
    notifySegmentEntries(shopId, value.enteredSegments);
    after = value.last;
    totals.customers += value.customers;
    totals.entered += value.entered;
    totals.exited += value.exited;
    // Requests recorded while this chunk held the lock may have had their drain turned away.
    await drainRequests(shopId, { now, budgetMs: 5_000 });
  }
  return { type: "done", ...totals };
}

export interface RecomputeComparison {
  matches: boolean;
  customers: number;
  memberships: number;
  /** Memberships a recompute would create that are missing. */
  missing: number;
  /** Memberships that exist but a recompute would not keep. */
  unexpected: number;
  /** Memberships on both sides whose stored expiry is later than the recompute's (it may be earlier, never later). */
  different: number;
  examples: string[];
}

/** Evaluates every customer against every live segment and compares with the stored memberships; writes nothing. */
export async function compareWithRecompute(
  shopId: string,
  options: { now?: Date; chunk?: number; segments?: LiveSegment[] } = {},
): Promise<RecomputeComparison> {
  const db = forShop(shopId);
  const now = options.now ?? new Date();
  const size = options.chunk ?? CHUNK;
  const segments = options.segments ?? (await loadLiveSegments(db));
  const result: RecomputeComparison = {
    matches: true,
    customers: 0,
    memberships: 0,
    missing: 0,
    unexpected: 0,
    different: 0,
    examples: [],
  };
  const note = (text: string) => {
    result.matches = false;
    if (result.examples.length < 10) result.examples.push(text);
  };
  let after: string | null = null;
  for (;;) {
    const chunk = await customerChunk(db, shopId, after, size);
    if (chunk.length === 0) break;
    after = chunk[chunk.length - 1]!.platformId;
    const ids = chunk.map((c) => c.id);
    const [computed, stored] = await db.$transaction(
      async (tx) =>
        Promise.all([
          computeBatch(tx, shopId, segments, ids, now),
          tx.segmentMembership.findMany({
            where: { customerId: { in: ids }, segmentId: { in: segments.map((s) => s.id) } },
            select: { segmentId: true, customerId: true, expiresAt: true },
          }),
        ]),
      { timeout: 120_000 },
    );
    result.customers += computed.customerIds.length;
    result.memberships += stored.length;
    const storedByKey = new Map(stored.map((m) => [`${m.segmentId}:${m.customerId}`, m]));
    for (const want of computed.want) {
      const key = `${want.segmentId}:${want.customerId}`;
      const have = storedByKey.get(key);
      storedByKey.delete(key);
      if (!have) {
        result.missing++;
        note(`missing ${key}`);
        continue;
      }
      // A stored expiry may be earlier than the truth (it moves on when re-checked), never later.
      const stored = have.expiresAt?.getTime() ?? null;
      const soundExpiry =
        stored === want.expiresAt || (stored !== null && (want.expiresAt === null || stored < want.expiresAt));
      if (!soundExpiry) {
        result.different++;
        note(
          `late expiry ${key}: stored ${have.expiresAt?.toISOString() ?? "none"}, ` +
            `recompute ${want.expiresAt === null ? "none" : new Date(want.expiresAt).toISOString()}`,
        );
      }
    }
    for (const key of storedByKey.keys()) {
      result.unexpected++;
      note(`unexpected ${key}`);
    }
  }
  return result;
}
