// The batch the storefront web pixel (extensions/promo-pixel) POSTs to /pixel/events, validated at the edge. The
// pixel sends a compact projection of Shopify's standard events, not the raw events: only what segments and the
// catalog need, so a batch stays well under fetch keepalive's 64 KiB. Each event is checked on its own: a bad event
// is rejected with its reasons and the good ones in the same batch are kept.
import { z } from "zod";

export const PIXEL_EVENT_NAMES = [
  "product_viewed",
  "collection_viewed",
  "product_added_to_cart",
  "checkout_completed",
] as const;
export type PixelEventName = (typeof PIXEL_EVENT_NAMES)[number];

/** Bodies larger than this are refused before parsing (keepalive fetches cannot exceed 64 KiB anyway). */
export const MAX_PIXEL_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS_PER_BATCH = 50;
export const MAX_PRODUCTS_PER_EVENT = 50;
/** Events older than this are refused: a clientId's carried-over batch should arrive within days, not weeks. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600_000;
/** Browsers' clocks drift; a timestamp further ahead than this is not a clock, it is made up. */
export const MAX_CLOCK_SKEW_MS = 24 * 3600_000;

/**
 * PostgreSQL text cannot hold U+0000 (JSON can, as \u0000): an id or clientId carrying one failed the batch's insert
 * (a 500 the pixel retries), and a title or vendor carrying one failed its processing job for good: its events, and
 * any the sweeper later put in the same chunk, stayed unprocessed. Stored events are re-read with this schema, so
 * one stored before is closed as unreadable.
 */
const withoutNul = <T extends z.ZodString>(schema: T) =>
  schema.refine((value) => !value.includes("\u0000"), "must not contain a NUL character (\\u0000)");
const text = (max: number) => withoutNul(z.string().trim().min(1).max(max));
const optionalText = (max: number) =>
  withoutNul(z.string().max(max))
    .nullish()
    .transform((v) => (v ? v : null));
type Resource = "Customer" | "Product" | "ProductVariant" | "Collection" | "Order";
/** Any resource's id: for the order id, which is only kept (checkout's order may be named by another kind of GID). */
type AnyResource = "[A-Za-z]+";

/**
 * Shopify ids reach the pixel as numeric strings or GIDs; both are accepted (and normalised to GIDs when stored).
 * A GID must name the resource the field is for: `gid://shopify/Order/5` is not a customer id. Strings only: a JSON
 * number above 2^53 would already have been rounded.
 */
