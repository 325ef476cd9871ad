// Turns one stored pixel batch into what segments read: each event attributed to a customer when one is known
// (named by the event, or by an earlier link of its clientId), anonymous visitors linked as soon as a customer is
// named (checkout, login), products upserted, then one segment evaluation for every customer touched.
// Idempotent: events already processed are skipped, and every write is an upsert or a conditional update, so a
// retry after a crash mid-way converges.
import type { ShopDb } from "../../db/shop-scope.server";
import { PixelEvent, toGid, type PixelEvent as PixelEventShape } from "../../domain/events/pixel-batch";
import { upsertProducts, type ProductFacts } from "../catalog.server";
import { requestSegmentEvaluation } from "../segments/triggers.server";
import { linkVisitor, touchVisitors } from "../visitors.server";

export interface PixelBatchOutcome {
  processed: number;
  skipped: number;
  customers: number;
  linked: number;
  backfilled: number;
  products: number;
  /** Customers the batch named whose details the store was never asked for (see customer-details.server.ts). */
  undetailed: string[];
}

interface StoredPixelEvent {
  id: bigint;
  clientId: string;
  event: PixelEventShape | null;
}

export async function processPixelEvents(db: ShopDb, shopId: string, eventIds: string[]): Promise<PixelBatchOutcome> {
  const ids = eventIds.map((id) => BigInt(id));
  const rows = await db.event.findMany({
    where: { id: { in: ids }, source: "PIXEL", processedAt: null },
    orderBy: { id: "asc" },
    select: { id: true, clientId: true, payload: true },
  });
  const stored: StoredPixelEvent[] = rows.map((r) => {
    const parsed = PixelEvent.safeParse(r.payload);
    return { id: r.id, clientId: r.clientId ?? "", event: parsed.success ? parsed.data : null };
  });
  const usable = stored.filter(
    (s): s is StoredPixelEvent & { event: PixelEventShape } => s.event !== null && s.clientId !== "",
  );

  const { customerIds, created, undetailed } = await ensureCustomers(
    db,
    shopId,
    usable.map((s) => s.event.customerId).filter((id): id is string => !!id),
  );
  const visitors = await touchVisitors(
    db,
    shopId,
    usable.map((s) => s.clientId),
  );

  // The last customer a client's events name in this batch is who that browser belongs to now.
  const namedByClient = new Map<string, string>();
  for (const s of usable) {
    const customer = s.event.customerId ? customerIds.get(toGid("Customer", s.event.customerId)) : undefined;
    if (customer) namedByClient.set(s.clientId, customer);
  }
  // Link the browsers that named a customer first, handing them the client's earlier anonymous events (this
  // batch's own events are attributed below). Linking before closing the events keeps a retry after a crash
  // converging: the events are still open, so the link is found again.
  const now = new Date();
  const batchIds = usable.map((s) => s.id);
  let linked = 0;
  let backfilled = 0;
  for (const [clientId, customerId] of namedByClient) {
    const result = await linkVisitor(db, clientId, customerId, now, batchIds);
    if (result.linked) linked += 1;
    backfilled += result.backfilled;
  }

  // Attribute every event of the batch: to its own customer, else to whom its browser belongs. Only an event that
  // names its customer overwrites an attribution; one attributed through its browser takes the customer only if
  // it has none yet, and an event with no customer known is left as it is. Another job of the same browser may have
  // linked it and backfilled these events since touchVisitors read the link: writing null (or an older link) over
  // that would lose those views for good, and the outcome must not depend on which job runs first.
  const touched = new Set<string>();
  const named = new Map<string, bigint[]>();
  const inferred = new Map<string, bigint[]>();
  for (const s of usable) {
    const own = s.event.customerId ? customerIds.get(toGid("Customer", s.event.customerId)) : undefined;
    const customerId = own ?? namedByClient.get(s.clientId) ?? visitors.get(s.clientId)?.customerId ?? null;
    if (!customerId) continue;
    touched.add(customerId);
    const group = own ? named : inferred;
    group.set(customerId, [...(group.get(customerId) ?? []), s.id]);
  }
  for (const [customerId, eventIdsOfCustomer] of named) {
    await db.event.updateMany({ where: { id: { in: eventIdsOfCustomer }, processedAt: null }, data: { customerId } });
  }
  for (const [customerId, eventIdsOfCustomer] of inferred) {
    await db.event.updateMany({
      where: { id: { in: eventIdsOfCustomer }, processedAt: null, customerId: null },
      data: { customerId },
    });
  }

  // Stored events the schema no longer reads (an older pixel's shape): closed with the reason, not retried forever.
  const unreadable = stored.filter((s) => s.event === null || s.clientId === "").map((s) => s.id);
  if (unreadable.length) {
    await db.event.updateMany({
      where: { id: { in: unreadable }, processedAt: null },
      data: { processedAt: now, error: "unreadable pixel event payload" },
    });
  }

  const products = await upsertProducts(
    db,
    shopId,
    usable.flatMap((s) => productFactsOf(s.event)),
  );
  // A customer this batch created is a customer change too: segments on tags, consent or created date (and rules
  // that hold for an empty history) must see them, not only segments on storefront activity.
  await Promise.all([
    touched.size ? requestSegmentEvaluation(shopId, [...touched], "events") : undefined,
    created.length ? requestSegmentEvaluation(shopId, created, "customer") : undefined,
  ]);
  // Closed last: if anything above failed, the retried job finds the events open and does it all again.
  await db.event.updateMany({ where: { id: { in: batchIds }, processedAt: null }, data: { processedAt: now } });
  return {
    processed: usable.length,
    skipped: eventIds.length - rows.length,
    customers: touched.size,
    linked,
    backfilled,
    products,
    undetailed,
  };
}

/**
 * Finds or creates (minimally: the platform id alone) the customers the events name; webhooks, or a read of the
 * store for those it never sent (customer-details.server.ts), fill in the rest. Answers platform GID -> customer
 * row id, the ids of the rows this call created, and those of the named customers whose details were never read.
 */
async function ensureCustomers(
  db: ShopDb,
  shopId: string,
  pixelIds: string[],
): Promise<{ customerIds: Map<string, string>; created: string[]; undetailed: string[] }> {
  const gids = [...new Set(pixelIds.map((id) => toGid("Customer", id)))];
  if (gids.length === 0) return { customerIds: new Map(), created: [], undetailed: [] };
  const created = await db.customer.createManyAndReturn({
    data: gids.map((platformId) => ({ shopId, platformId })),
    skipDuplicates: true,
    select: { id: true },
  });
  const rows = await db.customer.findMany({
    where: { platformId: { in: gids } },
    select: { id: true, platformId: true, platformCreatedAt: true },
  });
  return {
    customerIds: new Map(rows.map((r) => [r.platformId, r.id])),
    created: created.map((r) => r.id),
    undetailed: rows.filter((r) => r.platformCreatedAt === null).map((r) => r.id),
  };
}

/** What one event teaches about products; a collection page also teaches membership of what it lists. */
export function productFactsOf(event: PixelEventShape): ProductFacts[] {
  const collectionIds =
    event.name === "collection_viewed" && event.collection ? [toGid("Collection", event.collection.id)] : [];
  return event.products.map((p) => ({
    platformId: toGid("Product", p.id),
    title: p.title,
    vendor: p.vendor,
    productType: p.type,
    url: p.url,
    collectionIds,
    skus: p.sku ? [p.sku] : [],
  }));
}
