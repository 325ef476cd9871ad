import type { ShopDb } from "../db/shop-scope.server";
import { orderGid, type OrderPayload } from "../domain/shopify/webhook-payloads";
import { upsertCustomerFromWebhook } from "./customers.server";

export type OrderTopic = "orders/create" | "orders/paid" | "orders/cancelled" | "orders/fulfilled";

/** Records the order a webhook describes. Idempotent: the same payload twice leaves one row. */
export async function upsertOrderFromWebhook(db: ShopDb, shopId: string, topic: OrderTopic, payload: OrderPayload) {
  const customerId = payload.customer ? await upsertCustomerFromWebhook(db, shopId, payload.customer) : null;
  const platformId = orderGid(payload);
  const fields = {
    customerId,
    name: payload.name ?? null,
    totalPrice: payload.total_price ?? "0",
    currency: payload.currency ?? null,
    sourceName: payload.source_name ?? null,
    deliveryType: payload.shipping_lines.length > 0 ? "shipping" : null,
    discountCodes: payload.discount_codes.map((d) => d.code),
    financialStatus: payload.financial_status ?? null,
    cancelledAt: payload.cancelled_at ? new Date(payload.cancelled_at) : null,
    ...(topic === "orders/fulfilled" || payload.fulfillment_status === "fulfilled" ? { fulfilledAt: new Date() } : {}),
    placedAt: new Date(payload.created_at),
  };
  return db.order.upsert({
    where: { shopId_platformId: { shopId, platformId } },
    create: { shopId, platformId, ...fields },
    update: fields,
    select: { id: true, customerId: true },
  });
}
