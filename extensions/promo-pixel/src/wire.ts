// What the pixel sends to the app: a compact projection of Shopify's standard events. The app validates the same
// shape in app/domain/events/pixel-batch.ts; test/unit/pixel/contract.test.ts checks that what this side builds
// is what that side accepts. Plain types only: this file ships to the storefront, so it imports nothing.

export type WireEventName = "product_viewed" | "collection_viewed" | "product_added_to_cart" | "checkout_completed";

export interface WireProduct {
  id: string;
  variantId: string | null;
  title: string | null;
  vendor: string | null;
  type: string | null;
  sku: string | null;
  quantity: number | null;
  /** The product page's path on the storefront ("/products/hat"), as Shopify gives it. */
  url: string | null;
}

export interface WireEvent {
  /** Shopify's event id: the app deduplicates on it, so resending a batch is always safe. */
  id: string;
  name: WireEventName;
  timestamp: string;
  clientId: string;
  /** Known when the visitor is logged in (init.data.customer) or has just ordered (checkout.order.customer). */
  customerId: string | null;
  products: WireProduct[];
  collection: { id: string; title: string | null } | null;
  orderId: string | null;
}

export interface WireBatch {
  v: 1;
  shop: string;
  accountId: string;
  events: WireEvent[];
}
