// Time windows on schedule. A member's expires_at is when their rule stops holding unless new activity arrives
// (their views leave "the last 7 days"); a non-member's segment_rechecks row is when it starts to hold with time
// alone. Every minute a sweep per shop re-evaluates whoever is due, so members leave within a minute of their
// expiry, with an EXIT transition, and a member who was active again meanwhile stays with a later expiry.
// The sweep also drains requests a lost job left behind and (hourly, from the worker) corrects member counts that
// cascading deletes (customer redaction) moved without us.
import { prisma } from "../../db.server";
import { forShop } from "../../db/shop-scope.server";
import { evaluateBatch, loadLiveSegments, withShopLock } from "./engine.server";
import { drainRequests } from "./requests.server";
import { notifySegmentEntries } from "./transitions.server";

const DUE_BATCH = 2000;
/** A safety net: one sweep never loops for ever on customers whose expiry would not move forward. */
const MAX_ROUNDS = 1000;

interface DueRow {
  segment_id: string;
  customer_id: string;
}

export interface ExpiryResult {
  customers: number;
  entered: number;
  exited: number;
  drained: number;
  recounted: number;
}

export async function runSegmentExpiry(
  shopId: string,
  options: { now?: Date; batchSize?: number; recount?: boolean } = {},
): Promise<ExpiryResult> {
  const db = forShop(shopId);
  const now = options.now ?? new Date();
  const size = options.batchSize ?? DUE_BATCH;
  const result: ExpiryResult = { customers: 0, entered: 0, exited: 0, drained: 0, recounted: 0 };
  const seen = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const step = await withShopLock(
      db,
      shopId,
      async (tx) => {
        const due = await tx.$queryRaw<DueRow[]>`
          (SELECT segment_id::text AS segment_id, customer_id::text AS customer_id FROM segment_memberships
            WHERE shop_id = ${shopId}::uuid AND expires_at <= ${now} ORDER BY expires_at LIMIT ${size})
          UNION
          (SELECT segment_id::text, customer_id::text FROM segment_rechecks
            WHERE shop_id = ${shopId}::uuid AND due_at <= ${now} ORDER BY due_at LIMIT ${size})`;
        const fresh = due.filter((d) => !seen.has(`${d.segment_id}:${d.customer_id}`));
        if (fresh.length === 0) return null;
        for (const d of fresh) seen.add(`${d.segment_id}:${d.customer_id}`);
        const segments = await loadLiveSegments(tx, [...new Set(fresh.map((d) => d.segment_id))]);
        const customers = [...new Set(fresh.map((d) => d.customer_id))];
        const outcome = await evaluateBatch(tx, shopId, segments, customers, now);
        // Rows of segments that are gone or no longer valid cannot be evaluated: drop them, or they stay due.
        const live = new Set(segments.map((s) => s.id));
        const orphaned = [...new Set(fresh.map((d) => d.segment_id))].filter((id) => !live.has(id));
        if (orphaned.length) {
          await tx.segmentMembership.deleteMany({
            where: { segmentId: { in: orphaned }, customerId: { in: customers } },
          });
          await tx.segmentRecheck.deleteMany({ where: { segmentId: { in: orphaned }, customerId: { in: customers } } });
        }
        return outcome;
      },
      { wait: true },
    );
    const outcome = step?.value;
    if (!outcome) break;
    notifySegmentEntries(shopId, outcome.enteredSegments);
    result.customers += outcome.customers;
    result.entered += outcome.entered;
    result.exited += outcome.exited;
  }
  result.drained = (await drainRequests(shopId, { now: () => now })).customers;
  if (options.recount ?? true) result.recounted = await recountMembers(shopId);
  return result;
}

/** Sets member_count from the memberships where they disagree; returns how many segments were corrected. */
export async function recountMembers(shopId: string): Promise<number> {
  const db = forShop(shopId);
  const step = await withShopLock(
    db,
    shopId,
    (tx) => tx.$executeRaw`
      UPDATE segments s SET member_count = c.n
      FROM (
        SELECT s2.id, (SELECT count(*) FROM segment_memberships m WHERE m.segment_id = s2.id AND m.shop_id = ${shopId}::uuid)::int AS n
        FROM segments s2 WHERE s2.shop_id = ${shopId}::uuid AND s2.deleted_at IS NULL
      ) c
      WHERE s.id = c.id AND s.shop_id = ${shopId}::uuid AND s.member_count <> c.n`,
    { wait: true },
  );
  return step?.value ?? 0;
}

/** Installed shops with at least one live segment: the ones the minute sweep visits. */
export async function shopsWithSegments(): Promise<string[]> {
  const rows = await prisma.segment.findMany({
    where: { deletedAt: null, shop: { uninstalledAt: null } },
    distinct: ["shopId"],
    select: { shopId: true },
  });
  return rows.map((r) => r.shopId);
}
