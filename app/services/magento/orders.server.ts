// Magento orders into the app's orders table: from an order.placed event, or polled with GET /V1/orders for
// stores that cannot push. Polling reads by updated_at from the shop's cursor with a keyset (updated_at, then
// entity_id), never by page number: Magento answers a page past the end with the last page again, and orders
// updated while we read would shift page boundaries. Each run re-reads a short window before the cursor, because
// an order saved just before a poll may commit just after it; upserts make the re-read harmless.
import type { ShopDb } from "../../db/shop-scope.server";
import { PlatformError } from "../../platforms/errors";
import { MagentoRestClient, type MagentoClientOptions } from "../../platforms/magento/rest-client.server";
import { ensureCustomer } from "../customers.server";
import { upsertOrder, type UpsertedOrder } from "../orders.server";
import { loadMagentoConnection, recordConnectionError } from "../platform-connections.server";
import { recordRedemptions, releaseRedemptions } from "../redemptions.server";
import { onOrderEvent, type OrderEventTopic } from "../scenarios/triggers.server";
import { requestSegmentEvaluation } from "../segments/triggers.server";
import { deliveryTypeOf, financialStatusOf, magentoDate, MagentoOrder, sourceNameOf } from "./payloads";

/**
 * Stores the order, redeems the codes it used, and starts the scenarios its states call for, unless it was placed
 * before the app watched this store (`watchedFrom`): a first poll reads 30 days back, and those orders are history,
 * not events to answer with a thank-you email now.
 */
export async function recordMagentoOrder(db: ShopDb, shopId: string, order: MagentoOrder, watchedFrom?: Date | null): Promise<UpsertedOrder> {
  const customerId =
    order.customer_id && !order.customer_is_guest
      ? await ensureCustomer(db, shopId, {
          platformId: order.customer_id,
          email: order.customer_email ?? null,
          firstName: order.customer_firstname ?? null,
          lastName: order.customer_lastname ?? null,
        })
      : null;
  const updatedAt = order.updated_at ?? order.created_at;
  const saved = await upsertOrder(db, shopId, {
    platformId: order.entity_id,
    customerId,
    name: order.increment_id ? `#${order.increment_id}` : null,
    totalPrice: order.grand_total ?? "0",
    // Magento leaves total_refunded out of an order nothing was refunded on.
    refundedTotal: order.total_refunded ?? "0",
    currency: order.order_currency_code ?? null,
    sourceName: sourceNameOf(order),
    deliveryType: deliveryTypeOf(order),
    discountCodes: order.coupon_code ? [order.coupon_code] : [],
    financialStatus: financialStatusOf(order.state),
    cancelledAt: order.state === "canceled" ? updatedAt : null,
    ...(order.state === "complete" ? { fulfilledAt: updatedAt } : {}),
    placedAt: order.created_at,
    platformUpdatedAt: order.updated_at ?? null,
  });
  const from = watchedFrom === undefined ? await ordersWatchedFrom(db) : watchedFrom;
  await closeTheLoop(db, shopId, order, saved, from === null || order.created_at.getTime() >= from.getTime() - CLOCK_MARGIN_MS);
  return saved;
}

/**
 * What an order means beyond its row: a coupon of ours redeemed, and the scenario triggers its state reached.
 * Each trigger is keyed by order and state, so re-reading the same order on every poll starts nothing twice.
 */
/** Magento's clock is the store's, and its times have no milliseconds: an order placed as we connected still counts. */
const CLOCK_MARGIN_MS = 10 * 60_000;

async function ordersWatchedFrom(db: ShopDb): Promise<Date | null> {
  const row = await db.platformConnection.findFirst({ select: { ordersWatchedFrom: true } });
  return row?.ordersWatchedFrom ?? null;
}

async function closeTheLoop(db: ShopDb, shopId: string, order: MagentoOrder, saved: UpsertedOrder, startsScenarios: boolean): Promise<void> {
  if (saved.cancelledAt) {
    // A cancelled order gives its codes back (redemptions.server.ts).
    const released = await releaseRedemptions(db, shopId, saved.id);
    const owners = released.flatMap((r) => (r.issuedTo ? [r.issuedTo] : []));
    if (owners.length) await requestSegmentEvaluation(shopId, owners, "codes");
  } else if (order.coupon_code) {
    await recordRedemptions(db, shopId, {
      orderId: saved.id,
      customerId: saved.customerId,
      orderTotal: order.grand_total ?? "0",
      placedAt: order.created_at,
      codes: [{ code: order.coupon_code, amount: order.discount_amount ? String(Math.abs(Number(order.discount_amount))) : null }],
    });
  }
  if (!startsScenarios) return;
  const reached: [OrderEventTopic, string][] = [["orders/create", "created"]];
  if (financialStatusOf(order.state) === "paid") reached.push(["orders/paid", "paid"]);
  if (order.state === "canceled") reached.push(["orders/cancelled", "canceled"]);
  if (order.state === "complete") reached.push(["orders/fulfilled", "complete"]);
  // Magento's order has no time of payment: the last change that shows it paid is the latest it can have been (and,
  // polled, usually much closer than the poll). An "order paid" delay counts from it.
  const paidAt = new Date(Math.min((order.updated_at ?? order.created_at).getTime(), Date.now()));
  for (const [topic, state] of reached) {
    await onOrderEvent(db, shopId, topic, saved.id, { eventKey: `magento:${order.entity_id}:${state}`, ...(topic === "orders/paid" ? { at: paidAt } : {}) });
  }
}

