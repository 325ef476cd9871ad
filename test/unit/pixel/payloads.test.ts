// The pixel's payloads end to end without a browser: Shopify's standard events (shapes from
// @shopify/web-pixels-extension's typings) -> the pixel's wire events -> the batch the app's endpoint validates.
import { describe, expect, it } from "vitest";
import type { ProductVariant } from "@shopify/web-pixels-extension";
import { projectEvent, type SubscribedEvent } from "../../../extensions/promo-pixel/src/project";
import type { WireBatch, WireEvent } from "../../../extensions/promo-pixel/src/wire";
import { eventColumns, MAX_EVENTS_PER_BATCH, parsePixelBatch } from "../../../app/domain/events/pixel-batch";

const NOW = new Date("2026-11-21T10:00:00Z");

function variant(productId: string, variantId: string, extra: Partial<ProductVariant["product"]> = {}): ProductVariant {
  return {
    id: variantId,
    image: null,
    price: { amount: 19.5, currencyCode: "EUR" },
    sku: `SKU-${variantId}`,
    title: "M / Blue",
    untranslatedTitle: "M / Blue",
    product: {
      id: productId,
      title: "Linen shirt",
      type: "Shirts",
      untranslatedTitle: "Linen shirt",
      url: "/products/linen-shirt",
      vendor: "Acme",
      ...extra,
    },
  };
}

function shopifyEvent<N extends SubscribedEvent["name"]>(name: N, data: unknown, id = `${name}-1`): SubscribedEvent {
  return {
    id,
    name,
    clientId: "cl-abc",
    seq: 3,
    timestamp: "2026-11-21T09:59:00.000Z",
    type: "standard",
    context: {} as never,
    data,
  } as unknown as SubscribedEvent;
}

function batchOf(events: WireEvent[]): string {
  const batch: WireBatch = { v: 1, shop: "Demo.myshopify.com", accountId: "acct", events };
  return JSON.stringify(batch);
}

