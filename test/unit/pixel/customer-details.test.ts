// Customers first met through the pixel (signed up before the install: no customers/create ever comes) get their
// details read once from the store, through the store simulator's schema-checked Admin API.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { prisma } from "../../../app/db.server";
import { processFetchCustomers, processPixelBatch } from "../../../app/jobs/processors/events.server";
import { PlatformAuthError } from "../../../app/platforms/errors";
import { receivePixelBatch } from "../../../app/services/pixel/ingest.server";
import { simulator } from "../../support/shopify-client";
import { createTestShop, type TestShop } from "../../support/shops";

const evaluations = vi.hoisted(() => [] as { customerIds: string[]; reason: string }[]);
vi.mock("../../../app/services/segments/triggers.server", () => ({
  requestSegmentEvaluation: (_shopId: string, customerIds: string[], reason: string) => {
    evaluations.push({ customerIds: [...customerIds].sort(), reason });
    return Promise.resolve();
  },
}));

beforeEach(() => {
  evaluations.length = 0;
});

let n = 0;
async function viewAs(shop: TestShop, customerId: string) {
  n += 1;
  const event = { id: `d${n}-${Math.random().toString(36).slice(2)}`, name: "product_viewed", timestamp: new Date().toISOString(), clientId: `browser-${n}`, customerId, orderId: null, collection: null,
    products: [{ id: "7001", variantId: "70011", title: "Scarf", vendor: "Acme", type: "Scarves", sku: null, quantity: null }],
  };
  const result = await receivePixelBatch(JSON.stringify({ v: 1, shop: shop.domain, accountId: shop.id, events: [event] }));
  if (result.type !== "accepted") throw new Error(`batch refused: ${JSON.stringify(result)}`);
  const ids = (await shop.db.event.findMany({ where: { processedAt: null, source: "PIXEL" }, select: { id: true } })).map((r) => r.id.toString());
  return processPixelBatch({ shopId: shop.id, eventIds: ids });
}

/** A customer the store has had for a year, with orders, consent, tags and a phone number. */
function longStandingCustomer(shop: TestShop) {
  const store = simulator().state(shop.domain);
  const customer = store.addCustomer({ email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" });
  Object.assign(customer, {
    phone: "+15550001234",
    tags: ["vip", "newsletter"],
    numberOfOrders: 12,
    amountSpentCents: 123_450,
    createdAt: "2025-11-01T09:00:00Z",
    emailMarketing: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: "2025-11-01T09:00:00Z" },
  });
  return customer;
}

const requestsOf = (shop: TestShop) => simulator().requestLog.filter((r) => r.shop === shop.domain).map((r) => r.operationName);

describe("customers first met through the pixel", () => {
  it("GIVEN a customer from before the install WHEN the pixel names them THEN their details are read once from the store: address, consent, tags, creation date and counters", async () => {
    const shop = await createTestShop();
    const stored = longStandingCustomer(shop);
    const batch = await viewAs(shop, stored.id);
    expect(batch).toMatchObject({ processed: 1, undetailed: 1 });
    const row = await shop.db.customer.findFirstOrThrow({ where: { platformId: `gid://shopify/Customer/${stored.id}` } });
    // Before the read: the id alone, and the row's own creation time standing in for the customer's.
    expect(row).toMatchObject({ email: null, platformCreatedAt: null, ordersCount: 0 });

    evaluations.length = 0;
    expect(await processFetchCustomers({ shopId: shop.id, customerIds: [row.id] })).toEqual({ asked: 1, filled: 1 });
    const filled = await shop.db.customer.findUniqueOrThrow({ where: { id: row.id } });
    expect(filled).toMatchObject({
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      phone: "+15550001234",
      tags: ["vip", "newsletter"],
      acceptsMarketing: true,
      ordersCount: 12,
      platformCreatedAt: new Date("2025-11-01T09:00:00Z"),
    });
    expect(filled.totalSpent.toFixed(2)).toBe("1234.50");
    expect(evaluations).toEqual([
      { customerIds: [row.id], reason: "customer" },
      { customerIds: [row.id], reason: "orders" },
    ]);
    expect(requestsOf(shop)).toEqual(["CustomerDetails"]);

    // Named again by later batches: nothing more to read, and the store is not asked again.
    expect(await viewAs(shop, stored.id)).toMatchObject({ processed: 1, undetailed: 0 });
    expect(await processFetchCustomers({ shopId: shop.id, customerIds: [row.id] })).toEqual({ asked: 0, filled: 0 });
    expect(requestsOf(shop)).toEqual(["CustomerDetails"]);
  });

  it("GIVEN a customer the store no longer has (deleted) WHEN their details are read THEN the row stays as it was", async () => {
    const shop = await createTestShop();
    await viewAs(shop, "999000111");
    const row = await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/999000111" } });
    evaluations.length = 0;
    expect(await processFetchCustomers({ shopId: shop.id, customerIds: [row.id] })).toEqual({ asked: 1, filled: 0 });
    expect(await shop.db.customer.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ email: null, platformCreatedAt: null });
    expect(evaluations).toEqual([]);
  });

  it("GIVEN a customer a webhook already described WHEN the pixel names them THEN the store is not asked", async () => {
    const shop = await createTestShop();
    const stored = longStandingCustomer(shop);
    await shop.db.customer.create({
      data: { shopId: shop.id, platformId: `gid://shopify/Customer/${stored.id}`, email: "ada@example.com", platformCreatedAt: new Date("2025-11-01T09:00:00Z") },
    });
    expect(await viewAs(shop, stored.id)).toMatchObject({ processed: 1, undetailed: 0 });
    const row = await shop.db.customer.findFirstOrThrow({ where: { platformId: `gid://shopify/Customer/${stored.id}` } });
    expect(await processFetchCustomers({ shopId: shop.id, customerIds: [row.id] })).toEqual({ asked: 0, filled: 0 });
    expect(requestsOf(shop)).toEqual([]);
  });

  it("GIVEN another shop's customer id WHEN a shop's job asks for it THEN nothing is read or written", async () => {
    const [shop, other] = [await createTestShop(), await createTestShop()];
    const stored = longStandingCustomer(other);
    await viewAs(other, stored.id);
    const otherRow = await other.db.customer.findFirstOrThrow({ where: { platformId: `gid://shopify/Customer/${stored.id}` } });
    expect(await processFetchCustomers({ shopId: shop.id, customerIds: [otherRow.id] })).toEqual({ asked: 0, filled: 0 });
    expect(requestsOf(shop)).toEqual([]);
    expect(await other.db.customer.findUniqueOrThrow({ where: { id: otherRow.id } })).toMatchObject({ email: null });
  });

  it("GIVEN a shop whose offline session is gone WHEN the job runs THEN it fails as an auth error, which the worker does not retry", async () => {
    const shop = await createTestShop();
    const stored = longStandingCustomer(shop);
    await viewAs(shop, stored.id);
    const row = await shop.db.customer.findFirstOrThrow({ where: { platformId: `gid://shopify/Customer/${stored.id}` } });
    await prisma.session.deleteMany({ where: { shop: shop.domain } });
    await expect(processFetchCustomers({ shopId: shop.id, customerIds: [row.id] })).rejects.toBeInstanceOf(PlatformAuthError);
  });
});