export const POLL_PAGE_SIZE = 100;
export const POLL_MAX_PAGES = 20;
/** How far before the cursor each run starts again (orders committed late). */
export const POLL_LOOKBACK_MS = 2 * 60_000;
/** How far back the first run for a shop reads. */
export const POLL_INITIAL_BACKFILL_MS = 30 * 24 * 3600_000;

function magentoDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

export type PollResult =
  | { type: "polled"; fetched: number; changed: number; unreadable: number; caughtUp: boolean; cursor: Date | null }
  | { type: "not_connected" }
  | { type: "failed"; retriable: boolean; message: string };

export interface PollOptions {
  now?: Date;
  /** A continuation of a run that stopped at its page limit: start at the cursor, without the look-back. */
  resume?: boolean;
  pageSize?: number;
  maxPages?: number;
  clientOptions?: MagentoClientOptions;
  log?: (line: string) => void;
}

/**
 * One polling run for one shop. Platform failures are recorded on the connection for Settings to show and end the
 * run without throwing: the next run, a minute later, is the retry (a revoked token or a missing permission would
 * only fill the failed-jobs list, once a minute, while the store is down or misconfigured).
 */
export async function pollMagentoOrders(db: ShopDb, shopId: string, options: PollOptions = {}): Promise<PollResult> {
  const loaded = await loadMagentoConnection(db, shopId);
  if (!loaded) return { type: "not_connected" };
  const row = await db.platformConnection.findFirstOrThrow({ select: { ordersSyncedAt: true, lastError: true, ordersWatchedFrom: true } });
  const now = options.now ?? new Date();
  const pageSize = options.pageSize ?? POLL_PAGE_SIZE;
  const client = new MagentoRestClient(loaded.connection, options.clientOptions);
  const start = row.ordersSyncedAt
    ? new Date(row.ordersSyncedAt.getTime() - (options.resume ? 0 : POLL_LOOKBACK_MS))
    : new Date(now.getTime() - POLL_INITIAL_BACKFILL_MS);

  let cursor = null as Keyset | null;
  let fetched = 0;
  let changed = 0;
  let unreadable = 0;
  let caughtUp = false;
  const customers = new Set<string>();
  try {
    for (let page = 0; page < (options.maxPages ?? POLL_MAX_PAGES); page++) {
      const since = magentoDateTime(cursor?.updatedAt ?? start);
      const result = await client.search<unknown>("/orders", {
        filterGroups: [
          [{ field: "updated_at", value: since, conditionType: "gteq" }],
          ...(cursor
            ? [
                [
                  { field: "updated_at", value: since, conditionType: "gt" as const },
                  { field: "entity_id", value: cursor.entityId, conditionType: "gt" as const },
                ],
              ]
            : []),
        ],
        sortOrders: [
          { field: "updated_at", direction: "ASC" },
          { field: "entity_id", direction: "ASC" },
        ],
        pageSize,
        currentPage: 1,
      });
      let stuck = false;
      for (const item of result.items) {
        fetched += 1;
        const parsed = MagentoOrder.safeParse(item);
        if (parsed.success) {
          const saved = await recordMagentoOrder(db, shopId, parsed.data, row.ordersWatchedFrom);
          if (saved.changed) {
            changed += 1;
            if (saved.customerId) customers.add(saved.customerId);
          }
        } else {
          unreadable += 1;
          options.log?.(`[magento] shop ${shopId}: an order could not be read: ${parsed.error.message}`);
        }
        // Even an order we cannot read moves the cursor, or the next page would start at it again.
        const position = keysetOf(item);
        if (position) cursor = position;
        else stuck = true;
      }
      if (stuck) {
        // Magento always sends both; if it ever does not, waiting for the next run beats looping on one page.
        options.log?.(`[magento] shop ${shopId}: an order without updated_at or entity_id stopped this run`);
        caughtUp = true;
        break;
      }
      if (result.items.length < pageSize) {
        caughtUp = true;
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    // What was stored stays stored; the next run (a minute later) starts from it.
    await saveCursor(db, cursor);
    await recordConnectionError(db, error.message);
    return { type: "failed", retriable: error.retriable, message: error.message };
  }
  await saveCursor(db, cursor);
  if (row.lastError) await recordConnectionError(db, null);
  // Each order also found or created its customer (and may have changed their row): a customer change as well.
  if (customers.size) {
    await Promise.all([
      requestSegmentEvaluation(shopId, [...customers], "orders"),
      requestSegmentEvaluation(shopId, [...customers], "customer"),
    ]);
  }
  return { type: "polled", fetched, changed, unreadable, caughtUp, cursor: cursor?.updatedAt ?? null };
}

interface Keyset {
  updatedAt: Date;
  entityId: string;
}

function keysetOf(item: unknown): Keyset | null {
  const raw = item as { entity_id?: unknown; updated_at?: unknown; created_at?: unknown };
  const when = magentoDate.safeParse(raw.updated_at ?? raw.created_at);
  const id = String(raw.entity_id ?? "");
  return when.success && /^\d+$/.test(id) ? { updatedAt: when.data, entityId: id } : null;
}

/** The cursor only moves forward, even when two runs overlap. */
async function saveCursor(db: ShopDb, cursor: { updatedAt: Date } | null): Promise<void> {
  if (!cursor) return;
  await db.platformConnection.updateMany({
    where: { OR: [{ ordersSyncedAt: null }, { ordersSyncedAt: { lt: cursor.updatedAt } }] },
    data: { ordersSyncedAt: cursor.updatedAt },
  });
}
