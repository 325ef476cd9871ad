// Processing stored pixel batches: customers, visitor links with backfill, products, segment evaluation.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { processPixelBatch } from "../../../app/jobs/processors/events.server";
import { receivePixelBatch } from "../../../app/services/pixel/ingest.server";
import type * as Visitors from "../../../app/services/visitors.server";
import { createTestShop, type TestShop } from "../../support/shops";

// The segments engine is another module; what this one owes it is the call, with the customers touched.
const evaluations = vi.hoisted(() => [] as { shopId: string; customerIds: string[]; reason: string }[]);
vi.mock("../../../app/services/segments/triggers.server", () => ({
  requestSegmentEvaluation: (shopId: string, customerIds: string[], reason: string) => {
    evaluations.push({ shopId, customerIds: [...customerIds].sort(), reason });
    return Promise.resolve();
  },
}));

// A job held between reading its visitors and attributing its events, to let another job run in between.
const hold = vi.hoisted(() => ({ next: null as null | { reached: () => void; until: Promise<void> } }));
vi.mock("../../../app/services/visitors.server", async (importOriginal) => {
  const real = await importOriginal<typeof Visitors>();
  return {
    ...real,
    touchVisitors: async (...args: Parameters<typeof real.touchVisitors>) => {
      const visitors = await real.touchVisitors(...args);
      const held = hold.next;
      hold.next = null;
      if (held) {
        held.reached();
        await held.until;
      }
      return visitors;
    },
  };
});

beforeEach(() => {
  evaluations.length = 0;
  hold.next = null;
});

let n = 0;
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

function product(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    variantId: `${id}1`,
    title: `Product ${id}`,
    vendor: "Acme",
    type: "Shirts",
    sku: `SKU-${id}`,
    quantity: null,
    ...extra,
  };
}

function ev(name: string, fields: Record<string, unknown>) {
  n += 1;
  return {
    id: `e${n}-${Math.random().toString(36).slice(2)}`,
    name,
    timestamp: at(5),
    clientId: "browser-1",
    customerId: null,
    products: [],
    collection: null,
    orderId: null,
    ...fields,
  };
}

/** Stores a batch the way the endpoint does and processes it the way the worker does; answers the outcome. */
async function deliver(shop: TestShop, events: unknown[]) {
  const result = await receivePixelBatch(JSON.stringify({ v: 1, shop: shop.domain, accountId: shop.id, events }));
  if (result.type !== "accepted") throw new Error(`batch refused: ${JSON.stringify(result)}`);
  const ids = (
    await shop.db.event.findMany({ where: { processedAt: null, source: "PIXEL" }, select: { id: true } })
  ).map((r) => r.id.toString());
  return processPixelBatch({ shopId: shop.id, eventIds: ids });
}

