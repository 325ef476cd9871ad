// Mandatory privacy topics. customers/redact removes everything personal we hold on the customer: the customer
// row (memberships and transitions cascade), its events, the messages we sent them (kept otherwise for delivery
// accounting), its issuances and the link from the codes it was given (no foreign keys there: decision 0015), and
// the exports of their data requests. shop/redact removes the shop and, by cascade, its rows; issuances and codes
// explicitly.
// customers/data_request gathers what we hold on the customer into data_requests.export, once per request id, for
// the merchant to download from Settings and hand over.
import { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import type { DataRequestPayload } from "../domain/events/privacy-payloads";
import { customerGid, orderGid } from "../domain/shopify/webhook-payloads";

export async function redactCustomer(db: ShopDb, customer: { id: string }): Promise<{ deleted: boolean }> {
  // Exports assembled for the customer's data requests hold the same personal data.
  await db.dataRequest.deleteMany({ where: { platformCustomerId: customerGid(customer) } });
  const row = await db.customer.findFirst({ where: { platformId: customerGid(customer) }, select: { id: true } });
  if (!row) return { deleted: false };
  await db.message.deleteMany({ where: { customerId: row.id } });
  await db.event.deleteMany({ where: { customerId: row.id } });
  await db.visitor.deleteMany({ where: { customerId: row.id } });
  // Issuances and codes have no foreign key to customers (decision 0015): the codes they were given stay used,
  // without the link to them, and the issuance records go.
  const codeIds = await issuedCodeIds(db, row.id);
  if (codeIds.length) await db.code.updateMany({ where: { id: { in: codeIds }, customerId: row.id }, data: { customerId: null } });
  await db.issuance.deleteMany({ where: { customerId: row.id } });
  await db.customer.delete({ where: { id: row.id } });
  return { deleted: true };
}

export async function redactShop(shopId: string): Promise<void> {
  const shop = await prisma.shop.findUnique({ where: { id: shopId }, select: { domain: true } });
  if (!shop) return;
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: shop.domain } }),
    // The tables the shop row's cascade does not reach: issuances (decision 0015) and codes (0021), which are
    // found through the shop's pools (codes have no shop index); their redemptions cascade from them.
    prisma.issuance.deleteMany({ where: { shopId } }),
    prisma.code.deleteMany({ where: { pool: { shopId } } }),
    prisma.shop.delete({ where: { id: shopId } }),
  ]);
}

/** The codes a customer was issued; codes are found through their issuances (codes have no customer index). */
async function issuedCodeIds(db: ShopDb, customerId: string): Promise<bigint[]> {
  const rows = await db.issuance.findMany({ where: { customerId, codeId: { not: null } }, select: { codeId: true }, distinct: ["codeId"] });
  return rows.map((r) => r.codeId!);
}

/** A customer's storefront history can be long; the export says so when it stops short. */
export const MAX_EXPORTED_EVENTS = 20_000;

export type DataRequestOutcome =
  { type: "assembled"; requestId: string; customerFound: boolean } | { type: "already_assembled"; requestId: string };

/** Records the request (a redelivery finds it) and assembles its export unless an earlier delivery already did. */
export async function fulfilDataRequest(
  db: ShopDb,
  shopId: string,
  payload: DataRequestPayload,
): Promise<DataRequestOutcome> {
  const requestId = payload.data_request.id;
  const request = await db.dataRequest.upsert({
    where: { shopId_requestId: { shopId, requestId } },
    create: {
      shopId,
      requestId,
      platformCustomerId: customerGid(payload.customer),
      email: payload.customer.email ?? null,
    },
    update: {},
    select: { id: true, export: true },
  });
  if (request.export !== null) return { type: "already_assembled", requestId };
  const data = await gatherCustomerData(db, {
    platformCustomerId: customerGid(payload.customer),
    email: payload.customer.email ?? null,
    orderIds: payload.orders_requested.map((id) => orderGid({ id })),
  });
  // Only a request still without an export takes this one: two deliveries racing leave the first one's.
  await db.dataRequest.updateMany({
    where: { id: request.id, export: { equals: Prisma.DbNull } },
    data: { export: data as unknown as Prisma.InputJsonValue },
  });
  return { type: "assembled", requestId, customerFound: data.customer !== null };
}

export interface CustomerDataExport {
  generatedAt: string;
  request: { platformCustomerId: string; email: string | null; ordersRequested: string[] };
  customer: Record<string, unknown> | null;
  visitors: unknown[];
  orders: unknown[];
  codes: unknown[];
  issuances: unknown[];
  redemptions: unknown[];
  segmentMemberships: unknown[];
  segmentTransitions: unknown[];
  messages: unknown[];
  events: unknown[];
  eventsTruncated: boolean;
}

/**
 * Everything we hold on one customer, as plain JSON. The customer is found by platform id, else by email (a
 * customer we only know from an email address); orders Shopify names in the request are included even when
 * they are not linked to the customer row.
 */
