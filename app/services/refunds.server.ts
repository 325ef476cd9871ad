// Refunds: money given back on an order. Each Shopify refund is kept once (by its id: refunds/create, its
// redeliveries and the same refund listed again in a later order payload count once), and the order carries the
// total refunded so far, which results subtract from the order's revenue (docs/decisions/0026). A refund may be
// processed before its order (webhooks arrive in any order), so refunds name their order by its platform id and
// the order's total is brought up to date whenever either of them is stored.
import type { ShopDb } from "../db/shop-scope.server";
import { orderGid, platformTime, refundedAmount, refundGid, type RefundPayload } from "../domain/shopify/webhook-payloads";

export interface RefundRecord {
  platformId: string;
  orderPlatformId: string;
  amount: string;
  currency: string | null;
  refundedAt: Date;
}

/** A Shopify refund as the app keeps it; `receivedAt` stands in for a refund without a readable date. */
export function refundFromWebhook(refund: RefundPayload, receivedAt: Date): RefundRecord {
  const currencies = new Set(refund.transactions.map((t) => t.currency).filter((c): c is string => !!c));
  return {
    platformId: refundGid(refund),
    orderPlatformId: orderGid({ id: refund.order_id }),
    amount: refundedAmount(refund),
    currency: currencies.size === 1 ? [...currencies][0]! : null,
    refundedAt: platformTime(refund.processed_at) ?? platformTime(refund.created_at) ?? receivedAt,
  };
}

/** Stores refunds not seen before; a refund already stored is left as it is (a refund never changes). */
export async function recordRefunds(db: ShopDb, shopId: string, refunds: RefundRecord[]): Promise<void> {
  if (refunds.length === 0) return;
  await db.orderRefund.createMany({ data: refunds.map((r) => ({ shopId, ...r })), skipDuplicates: true });
}

export interface RefundedOrder {
  id: string;
  customerId: string | null;
  refundedTotal: string;
}

/**
 * Sets the order's refunded total to the sum of its stored refunds, in one statement (a refund stored meanwhile by
 * another job is either counted or sets the total itself). Returns the order, or null while it is not stored yet:
 * storing it later calls this again.
 */
export async function syncRefundedTotal(db: ShopDb, shopId: string, orderPlatformId: string): Promise<RefundedOrder | null> {
  await db.$executeRaw`
    UPDATE orders o SET refunded_total = t.total, updated_at = now()
    FROM (SELECT coalesce(sum(r.amount), 0) AS total FROM order_refunds r
          WHERE r.shop_id = ${shopId}::uuid AND r.order_platform_id = ${orderPlatformId}) t
    WHERE o.shop_id = ${shopId}::uuid AND o.platform_id = ${orderPlatformId} AND o.refunded_total <> t.total`;
  const order = await db.order.findFirst({ where: { platformId: orderPlatformId }, select: { id: true, customerId: true, refundedTotal: true } });
  return order ? { id: order.id, customerId: order.customerId, refundedTotal: order.refundedTotal.toFixed(2) } : null;
}
