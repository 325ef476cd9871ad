// What the app reads from Magento, validated at the edge: orders (GET /V1/orders items, and the `order` of an
// order.placed event, which carries the same OrderInterface fields) and the events a Magento module or an Adobe
// Commerce webhook pushes to POST /magento/events. Magento writes dates as `Y-m-d H:i:s` in UTC.
import { z } from "zod";
import { MAGENTO_ADMIN_SOURCE, type DeliveryType } from "../../domain/scenarios/scenario";

const entityId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "must be a Magento entity id (digits)")])
  .transform((v) => String(Number(v)));

const money = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, "must be an amount")])
  .transform((v) => String(v));

const flag = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === "1" || v === "true");

/** `2026-11-21 12:00:00` (UTC, Magento's REST format) or ISO 8601. */
export const magentoDate = z.string().transform((value, ctx) => {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a date` });
    return z.NEVER;
  }
  return date;
});

export const MagentoOrder = z.object({
  entity_id: entityId,
  increment_id: z.string().nullish(),
  state: z.string().nullish(),
  status: z.string().nullish(),
  created_at: magentoDate,
  updated_at: magentoDate.nullish(),
  customer_id: entityId.nullish(),
  customer_is_guest: flag.nullish(),
  customer_email: z.string().nullish(),
  customer_firstname: z.string().nullish(),
  customer_lastname: z.string().nullish(),
  coupon_code: z.string().nullish(),
  /** Negative in Magento's order JSON (an amount taken off). */
  discount_amount: money.nullish(),
  grand_total: money.nullish(),
  /** Money refunded so far by credit memos (order currency, like grand_total); Magento leaves it out until then. */
  total_refunded: money.nullish(),
  order_currency_code: z.string().nullish(),
  /** The shopper's address, recorded when the order was placed through a storefront checkout; none for admin orders. */
  remote_ip: z.string().nullish(),
  is_virtual: flag.nullish(),
  items: z
    .array(
      z.object({
        sku: z.string(),
        name: z.string().nullish(),
        product_id: entityId.nullish(),
        qty_ordered: z.number().nullish(),
      }),
    )
    .default([]),
  extension_attributes: z
    .object({ shipping_assignments: z.array(z.object({ shipping: z.object({ method: z.string().nullish() }).nullish() })).nullish() })
    .nullish(),
});
export type MagentoOrder = z.infer<typeof MagentoOrder>;

const eventId = z.string().trim().min(1).max(200);
const occurredAt = magentoDate.optional();

export const OrderPlacedEvent = z.object({
  id: eventId,
  type: z.literal("order.placed"),
  occurred_at: occurredAt,
  data: z.object({ order: MagentoOrder }),
});

export const ProductViewedEvent = z.object({
  id: eventId,
  type: z.literal("product.viewed"),
  occurred_at: occurredAt,
  data: z.object({
    product: z.object({
      id: entityId,
      sku: z.string().trim().min(1).max(64),
      name: z.string().max(500).nullish(),
      /** The configurable product when the viewed product is one of its variants. */
      parent_id: entityId.nullish(),
    }),
    customer_id: entityId.nullish(),
    /** The storefront visitor (a cookie id), so views before login count once the visitor is known. */
    visitor_id: z.string().trim().min(1).max(200).nullish(),
  }),
});

export const MagentoEvent = z.discriminatedUnion("type", [OrderPlacedEvent, ProductViewedEvent]);
export type MagentoEvent = z.infer<typeof MagentoEvent>;

export const MAX_EVENTS_PER_REQUEST = 100;

/** One event, or `{ "events": [...] }` with up to 100. */
export const MagentoEventBody = z.union([
  z.object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_REQUEST) }),
  z.object({ id: z.unknown(), type: z.unknown() }).loose(),
]);

/** Topics the events table records Magento pushes under (shared with the storefront pixel where they mean the same). */
export const MAGENTO_TOPICS = { "order.placed": "order_placed", "product.viewed": "product_viewed" } as const;

/** Shopify-style financial status for the segments engine; Magento's state is kept as it is otherwise. */
export function financialStatusOf(state: string | null | undefined): string | null {
  switch (state) {
    case "new":
    case "pending_payment":
    case "payment_review":
    case "holded":
      return "pending";
    case "processing":
    case "complete":
      return "paid";
    case "closed":
      return "refunded";
    case "canceled":
      return "voided";
    default:
      return state ?? null;
  }
}

/**
 * The order's source as the app keeps it (scenario limits map it with orderSourceOf): a storefront checkout, the
 * Luma theme's or a headless storefront's through the REST/GraphQL cart, records the shopper's address in
 * remote_ip; an order a staff member creates in the admin records none (docs/decisions/0027).
 */
export function sourceNameOf(order: MagentoOrder): string {
  return order.remote_ip?.trim() ? "web" : MAGENTO_ADMIN_SOURCE;
}

export function deliveryTypeOf(order: MagentoOrder): Exclude<DeliveryType, "none"> | null {
  if (order.is_virtual) return null;
  const method = order.extension_attributes?.shipping_assignments?.[0]?.shipping?.method ?? "";
  return /^instore/i.test(method) ? "pickup" : "shipping";
}
