// Storefront visitors: the pixel's anonymous clientId, linked to a customer once one is known (they log in, or a
// checkout names who ordered). Linking also hands that client's earlier anonymous events to the customer, so the
// product views before identification count for segments.
import type { ShopDb } from "../db/shop-scope.server";

export interface VisitorState {
  clientId: string;
  customerId: string | null;
}

/** Records the clientIds seen (first sighting only) and answers each one's current customer link. */
export async function touchVisitors(
  db: ShopDb,
  shopId: string,
  clientIds: string[],
): Promise<Map<string, VisitorState>> {
  const unique = [...new Set(clientIds)];
  if (unique.length === 0) return new Map();
  await db.visitor.createMany({ data: unique.map((clientId) => ({ shopId, clientId })), skipDuplicates: true });
  const rows = await db.visitor.findMany({
    where: { clientId: { in: unique } },
    select: { clientId: true, customerId: true },
  });
  return new Map(rows.map((r) => [r.clientId, r]));
}

export interface LinkResult {
  /** Whether the visitor's link changed (a first link, or another customer logging in on the same browser). */
  linked: boolean;
  /** Earlier anonymous events of this client now attributed to the customer. */
  backfilled: number;
}

/**
 * Links a clientId to a customer and backfills the client's anonymous events. Idempotent: linking again to the
 * same customer changes nothing. Events already attributed (to this or another customer) keep their attribution:
 * a shared browser does not move one person's history to another.
 */
export async function linkVisitor(
  db: ShopDb,
  clientId: string,
  customerId: string,
  at = new Date(),
  /** Events the caller attributes itself (the batch being processed): left out of the backfill. */
  excludeEventIds: bigint[] = [],
): Promise<LinkResult> {
  const changed = await db.visitor.updateMany({
    where: { clientId, OR: [{ customerId: null }, { customerId: { not: customerId } }] },
    data: { customerId, linkedAt: at },
  });
  const backfilled = await db.event.updateMany({
    where: { clientId, customerId: null, ...(excludeEventIds.length ? { id: { notIn: excludeEventIds } } : {}) },
    data: { customerId },
  });
  return { linked: changed.count > 0, backfilled: backfilled.count };
}

export async function visitorsOfCustomer(db: ShopDb, customerId: string) {
  return db.visitor.findMany({ where: { customerId }, orderBy: { firstSeen: "asc" } });
}
