// Turns Shopify's standard events into the compact wire events the app stores. Pure: the pixel's index.ts feeds
// it what analytics.subscribe delivers, and the unit tests feed it the same shapes.
import type {
  PixelEventsCheckoutCompleted,
  PixelEventsCollectionViewed,
  PixelEventsProductAddedToCart,
  PixelEventsProductViewed,
  ProductVariant,
} from "@shopify/web-pixels-extension";
import type { WireEvent, WireProduct } from "./wire";

export type SubscribedEvent =
  PixelEventsProductViewed | PixelEventsCollectionViewed | PixelEventsProductAddedToCart | PixelEventsCheckoutCompleted;

/** A collection page lists many products; the first ones are enough to learn membership without a huge event. */
export const MAX_PRODUCTS_PER_EVENT = 50;

function productOf(variant: ProductVariant | null | undefined, quantity: number | null): WireProduct | null {
  const productId = variant?.product?.id;
  if (!variant || !productId) return null;
  return {
    id: productId,
    variantId: variant.id ?? null,
    title: variant.product.title || null,
    vendor: variant.product.vendor || null,
    type: variant.product.type || null,
    sku: variant.sku || null,
    quantity,
    url: variant.product.url || null,
  };
}

const present = <T>(value: T | null): value is T => value !== null;

/**
 * The wire event for one Shopify event, or null when it names nothing the app can use (a product view without a
 * product id, as on some headless storefronts). `knownCustomerId` is init.data.customer?.id at page load.
 */
export function projectEvent(event: SubscribedEvent, knownCustomerId: string | null): WireEvent | null {
  const base = {
    id: event.id,
    name: event.name,
    timestamp: event.timestamp,
    clientId: event.clientId,
    customerId: knownCustomerId,
    collection: null,
    orderId: null,
  };
  switch (event.name) {
    case "product_viewed": {
      const product = productOf(event.data.productVariant, null);
      return product ? { ...base, products: [product] } : null;
    }
    case "product_added_to_cart": {
      const line = event.data.cartLine;
      const product = productOf(line?.merchandise, line?.quantity ?? null);
      return product ? { ...base, products: [product] } : null;
    }
    case "collection_viewed": {
      const collection = event.data.collection;
      if (!collection?.id) return null;
      const products = dedupeProducts(
        (collection.productVariants ?? []).map((variant) => productOf(variant, null)).filter(present),
      ).slice(0, MAX_PRODUCTS_PER_EVENT);
      return { ...base, products, collection: { id: collection.id, title: collection.title || null } };
    }
    case "checkout_completed": {
      const checkout = event.data.checkout;
      const products = (checkout.lineItems ?? [])
        .map((line) => productOf(line.variant, line.quantity))
        .filter(present)
        .slice(0, MAX_PRODUCTS_PER_EVENT);
      return {
        ...base,
        // The order's customer is who bought, whoever was logged in when the page loaded.
        customerId: checkout.order?.customer?.id ?? knownCustomerId,
        orderId: checkout.order?.id ?? null,
        products,
      };
    }
  }
}

/** Several variants of one product on a collection page are one product for membership. */
function dedupeProducts(products: WireProduct[]): WireProduct[] {
  const seen = new Set<string>();
  return products.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