const platformId = (resource: Resource | AnyResource) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^(?:\\d{1,30}|gid://shopify/${resource}/\\d{1,30})$`), resource === "[A-Za-z]+" ? "expected a Shopify id (digits or a gid://shopify/ id)" : `expected a ${resource} id (digits or a gid://shopify/${resource}/ id)`);

/**
 * A product page's path on the storefront. Only a path is kept ("/products/hat", "/fr/products/hat?variant=1"):
 * {{product.url}} puts the shop's own domain in front, so a forged event cannot point a merchant's email
 * elsewhere. Anything else (an absolute or protocol-relative URL, spaces, control characters, a fragment) is
 * dropped rather than refusing the event: the view still counts.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const STOREFRONT_PATH = /^\/(?![/\\])[^\s\\#\x00-\x1f\x7f]{0,499}$/;
const productPath = z
  .unknown()
  .transform((v) => (typeof v === "string" && STOREFRONT_PATH.test(v) ? v : null));

const PixelProduct = z.object({
  id: platformId("Product"),
  variantId: platformId("ProductVariant").nullish().transform((v) => v ?? null),
  title: optionalText(500),
  vendor: optionalText(255),
  type: optionalText(255),
  sku: optionalText(255),
  url: productPath,
  quantity: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .nullish()
    .transform((v) => v ?? null),
});
export type PixelProduct = z.infer<typeof PixelProduct>;

export const PixelEvent = z
  .object({
    id: text(200),
    name: z.enum(PIXEL_EVENT_NAMES),
    timestamp: z.iso.datetime({ offset: true }),
    clientId: text(200),
    customerId: platformId("Customer").nullish().transform((v) => v ?? null),
    products: z.array(PixelProduct).max(MAX_PRODUCTS_PER_EVENT).default([]),
    collection: z
      .object({ id: platformId("Collection"), title: optionalText(255) })
      .nullish()
      .transform((v) => v ?? null),
    orderId: platformId("[A-Za-z]+").nullish().transform((v) => v ?? null),
  })
  .superRefine((event, ctx) => {
    const needsProduct = event.name === "product_viewed" || event.name === "product_added_to_cart";
    if (needsProduct && event.products.length === 0) {
      ctx.addIssue({ code: "custom", path: ["products"], message: `${event.name} names the product it is about` });
    }
    if (event.name === "collection_viewed" && !event.collection) {
      ctx.addIssue({ code: "custom", path: ["collection"], message: "collection_viewed names the collection" });
    }
  });
export type PixelEvent = z.infer<typeof PixelEvent>;

const BatchEnvelope = z.object({
  v: z.literal(1),
  shop: text(255),
  accountId: text(100),
  events: z.array(z.unknown()).min(1, "a batch has at least one event").max(MAX_EVENTS_PER_BATCH),
});

export interface RejectedEvent {
  index: number;
  id: string | null;
  reasons: string[];
}

export type ParsedPixelBatch =
  | { type: "batch"; shop: string; accountId: string; events: PixelEvent[]; rejected: RejectedEvent[] }
  | { type: "invalid"; reasons: string[] };

function reasonsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
}

/** Parses a batch body. Events are validated one by one against `now` so one bad event does not sink the rest. */
export function parsePixelBatch(rawBody: string, now: Date): ParsedPixelBatch {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { type: "invalid", reasons: ["body is not JSON"] };
  }
  const envelope = BatchEnvelope.safeParse(json);
  if (!envelope.success) return { type: "invalid", reasons: reasonsOf(envelope.error) };
  const events: PixelEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const seen = new Set<string>();
  envelope.data.events.forEach((candidate, index) => {
    const parsed = PixelEvent.safeParse(candidate);
    const rawId = (candidate as { id?: unknown } | null)?.id;
    const id = typeof rawId === "string" ? rawId.slice(0, 200) : null;
    if (!parsed.success) {
      rejected.push({ index, id, reasons: reasonsOf(parsed.error) });
      return;
    }
    const timeReason = timestampProblem(parsed.data.timestamp, now);
    if (timeReason) {
      rejected.push({ index, id, reasons: [`timestamp: ${timeReason}`] });
      return;
    }
    // The same event twice in one batch is a duplicate, not an error: keep the first.
    if (seen.has(parsed.data.id)) return;
    seen.add(parsed.data.id);
    events.push(parsed.data);
  });
  return {
    type: "batch",
    shop: envelope.data.shop.toLowerCase(),
    accountId: envelope.data.accountId,
    events,
    rejected,
  };
}

function timestampProblem(timestamp: string, now: Date): string | null {
  const at = Date.parse(timestamp);
  if (at > now.getTime() + MAX_CLOCK_SKEW_MS) return "more than a day in the future";
  if (at < now.getTime() - MAX_EVENT_AGE_MS) return "older than 7 days";
  return null;
}

/** The GID form of an id the pixel sent as a number or numeric string; GIDs pass through. */
export function toGid(resource: Resource, id: string): string {
  return id.startsWith("gid://") ? id : `gid://shopify/${resource}/${id}`;
}

/** The columns an event row carries besides its payload, so segment queries read indexed columns, not JSON. */
export function eventColumns(event: PixelEvent) {
  const single =
    event.name === "product_viewed" || event.name === "product_added_to_cart" ? event.products[0] : undefined;
  return {
    productId: single ? toGid("Product", single.id) : null,
    variantId: single?.variantId ? toGid("ProductVariant", single.variantId) : null,
    collectionId: event.collection ? toGid("Collection", event.collection.id) : null,
  };
}