export async function gatherCustomerData(
  db: ShopDb,
  who: { platformCustomerId: string; email: string | null; orderIds: string[] },
): Promise<CustomerDataExport> {
  const customer =
    (await db.customer.findFirst({ where: { platformId: who.platformCustomerId } })) ??
    (who.email ? await db.customer.findFirst({ where: { email: { equals: who.email, mode: "insensitive" } } }) : null);
  const request = { platformCustomerId: who.platformCustomerId, email: who.email, ordersRequested: who.orderIds };
  const orderFilter = customer
    ? { OR: [{ customerId: customer.id }, { platformId: { in: who.orderIds } }] }
    : { platformId: { in: who.orderIds } };
  const orders = await db.order.findMany({ where: orderFilter, orderBy: { placedAt: "asc" } });
  const base = { generatedAt: new Date().toISOString(), request, orders: plain(orders) };
  if (!customer) {
    return {
      ...base,
      customer: null,
      visitors: [],
      codes: [],
      issuances: [],
      redemptions: [],
      segmentMemberships: [],
      segmentTransitions: [],
      messages: [],
      events: [],
      eventsTruncated: false,
    };
  }
  const where = { customerId: customer.id };
  const codeIds = await issuedCodeIds(db, customer.id);
  const [visitors, codes, issuances, redemptions, memberships, transitions, messages, events] = await Promise.all([
    db.visitor.findMany({ where, select: { clientId: true, firstSeen: true, linkedAt: true } }),
    db.code.findMany({
      where: { id: { in: codeIds }, customerId: customer.id },
      select: {
        code: true,
        status: true,
        assignedAt: true,
        redeemedAt: true,
        expiresAt: true,
        pool: { select: { name: true } },
      },
      orderBy: { id: "asc" },
    }),
    db.issuance.findMany({
      where,
      select: {
        kind: true,
        source: true,
        createdAt: true,
        pool: { select: { name: true } },
        code: { select: { code: true } },
      },
      orderBy: { id: "asc" },
    }),
    db.redemption.findMany({
      where,
      select: { amount: true, orderTotal: true, redeemedAt: true, code: { select: { code: true } } },
    }),
    db.segmentMembership.findMany({
      where,
      select: { enteredAt: true, expiresAt: true, triggeredProducts: true, segment: { select: { name: true } } },
    }),
    db.segmentTransition.findMany({
      where,
      select: { segmentId: true, kind: true, createdAt: true, triggeredProducts: true },
      orderBy: { id: "asc" },
    }),
    db.message.findMany({
      where,
      select: {
        channel: true,
        recipient: true,
        subject: true,
        body: true,
        status: true,
        sentAt: true,
        createdAt: true,
      },
      orderBy: { id: "asc" },
    }),
    db.event.findMany({
      where,
      select: {
        source: true,
        topic: true,
        clientId: true,
        productId: true,
        variantId: true,
        collectionId: true,
        payload: true,
        occurredAt: true,
      },
      orderBy: { id: "asc" },
      take: MAX_EXPORTED_EVENTS + 1,
    }),
  ]);
  // Transitions carry the segment's id only; its name says more to the customer.
  const segmentIds = [...new Set(transitions.map((t) => t.segmentId))];
  const segments = segmentIds.length
    ? await db.segment.findMany({ where: { id: { in: segmentIds } }, select: { id: true, name: true } })
    : [];
  const segmentName = new Map(segments.map((g) => [g.id, g.name]));
  const { shopId: _shopId, ...customerFields } = customer;
  return {
    ...base,
    customer: plain(customerFields),
    visitors: plain(visitors),
    codes: plain(codes),
    issuances: plain(issuances),
    redemptions: plain(redemptions),
    segmentMemberships: plain(memberships),
    segmentTransitions: plain(
      transitions.map(({ segmentId, ...t }) => ({ ...t, segment: { name: segmentName.get(segmentId) ?? null } })),
    ),
    messages: plain(messages),
    events: plain(events.slice(0, MAX_EXPORTED_EVENTS)),
    eventsTruncated: events.length > MAX_EXPORTED_EVENTS,
  };
}

/** Rows as JSON values: BigInt ids and Decimal amounts become strings, dates ISO strings. */
function plain<T extends object>(value: T): T extends unknown[] ? unknown[] : Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  ) as T extends unknown[] ? unknown[] : Record<string, unknown>;
}

export async function listOpenDataRequests(db: ShopDb) {
  return db.dataRequest.findMany({
    where: { fulfilledAt: null },
    orderBy: { requestedAt: "asc" },
    select: { id: true, requestId: true, platformCustomerId: true, email: true, requestedAt: true, export: true },
    take: 100,
  });
}

export async function dataRequestExport(db: ShopDb, id: string) {
  return db.dataRequest.findFirst({ where: { id }, select: { id: true, requestId: true, export: true } });
}

/** The merchant handed the data over: the request leaves the open list (its export is kept for the record). */
export async function markDataRequestFulfilled(db: ShopDb, id: string): Promise<boolean> {
  const result = await db.dataRequest.updateMany({
    where: { id, fulfilledAt: null },
    data: { fulfilledAt: new Date() },
  });
  return result.count > 0;
}