describe("processing pixel batches", () => {
  it("GIVEN anonymous views WHEN the same browser completes a checkout THEN the visitor is linked and the earlier views count for the customer", async () => {
    const shop = await createTestShop();
    const anonymous = await deliver(shop, [
      ev("product_viewed", { products: [product("7001")] }),
      ev("product_viewed", { products: [product("7002")] }),
    ]);
    expect(anonymous).toMatchObject({ processed: 2, customers: 0, linked: 0 });
    expect(await shop.db.event.count({ where: { customerId: { not: null } } })).toBe(0);
    expect(evaluations).toEqual([]);
    expect(await shop.db.visitor.findFirst({ where: { clientId: "browser-1" } })).toMatchObject({
      customerId: null,
      linkedAt: null,
    });

    const checkout = await deliver(shop, [
      ev("checkout_completed", { customerId: "5001", orderId: "9001", products: [product("7001", { quantity: 1 })] }),
    ]);
    expect(checkout).toMatchObject({ processed: 1, linked: 1, backfilled: 2 });

    const customer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/5001" } });
    const visitor = await shop.db.visitor.findFirstOrThrow({ where: { clientId: "browser-1" } });
    expect(visitor.customerId).toBe(customer.id);
    expect(visitor.linkedAt).not.toBeNull();
    const events = await shop.db.event.findMany({
      orderBy: { id: "asc" },
      select: { topic: true, customerId: true, processedAt: true },
    });
    expect(events.map((e) => [e.topic, e.customerId])).toEqual([
      ["product_viewed", customer.id],
      ["product_viewed", customer.id],
      ["checkout_completed", customer.id],
    ]);
    expect(events.every((e) => e.processedAt)).toBe(true);
    // The checkout created the customer: a customer change besides new activity.
    expect(evaluations).toEqual([
      { shopId: shop.id, customerIds: [customer.id], reason: "events" },
      { shopId: shop.id, customerIds: [customer.id], reason: "customer" },
    ]);
  });

  it("GIVEN a linked browser WHEN the customer browses logged out later THEN those views are theirs too", async () => {
    const shop = await createTestShop();
    await deliver(shop, [
      ev("product_viewed", { customerId: "gid://shopify/Customer/5002", products: [product("7001")] }),
    ]);
    await deliver(shop, [ev("product_viewed", { products: [product("7003")] })]);
    const customer = await shop.db.customer.findFirstOrThrow();
    expect(await shop.db.event.count({ where: { customerId: customer.id } })).toBe(2);
    expect(evaluations.at(-1)).toEqual({ shopId: shop.id, customerIds: [customer.id], reason: "events" });
  });

  it("GIVEN an anonymous batch's job that read the browser as unlinked WHEN the login batch's job links and backfills it meanwhile THEN the anonymous views stay the customer's", async () => {
    const shop = await createTestShop();
    const store = async (events: unknown[]) => {
      const before = new Set((await shop.db.event.findMany({ select: { id: true } })).map((r) => r.id.toString()));
      const result = await receivePixelBatch(JSON.stringify({ v: 1, shop: shop.domain, accountId: shop.id, events }));
      if (result.type !== "accepted") throw new Error(`batch refused: ${JSON.stringify(result)}`);
      return (await shop.db.event.findMany({ select: { id: true } }))
        .map((r) => r.id.toString())
        .filter((id) => !before.has(id));
    };
    const anonymous = await store([
      ev("product_viewed", { products: [product("7001")] }),
      ev("product_viewed", { products: [product("7002")] }),
    ]);
    const login = await store([ev("product_viewed", { customerId: "5050", products: [product("7003")] })]);

    let release!: () => void;
    const reached = new Promise<void>((resolve) => {
      hold.next = { reached: resolve, until: new Promise<void>((r) => (release = r)) };
    });
    const first = processPixelBatch({ shopId: shop.id, eventIds: anonymous });
    await reached; // the anonymous job has read the browser: not linked yet
    expect(await processPixelBatch({ shopId: shop.id, eventIds: login })).toMatchObject({ linked: 1, backfilled: 2 });
    release();
    await first;

    const customer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/5050" } });
    const events = await shop.db.event.findMany({ select: { customerId: true, processedAt: true } });
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.customerId === customer.id && e.processedAt)).toBe(true);
  });

  it("GIVEN a customer logging in on a browser another customer used THEN the browser moves to them, earlier events stay with the first", async () => {
    const shop = await createTestShop();
    await deliver(shop, [ev("product_viewed", { customerId: "5101", products: [product("7001")] })]);
    await deliver(shop, [ev("product_viewed", { customerId: "5102", products: [product("7002")] })]);
    const [first, second] = await Promise.all(
      ["5101", "5102"].map((id) =>
        shop.db.customer.findFirstOrThrow({ where: { platformId: `gid://shopify/Customer/${id}` } }),
      ),
    );
    expect((await shop.db.visitor.findFirstOrThrow()).customerId).toBe(second!.id);
    expect(await shop.db.event.count({ where: { customerId: first!.id } })).toBe(1);
    expect(await shop.db.event.count({ where: { customerId: second!.id } })).toBe(1);
  });

  it("GIVEN an unknown customer id THEN a minimal customer is created once, and a known one is reused", async () => {
    const shop = await createTestShop();
    const known = await shop.db.customer.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Customer/5201", email: "known@example.com" },
    });
    await deliver(shop, [
      ev("product_viewed", { customerId: "5201", clientId: "b-a", products: [product("7001")] }),
      ev("product_viewed", { customerId: "5202", clientId: "b-b", products: [product("7001")] }),
      ev("product_added_to_cart", {
        customerId: "5202",
        clientId: "b-b",
        products: [product("7001", { quantity: 2 })],
      }),
    ]);
    const customers = await shop.db.customer.findMany({
      orderBy: { platformId: "asc" },
      select: { id: true, platformId: true, email: true },
    });
    expect(customers).toEqual([
      { id: known.id, platformId: "gid://shopify/Customer/5201", email: "known@example.com" },
      { id: expect.any(String), platformId: "gid://shopify/Customer/5202", email: null },
    ]);
  });

  it("GIVEN product and collection views THEN products are upserted with vendor, type, SKUs and the collections that listed them", async () => {
    const shop = await createTestShop();
    await deliver(shop, [
      ev("product_viewed", { products: [product("7001", { vendor: "Acme", type: "Shirts" })] }),
      ev("collection_viewed", {
        collection: { id: "3001", title: "Summer" },
        products: [product("7001"), product("7002", { vendor: "Other" })],
      }),
    ]);
    await deliver(shop, [
      // A later view without a vendor keeps the vendor; another collection adds to the list.
      ev("product_added_to_cart", { products: [product("7001", { vendor: null, sku: "SKU-7001-L" })] }),
      ev("collection_viewed", {
        collection: { id: "gid://shopify/Collection/3002", title: "Sale" },
        products: [product("7001")],
      }),
    ]);
    const products = await shop.db.product.findMany({ orderBy: { platformId: "asc" } });
    expect(
      products.map((p) => ({
        id: p.platformId,
        vendor: p.vendor,
        type: p.productType,
        collections: p.collectionIds,
        skus: p.skus,
      })),
    ).toEqual([
      {
        id: "gid://shopify/Product/7001",
        vendor: "Acme",
        type: "Shirts",
        collections: ["gid://shopify/Collection/3001", "gid://shopify/Collection/3002"],
        skus: ["SKU-7001", "SKU-7001-L"],
      },
      {
        id: "gid://shopify/Product/7002",
        vendor: "Other",
        type: "Shirts",
        collections: ["gid://shopify/Collection/3001"],
        skus: ["SKU-7002"],
      },
    ]);
  });

  it("GIVEN product views with page paths, a forged absolute URL and a view without one THEN the path is kept, anything but a storefront path is dropped, and the view still counts", async () => {
    const shop = await createTestShop();
    await deliver(shop, [
      ev("product_viewed", { products: [product("7101", { url: "/products/trail-runner?variant=1" })] }),
      ev("product_viewed", { products: [product("7102", { url: "https://evil.example/login" })] }),
      ev("product_viewed", { products: [product("7103", { url: "//evil.example/login" })] }),
      ev("product_viewed", { products: [product("7104", { url: "/\\evil.example" })] }),
      ev("product_viewed", { products: [product("7105", { url: "javascript:alert(1)" })] }),
    ]);
    // A later view that names no path keeps the one known.
    await deliver(shop, [ev("product_added_to_cart", { products: [product("7101", { url: null })] })]);
    const products = await shop.db.product.findMany({ orderBy: { platformId: "asc" }, select: { platformId: true, url: true } });
    expect(products).toEqual([
      { platformId: "gid://shopify/Product/7101", url: "/products/trail-runner?variant=1" },
      { platformId: "gid://shopify/Product/7102", url: null },
      { platformId: "gid://shopify/Product/7103", url: null },
      { platformId: "gid://shopify/Product/7104", url: null },
      { platformId: "gid://shopify/Product/7105", url: null },
    ]);
    await expect(shop.db.event.count({ where: { source: "PIXEL", error: null } })).resolves.toBe(6);
  });

  it("GIVEN a batch processed twice (a retried job) THEN the second run changes nothing and asks for no evaluation", async () => {
    const shop = await createTestShop();
    await receivePixelBatch(
      JSON.stringify({
        v: 1,
        shop: shop.domain,
        accountId: shop.id,
        events: [ev("product_viewed", { customerId: "5301", products: [product("7001")] })],
      }),
    );
    const ids = (await shop.db.event.findMany({ select: { id: true } })).map((r) => r.id.toString());
    expect(await processPixelBatch({ shopId: shop.id, eventIds: ids })).toMatchObject({ processed: 1 });
    expect(await processPixelBatch({ shopId: shop.id, eventIds: ids })).toMatchObject({
      processed: 0,
      skipped: 1,
      customers: 0,
    });
    expect(evaluations.map((e) => e.reason)).toEqual(["events", "customer"]);
    expect(await shop.db.customer.count()).toBe(1);
  });

  it("GIVEN event ids of another shop THEN nothing of that shop is read or changed", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await receivePixelBatch(
      JSON.stringify({
        v: 1,
        shop: b.domain,
        accountId: b.id,
        events: [ev("product_viewed", { customerId: "5401", products: [product("7001")] })],
      }),
    );
    const idsOfB = (await b.db.event.findMany({ select: { id: true } })).map((r) => r.id.toString());
    expect(await processPixelBatch({ shopId: a.id, eventIds: idsOfB })).toMatchObject({ processed: 0, skipped: 1 });
    expect(await b.db.event.count({ where: { processedAt: null } })).toBe(1);
    expect(await a.db.customer.count()).toBe(0);
    expect(await b.db.customer.count()).toBe(0);
  });
});
