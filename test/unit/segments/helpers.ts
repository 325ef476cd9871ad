// Building blocks for segment tests: customers, products, storefront events, orders and codes written the way the
// producers write them, segments created through the service, and evaluation at a chosen instant (the engine takes
// "now" as a parameter, so window expiry is tested without waiting).
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { RulesInput } from "../../../app/domain/segments/rules";
import { REASONS, type Reason } from "../../../app/domain/segments/dependencies";
import { runSegmentExpiry } from "../../../app/services/segments/expiry.server";
import { drainRequests, recordRequest } from "../../../app/services/segments/requests.server";
import { createSegment } from "../../../app/services/segments/segments.server";
import type { TestShop } from "../../support/shops";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The tests' "now": everything is placed relative to it. */
export const NOW = Date.parse("2026-11-01T12:00:00.000Z");

export async function addCustomer(
  shop: TestShop,
  fields: {
    tags?: string[];
    acceptsMarketing?: boolean;
    platformCreatedAt?: number;
    ordersCount?: number;
    totalSpent?: string;
    lastOrderAt?: number;
    email?: string;
  } = {},
): Promise<string> {
  const tag = randomUUID().slice(0, 8);
  const row = await shop.db.customer.create({
    data: {
      shopId: shop.id,
      platformId: `gid://shopify/Customer/${tag}`,
      email: fields.email ?? `${tag}@example.com`,
      firstName: `Customer ${tag}`,
      tags: fields.tags ?? [],
      acceptsMarketing: fields.acceptsMarketing ?? false,
      platformCreatedAt:
        fields.platformCreatedAt === undefined ? new Date(NOW - 365 * DAY) : new Date(fields.platformCreatedAt),
      ordersCount: fields.ordersCount ?? 0,
      totalSpent: fields.totalSpent ?? "0",
      lastOrderAt: fields.lastOrderAt === undefined ? null : new Date(fields.lastOrderAt),
    },
    select: { id: true },
  });
  return row.id;
}

export async function addProduct(
  shop: TestShop,
  platformId: string,
  fields: { title?: string; vendor?: string; productType?: string; collectionIds?: string[] } = {},
): Promise<string> {
  await shop.db.product.create({
    data: {
      shopId: shop.id,
      platformId,
      title: fields.title ?? platformId.split("/").pop(),
      vendor: fields.vendor ?? null,
      productType: fields.productType ?? null,
      collectionIds: fields.collectionIds ?? [],
    },
  });
  return platformId;
}

export const productGid = (n: number | string) => `gid://shopify/Product/${n}`;
export const variantGid = (n: number | string) => `gid://shopify/ProductVariant/${n}`;
export const collectionGid = (n: number | string) => `gid://shopify/Collection/${n}`;

/** A storefront event stored as the pixel endpoint stores it. */
export async function addEvent(
  shop: TestShop,
  customerId: string,
  at: number,
  event: { topic?: string; productId?: string | null; variantId?: string | null; collectionId?: string | null } = {},
): Promise<void> {
  await shop.db.event.create({
    data: {
      shopId: shop.id,
      source: "PIXEL",
      externalId: randomUUID(),
      topic: event.topic ?? "product_viewed",
      customerId,
      productId: event.productId === undefined ? productGid(1) : event.productId,
      variantId: event.variantId ?? null,
      collectionId: event.collectionId ?? null,
      payload: {},
      occurredAt: new Date(at),
    },
  });
}

export async function addOrder(
  shop: TestShop,
  customerId: string,
  at: number,
  fields: { total?: string; sourceName?: string; deliveryType?: string; cancelled?: boolean } = {},
): Promise<void> {
  await shop.db.order.create({
    data: {
      shopId: shop.id,
      platformId: `gid://shopify/Order/${randomUUID()}`,
      customerId,
      totalPrice: fields.total ?? "10.00",
      sourceName: fields.sourceName ?? "web",
      deliveryType: fields.deliveryType ?? "shipping",
      cancelledAt: fields.cancelled ? new Date(at) : null,
      placedAt: new Date(at),
    },
  });
}

export async function addPool(shop: TestShop, name = `Pool ${randomUUID().slice(0, 6)}`): Promise<string> {
  const pool = await shop.db.pool.create({ data: { shopId: shop.id, name } });
  return pool.id;
}

/** A code from the pool given to the customer at `at` (an INITIAL issuance), optionally redeemed at `redeemedAt`. */
export async function addIssuedCode(
  shop: TestShop,
  poolId: string,
  customerId: string,
  at: number,
  redeemedAt?: number,
): Promise<void> {
  const text = `CODE-${randomUUID().slice(0, 8)}`;
  const code = await shop.db.code.create({
    data: {
      shopId: shop.id,
      poolId,
      code: text,
      codeKey: text.toUpperCase(),
      status: redeemedAt === undefined ? "ASSIGNED" : "REDEEMED",
      customerId,
      assignedAt: new Date(at),
      redeemedAt: redeemedAt === undefined ? null : new Date(redeemedAt),
    },
  });
  await shop.db.issuance.create({
    data: { shopId: shop.id, poolId, codeId: code.id, customerId, createdAt: new Date(at) },
  });
}

export async function addSegment(
  shop: TestShop,
  rules: RulesInput,
  name = `Segment ${randomUUID().slice(0, 6)}`,
): Promise<string> {
  const result = await createSegment(shop.db, shop.id, { name, rules });
  if (result.type !== "saved") throw new Error(`segment not created: ${JSON.stringify(result)}`);
  return result.segment.id;
}

/** One condition in one group. */
export function only(condition: RulesInput["groups"][number]["conditions"][number]): RulesInput {
  return { join: "and", groups: [{ join: "and", conditions: [condition] }] };
}

/** What a producer does (record the request), then what the worker does (drain), at the instant `at`. */
export async function evaluate(shop: TestShop, customerIds: string[], at: number, reason: Reason = "events") {
  await recordRequest(shop.db, shop.id, customerIds, REASONS[reason]);
  const result = await drainRequests(shop.id, { now: () => new Date(at) });
  expect(result.ran).toBe(true);
  return result;
}

export async function expireAt(shop: TestShop, at: number) {
  return runSegmentExpiry(shop.id, { now: new Date(at) });
}

export async function members(shop: TestShop, segmentId: string): Promise<string[]> {
  const rows = await shop.db.segmentMembership.findMany({ where: { segmentId }, select: { customerId: true } });
  return rows.map((r) => r.customerId).sort();
}

export async function membership(shop: TestShop, segmentId: string, customerId: string) {
  return shop.db.segmentMembership.findFirst({ where: { segmentId, customerId } });
}

export async function transitionsOf(shop: TestShop, segmentId: string) {
  const rows = await shop.db.segmentTransition.findMany({ where: { segmentId }, orderBy: { id: "asc" } });
  return rows.map((r) => ({ kind: r.kind, customerId: r.customerId, products: r.triggeredProducts as string[] }));
}

export async function memberCount(shop: TestShop, segmentId: string): Promise<number> {
  return (await shop.db.segment.findUniqueOrThrow({ where: { id: segmentId }, select: { memberCount: true } }))
    .memberCount;
}