describe("pixel payloads", () => {
  it("GIVEN a product_viewed event THEN the wire event names the product, variant, vendor, type, page path and the known customer", () => {
    const wire = projectEvent(shopifyEvent("product_viewed", { productVariant: variant("7001", "8001") }), "5001");
    expect(wire).toEqual({
      id: "product_viewed-1",
      name: "product_viewed",
      timestamp: "2026-11-21T09:59:00.000Z",
      clientId: "cl-abc",
      customerId: "5001",
      products: [
        {
          id: "7001",
          variantId: "8001",
          title: "Linen shirt",
          vendor: "Acme",
          type: "Shirts",
          sku: "SKU-8001",
          quantity: null,
          url: "/products/linen-shirt",
        },
      ],
      collection: null,
      orderId: null,
    });
  });

  it("GIVEN a collection_viewed event THEN it carries the collection and each listed product once, however many variants", () => {
    const wire = projectEvent(
      shopifyEvent("collection_viewed", {
        collection: {
          id: "3001",
          title: "Summer",
          productVariants: [variant("7001", "8001"), variant("7001", "8002"), variant("7002", "8003")],
        },
      }),
      null,
    );
    expect(wire?.collection).toEqual({ id: "3001", title: "Summer" });
    expect(wire?.products.map((p) => p.id)).toEqual(["7001", "7002"]);
  });

  it("GIVEN a product_added_to_cart event THEN the quantity comes along", () => {
    const wire = projectEvent(
      shopifyEvent("product_added_to_cart", {
        cartLine: {
          merchandise: variant("7001", "8001"),
          quantity: 2,
          cost: { totalAmount: { amount: 39, currencyCode: "EUR" } },
        },
      }),
      null,
    );
    expect(wire?.products[0]).toMatchObject({ id: "7001", quantity: 2 });
  });

  it("GIVEN checkout_completed THEN the order's customer is who bought, even when nobody was logged in at page load", () => {
    const wire = projectEvent(
      shopifyEvent("checkout_completed", {
        checkout: {
          order: { id: "9001", customer: { id: "5002", isFirstOrder: true } },
          lineItems: [
            { variant: variant("7001", "8001"), quantity: 1, title: "Linen shirt" },
            { variant: null, quantity: 1, title: "Gift card" },
          ],
        },
      }),
      null,
    );
    expect(wire).toMatchObject({ customerId: "5002", orderId: "9001", clientId: "cl-abc" });
    expect(wire?.products.map((p) => p.id)).toEqual(["7001"]);
  });

  it("GIVEN a product view without a product id (some headless storefronts) THEN nothing is sent", () => {
    const anonymous = variant("x", "8001");
    anonymous.product.id = null;
    expect(projectEvent(shopifyEvent("product_viewed", { productVariant: anonymous }), null)).toBeNull();
  });

  it("GIVEN what the pixel builds for every subscribed event WHEN the app parses the batch THEN every event is accepted", () => {
    const events = [
      projectEvent(shopifyEvent("product_viewed", { productVariant: variant("7001", "8001") }, "a"), null),
      projectEvent(
        shopifyEvent(
          "collection_viewed",
          { collection: { id: "3001", title: "Summer", productVariants: [variant("7001", "8001")] } },
          "b",
        ),
        null,
      ),
      projectEvent(
        shopifyEvent("product_added_to_cart", { cartLine: { merchandise: variant("7001", "8001"), quantity: 1 } }, "c"),
        "5001",
      ),
      projectEvent(
        shopifyEvent(
          "checkout_completed",
          { checkout: { order: { id: "9001", customer: { id: "5001" } }, lineItems: [] } },
          "d",
        ),
        "5001",
      ),
    ].filter((e): e is WireEvent => e !== null);
    expect(events).toHaveLength(4);
    const parsed = parsePixelBatch(batchOf(events), NOW);
    expect(parsed).toMatchObject({ type: "batch", shop: "demo.myshopify.com", accountId: "acct", rejected: [] });
    if (parsed.type !== "batch") throw new Error("unreachable");
    expect(parsed.events.map((e) => e.name)).toEqual([
      "product_viewed",
      "collection_viewed",
      "product_added_to_cart",
      "checkout_completed",
    ]);
    expect(eventColumns(parsed.events[0]!)).toEqual({
      productId: "gid://shopify/Product/7001",
      variantId: "gid://shopify/ProductVariant/8001",
      collectionId: null,
    });
    expect(eventColumns(parsed.events[1]!)).toMatchObject({
      productId: null,
      collectionId: "gid://shopify/Collection/3001",
    });
  });

  it("GIVEN a batch with bad events among good ones THEN the good ones are kept and each bad one is rejected with its reasons", () => {
    const good = projectEvent(
      shopifyEvent("product_viewed", { productVariant: variant("7001", "8001") }, "good"),
      null,
    )!;
    const body = batchOf([
      good,
      { ...good, id: "no-product", products: [] },
      { ...good, id: "future", timestamp: "2026-11-23T10:00:00Z" },
      { ...good, id: "stale", timestamp: "2026-11-01T10:00:00Z" },
      { ...good, id: "bad-id", customerId: "robert'); DROP TABLE" },
      // A GID of another kind is not a customer, product or collection id (it would create a customer row "Order/5").
      { ...good, id: "order-as-customer", customerId: "gid://shopify/Order/5" },
      { ...good, id: "variant-as-product", products: [{ ...good.products[0]!, id: "gid://shopify/ProductVariant/8001" }] },
      { ...good, id: "bad-name", name: "page_viewed" as never },
      { ...good, id: "", clientId: "" },
      good, // the same event twice in one batch: kept once, not an error
    ]);
    const parsed = parsePixelBatch(body, NOW);
    if (parsed.type !== "batch") throw new Error(`expected a batch, got ${JSON.stringify(parsed)}`);
    expect(parsed.events.map((e) => e.id)).toEqual(["good"]);
    const reasons = Object.fromEntries(parsed.rejected.map((r) => [r.id, r.reasons.join(" | ")]));
    expect(Object.keys(reasons).sort()).toEqual(["", "bad-id", "bad-name", "future", "no-product", "order-as-customer", "stale", "variant-as-product"].sort());
    expect(reasons["order-as-customer"]).toContain("expected a Customer id");
    expect(reasons["variant-as-product"]).toContain("expected a Product id");
    expect(reasons["no-product"]).toContain("product_viewed names the product");
    expect(reasons["future"]).toContain("future");
    expect(reasons["stale"]).toContain("older than 7 days");
    expect(reasons["bad-id"]).toContain("customerId");
    expect(reasons["bad-name"]).toContain("name");
    expect(reasons[""]).toMatch(/id|clientId/);
  });

  it("refuses envelopes it cannot read, saying why", () => {
    expect(parsePixelBatch("{not json", NOW)).toEqual({ type: "invalid", reasons: ["body is not JSON"] });
    expect(parsePixelBatch(JSON.stringify({ v: 2, shop: "s", accountId: "a", events: [{}] }), NOW)).toMatchObject({
      type: "invalid",
    });
    const empty = parsePixelBatch(JSON.stringify({ v: 1, shop: "s.myshopify.com", accountId: "a", events: [] }), NOW);
    expect(empty.type === "invalid" && empty.reasons.join()).toContain("at least one event");
    const tooMany = parsePixelBatch(
      JSON.stringify({
        v: 1,
        shop: "s.myshopify.com",
        accountId: "a",
        events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => ({})),
      }),
      NOW,
    );
    expect(tooMany.type).toBe("invalid");
  });
});
