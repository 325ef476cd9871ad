// Orders as the app keeps them, whatever platform they come from: Shopify webhooks and Magento (pushed events or
// polling) map their payloads to an OrderRecord and upsert it by (shop, platform id). Idempotent: the same
// order twice leaves one row, and `changed` tells callers whether anything new was learnt (polling re-reads a
// window of orders and must not re-trigger segment evaluation for orders it already had).
import type { ShopDb } from "../db/shop-scope.server";
import { deliveryTypeOf, orderGid, platformTime, type OrderPayload } from "../domain/shopify/webhook-payloads";
import { upsertCustomerFromWebhook } from "./customers.server";
import { recordRefunds, refundFromWebhook, syncRefundedTotal } from "./refunds.server";

export type OrderTopic = "orders/create" | "orders/paid" | "orders/cancelled" | "orders/fulfilled";

export interface OrderRecord {
  platformId: string;
  /** The app's customer id, already upserted by the caller; null for guests. */
  customerId: string | null;
  name: string | null;
  totalPrice: string;
  /**
   * Money refunded so far, when the platform's order says it (Magento's total_refunded). Undefined leaves the stored
   * total alone: Shopify's comes from its refunds (refunds.server.ts).
   */
  refundedTotal?: string;
  currency: string | null;
  sourceName: string | null;
  deliveryType: string | null;
  discountCodes: string[];
  financialStatus: string | null;
  cancelledAt: Date | null;
  /** Undefined leaves a known fulfilment date as it is. */
  fulfilledAt?: Date | null;
  placedAt: Date;
  /** When the platform last changed the order, as the payload says (null when it does not, or not readably). */
  platformUpdatedAt: Date | null;
}

export interface UpsertedOrder {
  id: string;
  customerId: string | null;
  changed: boolean;
  /** When the stored order was cancelled (a stale payload saying otherwise does not undo it). */
  cancelledAt: Date | null;
}

const COMPARED = {
  customerId: true,
  name: true,
  totalPrice: true,
  refundedTotal: true,
  currency: true,
  sourceName: true,
  deliveryType: true,
  discountCodes: true,
  financialStatus: true,
  cancelledAt: true,
  fulfilledAt: true,
  placedAt: true,
  platformUpdatedAt: true,
} as const;

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function totalsEqual(a: unknown, b: string): boolean {
  return Number(String(a)) === Number(b);
}

/**
 * What a payload may not undo. Cancelled and fulfilled are facts: once stored, their dates stay (neither platform
 * un-cancels an order, and a later payload of a fulfilled order would otherwise move the date to its own arrival).
 * Webhooks and polls arrive out of order, so a payload that says "not cancelled" about an order we know was
 * cancelled was written before the cancellation: it is stale, and changes nothing.
 */
function reconcile(
  existing: Pick<OrderRecord, "cancelledAt" | "fulfilledAt" | "platformUpdatedAt">,
  fields: Omit<OrderRecord, "platformId">,
): Omit<OrderRecord, "platformId"> | null {
  if (existing.cancelledAt && !fields.cancelledAt) return null;
  // Older than what is stored (an orders/create processed after the orders/paid that followed it): it would move
  // the order back, its payment status included.
  if (existing.platformUpdatedAt && fields.platformUpdatedAt && fields.platformUpdatedAt < existing.platformUpdatedAt) return null;
  return {
    ...fields,
    cancelledAt: existing.cancelledAt ?? fields.cancelledAt,
    ...(existing.fulfilledAt ? { fulfilledAt: existing.fulfilledAt } : {}),
  };
}

export async function upsertOrder(db: ShopDb, shopId: string, order: OrderRecord): Promise<UpsertedOrder> {
  const { platformId, ...incoming } = order;
  const existing = await db.order.findFirst({ where: { platformId }, select: { id: true, ...COMPARED } });
  let fields = incoming;
  if (existing) {
    const kept = reconcile(existing, incoming);
    if (!kept) return { id: existing.id, customerId: existing.customerId, changed: false, cancelledAt: existing.cancelledAt };
    fields = kept;
    const unchanged = (Object.keys(fields) as (keyof typeof fields)[]).every((key) => {
      if (fields[key] === undefined) return true;
      if (key === "totalPrice" || key === "refundedTotal") return totalsEqual(existing[key], fields[key]!);
      return sameValue(existing[key], fields[key]);
    });
    if (unchanged) return { id: existing.id, customerId: existing.customerId, changed: false, cancelledAt: existing.cancelledAt };
  }
  const row = await db.order.upsert({
    where: { shopId_platformId: { shopId, platformId } },
    create: { shopId, platformId, ...fields },
    update: fields,
    select: { id: true, customerId: true, cancelledAt: true },
  });
  return { ...row, changed: true };
}

/**
 * Records the order a Shopify webhook describes, and the refunds it lists. Idempotent: the same payload twice leaves
 * one row.
 */
export async function upsertOrderFromWebhook(db: ShopDb, shopId: string, topic: OrderTopic, payload: OrderPayload) {
  await recordRefunds(db, shopId, payload.refunds.map((r) => refundFromWebhook({ ...r, order_id: payload.id }, new Date())));
  const customerId = payload.customer ? await upsertCustomerFromWebhook(db, shopId, payload.customer) : null;
  const updatedAt = platformTime(payload.updated_at);
  const { id, customerId: linked, cancelledAt } = await upsertOrder(db, shopId, {
    platformId: orderGid(payload),
    customerId,
    name: payload.name ?? null,
    totalPrice: payload.total_price ?? "0",
    currency: payload.currency ?? null,
    sourceName: payload.source_name ?? null,
    deliveryType: deliveryTypeOf(payload),
    discountCodes: payload.discount_codes.map((d) => d.code),
    financialStatus: payload.financial_status ?? null,
    cancelledAt: payload.cancelled_at ? new Date(payload.cancelled_at) : null,
    // The order's last change in the store is its fulfilment (or after it), not the moment a late webhook reached us:
    // an "order fulfilled" delay counts from it.
    ...(topic === "orders/fulfilled" || payload.fulfillment_status === "fulfilled" ? { fulfilledAt: updatedAt ?? new Date() } : {}),
    placedAt: new Date(payload.created_at),
    platformUpdatedAt: updatedAt,
  });
  // Refunds processed before this order (or listed in it) count from now on.
  await syncRefundedTotal(db, shopId, orderGid(payload));
  return { id, customerId: linked, cancelledAt };
}
