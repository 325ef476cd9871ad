// Mandatory privacy topics. customers/redact removes everything personal we hold on the customer: the customer
// row (memberships and transitions cascade), its storefront events, the messages we sent them (kept otherwise for
// delivery accounting), its issuances and the link from the codes it was given (no foreign keys there: decision
// 0015), the exports of their data requests, and the payloads of the webhooks about them (scrubbed, not deleted:
// the row keeps a redelivery of the same webhook from being stored and applied again; decision 0016), and the
// reviews they wrote or that were written on the orders the request names.
// shop/redact removes the shop and, by cascade, its rows; issuances and codes explicitly.
// customers/data_request gathers what we hold on the customer into data_requests.export, once per request id, for
// the merchant to download from Settings and hand over.
import { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import type { DataRequestPayload } from "../domain/events/privacy-payloads";
import { isUuid } from "../domain/ids";
import { customerGid, orderGid } from "../domain/shopify/webhook-payloads";

export interface RedactionRequest {
  /** The customers/redact event asking: its own payload loses the contact details it carries. */
  eventId?: bigint;
  /** Orders Shopify names in the request (numeric ids): their webhooks are scrubbed even if no customer is linked. */
  ordersToRedact?: string[];
}

export async function redactCustomer(
  db: ShopDb,
  customer: { id: string; email?: string | null },
  request: RedactionRequest = {},
): Promise<{ deleted: boolean }> {
  // Exports assembled for the customer's data requests hold the same personal data.
  await db.dataRequest.deleteMany({ where: { platformCustomerId: customerGid(customer) } });
  const row = await db.customer.findFirst({ where: { platformId: customerGid(customer) }, select: { id: true } });
  // Before the customer row goes: webhook rows linked to it are found by that link.
  await scrubWebhookEvents(db, { customerRowId: row?.id ?? null, customer, ...request });
  // Reviews of the orders Shopify names are theirs even when no customer is linked (a guest, or a review platform
  // that named only the order); the ones linked to the customer go with the row.
  const orders = (request.ordersToRedact ?? []).map((id) => orderGid({ id }));
  if (orders.length) await db.review.deleteMany({ where: { order: { platformId: { in: orders } } } });
  if (!row) return { deleted: false };
  await db.message.deleteMany({ where: { customerId: row.id } });
  // Storefront events (pixel, Magento) are the customer's history: they go. Webhook rows were scrubbed above.
  await db.event.deleteMany({ where: { customerId: row.id, source: { not: "WEBHOOK" } } });
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

/** How far back a webhook job's start is taken, for clocks that differ between worker machines. */
const CLOCK_SKEW_MS = 60_000;

/**
 * A webhook job that read its payload before a redaction of its customer ran, and wrote after it, would bring the
 * customer back (their row, order links, tasks). The job calls this after its writes: when a redaction request for
 * the customer is in this shop's webhooks and was not yet done when the job started (being handled, waiting, or
 * done since), the redaction is run again, which removes what the job wrote. A request that was done before the job
 * started is left alone: what came after it (a new order months later) is the customer's new data.
 * The request counts only if its payload names this shop (a body replayed under another shop's header does not).
 * Partial index `events_customer_redactions` (migration 20261122050000) keeps this off the shop's other events.
 */
export async function redactAgainIfOverlapping(
  db: ShopDb,
  shop: { id: string; domain: string },
  customer: { id: string },
  jobStartedAt: Date,
): Promise<boolean> {
  const since = new Date(jobStartedAt.getTime() - CLOCK_SKEW_MS);
  const requests = await db.$queryRaw<{ orders: unknown }[]>`
    SELECT payload->'orders_to_redact' AS orders FROM events
    WHERE shop_id = ${shop.id}::uuid AND topic = 'customers/redact' AND source = 'WEBHOOK'
      AND payload->'customer'->>'id' = ${String(customer.id)}
      AND lower(payload->>'shop_domain') = ${shop.domain.toLowerCase()}
      AND (processed_at IS NULL OR processed_at >= ${since})`;
  if (requests.length === 0) return false;
  const orders = [...new Set(requests.flatMap((r) => (Array.isArray(r.orders) ? r.orders.map(String) : [])))];
  await redactCustomer(db, { id: String(customer.id) }, { ordersToRedact: orders });
  return true;
}

/** What a scrubbed webhook's payload becomes. */
const REDACTED = '{"redacted":true}';

/**
 * Scrubs the payloads of the shop's webhook rows about one customer: linked to their row (processed webhooks carry
 * the customer they were about), or naming them (customer id, email) or one of the orders of the request in the
 * payload, for rows stored before that link or never linked (guest orders, data requests, failed ones). The rows
 * stay: their (shop, source, external id) key is what keeps a redelivered webhook from being applied twice.
 * A row not processed yet is closed with the reason, so its job (queued, or waiting for a retry) skips it instead of
 * failing on a payload it can no longer read, and so does not bring the data back. A customers/redact row keeps
 * what its handler needs to run again (shop, customer id, order ids) and loses the rest; its processing is left
 * alone, since the request may be the one being processed.
 */
async function scrubWebhookEvents(
  db: ShopDb,
  who: { customerRowId: string | null; customer: { id: string; email?: string | null }; eventId?: bigint; ordersToRedact?: string[] },
): Promise<number> {
  const shop = await db.shop.findFirst({ select: { id: true } });
  if (!shop) return 0;
  const platformId = who.customer.id;
  const gid = customerGid(who.customer);
  const email = who.customer.email?.trim().toLowerCase() || null;
  const orders = who.ordersToRedact ?? [];
  return db.$executeRaw`
    UPDATE events SET
      payload = CASE WHEN topic = 'customers/redact'
        THEN json_build_object(
          'shop_domain', payload->'shop_domain', 'shop_id', payload->'shop_id',
          'customer', json_build_object('id', payload->'customer'->'id'),
          'orders_to_redact', coalesce(payload->'orders_to_redact', '[]'::json),
          'redacted', true)
        ELSE ${REDACTED}::json END,
      customer_id = NULL,
      processed_at = CASE WHEN topic = 'customers/redact' THEN processed_at ELSE coalesce(processed_at, now()) END,
      error = CASE WHEN topic <> 'customers/redact' AND processed_at IS NULL
        THEN 'personal data redacted before processing' ELSE error END
    WHERE shop_id = ${shop.id}::uuid AND source = 'WEBHOOK'
      AND (
        id = ${who.eventId ?? -1n}
        OR customer_id = ${who.customerRowId}::uuid
        OR (topic IN ('customers/create', 'customers/update')
            AND (payload->>'id' = ${platformId} OR payload->>'admin_graphql_api_id' = ${gid}))
        OR payload->'customer'->>'id' = ${platformId}
        OR payload->'customer'->>'admin_graphql_api_id' = ${gid}
        OR (topic LIKE 'orders/%' AND payload->>'id' = ANY(${orders}::text[]))
        OR (topic = 'refunds/create' AND payload->>'order_id' = ANY(${orders}::text[]))
        OR (${email}::text IS NOT NULL AND (
              lower(payload->>'email') = ${email}
              OR lower(payload->>'contact_email') = ${email}
              OR lower(payload->'customer'->>'email') = ${email}))
      )`;
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
  /** Reviews they wrote, or written on the orders in the export (a review platform may name only the order). */
  reviews: unknown[];
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
  const reviewFilter = { orderId: { in: orders.map((o) => o.id) } };
  const reviews = await db.review.findMany({
    where: customer ? { OR: [{ customerId: customer.id }, reviewFilter] } : reviewFilter,
    select: { externalId: true, rating: true, body: true, createdAt: true, order: { select: { platformId: true } } },
    orderBy: { createdAt: "asc" },
  });
  const base = { generatedAt: new Date().toISOString(), request, orders: plain(orders), reviews: plain(reviews) };
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
  if (!isUuid(id)) return null;
  return db.dataRequest.findFirst({ where: { id }, select: { id: true, requestId: true, export: true } });
}

/** The merchant handed the data over: the request leaves the open list (its export is kept for the record). */
export async function markDataRequestFulfilled(db: ShopDb, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db.dataRequest.updateMany({
    where: { id, fulfilledAt: null },
    data: { fulfilledAt: new Date() },
  });
  return result.count > 0;
}
