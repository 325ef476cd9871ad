// The parts of Shopify's REST webhook payloads the app reads, validated at the edge. Ids arrive as numbers or,
// when they exceed 2^53, as exact strings (see safe-json.ts); admin_graphql_api_id is preferred when present.
import { z } from "zod";
import type { DeliveryType } from "../scenarios/scenario";

const id = z.union([z.string(), z.number()]).transform((v) => String(v));
const money = z.union([z.string(), z.number()]).transform((v) => String(v));

export const CustomerPayload = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  phone: z.string().nullish(),
  tags: z.string().nullish(),
  created_at: z.string().nullish(),
  /** When the platform last changed the customer: deliveries out of order are told apart by it. */
  updated_at: z.string().nullish(),
  email_marketing_consent: z.object({ state: z.string().nullish() }).nullish(),
  /**
   * The platform's all-time counters, orders from before the install included (segments take the larger of these
   * and our orders table). Left out of trimmed payloads (an order's customer); a value that does not read as a
   * count or an amount is treated as left out rather than failing the whole webhook.
   */
  orders_count: z.number().int().nonnegative().max(2_147_483_647).nullish().catch(undefined),
  total_spent: money
    .pipe(z.string().regex(/^\d{1,12}(\.\d+)?$/))
    .nullish()
    .catch(undefined),
});
export type CustomerPayload = z.infer<typeof CustomerPayload>;

/**
 * A refund (refunds/create, and each entry of an order payload's `refunds`). The money it returned is in its
 * transactions: those of kind "refund" that succeeded. Line items, order adjustments and restocking are not read.
 */
export const RefundPayload = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  order_id: id,
  created_at: z.string().nullish(),
  processed_at: z.string().nullish(),
  transactions: z
    .array(z.object({ kind: z.string().nullish(), status: z.string().nullish(), amount: money.nullish(), currency: z.string().nullish() }))
    .default([]),
});
export type RefundPayload = z.infer<typeof RefundPayload>;

export const OrderPayload = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  name: z.string().nullish(),
  created_at: z.string(),
  /** When the order was processed: its placement (or the date an imported order was given), not its payment. */
  processed_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  closed_at: z.string().nullish(),
  /** When the order last changed: orders out of order are told apart by it. */
  updated_at: z.string().nullish(),
  financial_status: z.string().nullish(),
  fulfillment_status: z.string().nullish(),
  currency: z.string().nullish(),
  total_price: money.nullish(),
  source_name: z.string().nullish(),
  discount_codes: z.array(z.object({ code: z.string(), amount: money.nullish(), type: z.string().nullish() })).default([]),
  shipping_lines: z
    .array(z.object({ code: z.string().nullish(), source: z.string().nullish(), delivery_category: z.string().nullish() }))
    .default([]),
  customer: CustomerPayload.nullish(),
  /**
   * The order's refunds so far (orders/cancelled lists the refund a cancellation made): recorded like refunds/create.
   * They belong to this order whether or not they repeat its id.
   */
  refunds: z.array(RefundPayload.extend({ order_id: id.nullish() })).default([]),
});
export type OrderPayload = z.infer<typeof OrderPayload>;

export const CustomersRedactPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id, email: z.string().nullish() }),
  orders_to_redact: z.array(id).default([]),
});

export const ShopRedactPayload = z.object({ shop_domain: z.string() });

export const ScopesUpdatePayload = z.object({ current: z.array(z.string()) });

export function customerGid(payload: { id: string; admin_graphql_api_id?: string | undefined }): string {
  return payload.admin_graphql_api_id ?? `gid://shopify/Customer/${payload.id}`;
}

export function orderGid(payload: { id: string; admin_graphql_api_id?: string | undefined }): string {
  return payload.admin_graphql_api_id ?? `gid://shopify/Order/${payload.id}`;
}

/**
 * How the order reaches the shopper, in the names scenario limits and segments share (DELIVERY_TYPES), as far as the
 * REST payload tells. No shipping line: no delivery (null, "none" to a limit). A shipping line whose
 * delivery_category (Shopify's "general classification of the delivery method") names local pickup or local
 * delivery (as the delivery method types name them): that. Any other shipping line: shipping. Shopify leaves delivery_category empty on many orders, and a
 * pickup or local delivery line's code and title are the names the merchant gave the location or zone, so those
 * orders read as shipping (README, limits): their code is not guessed from.
 */
export function deliveryTypeOf(payload: Pick<OrderPayload, "shipping_lines">): Exclude<DeliveryType, "none"> | null {
  if (payload.shipping_lines.length === 0) return null;
  const categories = payload.shipping_lines.map((line) => (line.delivery_category ?? "").toLowerCase().replace(/[^a-z]/g, ""));
  // Read as Shopify's delivery method types name them (PICK_UP, LOCAL; PICKUP_POINT is a carrier's, so shipping).
  if (categories.includes("pickup")) return "pickup";
  if (categories.includes("local")) return "local_delivery";
  return "shipping";
}

export function refundGid(payload: { id: string; admin_graphql_api_id?: string | undefined }): string {
  return payload.admin_graphql_api_id ?? `gid://shopify/Refund/${payload.id}`;
}

/** The money a refund returned, as a decimal string with cents: its successful refund transactions, summed. */
export function refundedAmount(refund: Pick<RefundPayload, "transactions">): string {
  const cents = refund.transactions
    .filter((t) => t.kind?.toLowerCase() === "refund" && t.status?.toLowerCase() === "success")
    .reduce((sum, t) => {
      const amount = Math.round(Number(t.amount ?? "0") * 100);
      return sum + (Number.isFinite(amount) ? amount : 0);
    }, 0);
  return (cents / 100).toFixed(2);
}

/** A payload's timestamp, or null when it has none or it does not read as a date. */
export function platformTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
