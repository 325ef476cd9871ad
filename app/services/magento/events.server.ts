// Events a Magento store pushes (a small module observing sales_order_place_after and product views, or an Adobe
// Commerce webhook relayed with the signature): POST /magento/events. The request names the shop (X-Promo-Shop:
// the shop's id, shown in Settings > Magento) and is signed with the shop's events secret (X-Promo-Hmac-Sha256:
// base64 of HMAC-SHA256 over the raw body). Like Shopify webhooks (docs/decisions/0005), events are verified,
// validated, stored (one row per event id, so redeliveries are no-ops) and only then enqueued; the worker turns
// them into orders, customers, products and segment evaluations. A Redis outage loses nothing: the Magento sweep
// re-enqueues what was stored but never processed.
import type { Prisma } from "@prisma/client";
import { createHmac, timingSafeEqual } from "node:crypto";
import { prisma } from "../../db.server";
import { isUniqueViolation } from "../../db/errors";
import { forShop, type ShopDb } from "../../db/shop-scope.server";
import { parseJsonKeepingBigIds } from "../../domain/events/safe-json";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { ensureCustomer } from "../customers.server";
import { eventsSecretOf } from "../platform-connections.server";
import { requestSegmentEvaluation } from "../segments/triggers.server";
import { recordMagentoOrder } from "./orders.server";
import { MAGENTO_TOPICS, MagentoEvent, MagentoEventBody } from "./payloads";
import { isUuid } from "../../domain/ids";

export { SHOP_HEADER, SIGNATURE_HEADER } from "./event-headers";
export const MAX_EVENTS_BYTES = 1024 * 1024;
const ENQUEUE_TIMEOUT_MS = 1500;

export interface EventIssue {
  /** Index in `events` for a batch; null for a single event or the body as a whole. */
  event: number | null;
  path: string;
  message: string;
}

export type ReceiveEventsResult =
  | { type: "accepted"; received: number; stored: number; duplicates: number; enqueued: number }
  | { type: "unknown_shop" }
  | { type: "not_configured" }
  | { type: "bad_signature" }
  | { type: "malformed" }
  | { type: "invalid"; issues: EventIssue[] };

export function signEventsBody(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

function signatureMatches(rawBody: string, secret: string, signature: string | null): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signEventsBody(rawBody, secret), "base64");
  const given = Buffer.from(signature.trim(), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }, event: number | null): EventIssue[] {
  return error.issues.map((i) => ({ event, path: i.path.map(String).join(".") || "(event)", message: i.message }));
}

export async function receiveMagentoEvents(input: { shopId: string | null; signature: string | null; rawBody: string }): Promise<ReceiveEventsResult> {
  if (!input.shopId || !isUuid(input.shopId)) return { type: "unknown_shop" };
  const shop = await prisma.shop.findFirst({ where: { id: input.shopId, platform: "MAGENTO", uninstalledAt: null }, select: { id: true } });
  if (!shop) return { type: "unknown_shop" };
  const db = forShop(shop.id);
  const secret = await eventsSecretOf(db, shop.id);
  if (!secret) return { type: "not_configured" };
  // The signature is checked before the body is even parsed.
  if (!signatureMatches(input.rawBody, secret, input.signature)) return { type: "bad_signature" };

  let body: unknown;
  try {
    body = parseJsonKeepingBigIds(input.rawBody);
  } catch {
    return { type: "malformed" };
  }
  const envelope = MagentoEventBody.safeParse(body);
  if (!envelope.success) {
    return { type: "invalid", issues: [{ event: null, path: "(body)", message: 'Send one event ({"id", "type", "data"}) or {"events": [...]} with 1 to 100 events' }] };
  }
  const listed = (envelope.data as { events?: unknown[] }).events;
  const batch = Array.isArray(listed);
  const raw: unknown[] = listed ?? [body];
  const issues: EventIssue[] = [];
  const events = raw.map((item, i) => {
    const parsed = MagentoEvent.safeParse(item);
    if (!parsed.success) issues.push(...issuesOf(parsed.error, batch ? i : null));
    return parsed.success ? { parsed: parsed.data, raw: item } : null;
  });
  // A batch is taken whole or not at all, so a sender never has to work out which half arrived.
  if (issues.length) return { type: "invalid", issues };

  let stored = 0;
  let duplicates = 0;
  const storedIds: bigint[] = [];
  for (const event of events) {
    if (!event) continue;
    const id = await storeEvent(db, shop.id, event.parsed, event.raw);
    if (id === null) duplicates += 1;
    else {
      stored += 1;
      storedIds.push(id);
    }
  }
  const enqueued = await enqueueWithin(ENQUEUE_TIMEOUT_MS, storedIds, (id) =>
    enqueue("magento", "processEvent", { shopId: shop.id, eventId: id.toString() }, { jobId: jobId("magento-event", id) }),
  );
  return { type: "accepted", received: events.length, stored, duplicates, enqueued };
}

/** Stores one event; null when an event with this id was stored before. */
async function storeEvent(db: ShopDb, shopId: string, event: MagentoEvent, raw: unknown): Promise<bigint | null> {
  const common = {
    shopId,
    source: "MAGENTO" as const,
    externalId: event.id,
    topic: MAGENTO_TOPICS[event.type],
    payload: raw as Prisma.InputJsonValue,
  };
  const fields =
    event.type === "order.placed"
      ? { occurredAt: event.occurred_at ?? event.data.order.created_at }
      : {
          occurredAt: event.occurred_at ?? new Date(),
          productId: event.data.product.parent_id ?? event.data.product.id,
          variantId: event.data.product.parent_id ? event.data.product.id : null,
          clientId: event.data.visitor_id ?? null,
        };
  try {
    const row = await db.event.create({ data: { ...common, ...fields }, select: { id: true } });
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** How many jobs Redis took in time; the rest wait for the Magento sweep. */
async function enqueueWithin(ms: number, ids: bigint[], add: (id: bigint) => Promise<unknown>): Promise<number> {
  if (ids.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    const results = await Promise.race([Promise.allSettled(ids.map(add)), timeout]);
    return results ? results.filter((r) => r.status === "fulfilled").length : 0;
  } finally {
    clearTimeout(timer);
  }
}

export type ProcessEventResult =
  | { type: "processed"; topic: string; customerId: string | null }
  | { type: "skipped"; reason: string }
  | { type: "unreadable"; message: string };

/** Applies one stored event. Idempotent: a processed event is skipped, and each step is an upsert. */
export async function processMagentoEvent(db: ShopDb, shopId: string, eventId: string): Promise<ProcessEventResult> {
  const stored = await db.event.findFirst({ where: { id: BigInt(eventId), source: "MAGENTO" } });
  if (!stored) return { type: "skipped", reason: "event not found (shop redacted?)" };
  if (stored.processedAt) return { type: "skipped", reason: "already processed" };
  const parsed = MagentoEvent.safeParse(stored.payload);
  if (!parsed.success) return { type: "unreadable", message: parsed.error.message };
  const event = parsed.data;

  let customerId: string | null = null;
  if (event.type === "order.placed") {
    const order = await recordMagentoOrder(db, shopId, event.data.order);
    customerId = order.customerId;
    if (customerId) {
      await db.event.update({ where: { id: stored.id }, data: { customerId } });
      // The order also found or created its customer, and may have changed their row: a customer change too.
      await Promise.all([
        requestSegmentEvaluation(shopId, [customerId], "orders"),
        requestSegmentEvaluation(shopId, [customerId], "customer"),
      ]);
    }
  } else {
    const { product, customer_id: platformCustomerId, visitor_id: visitorId } = event.data;
    let customerCreated = false;
    if (platformCustomerId) {
      const known = await db.customer.findFirst({ where: { platformId: platformCustomerId }, select: { id: true } });
      customerId = known?.id ?? (await ensureCustomer(db, shopId, { platformId: platformCustomerId }));
      customerCreated = !known;
    }
    await db.product.upsert({
      where: { shopId_platformId: { shopId, platformId: product.id } },
      create: { shopId, platformId: product.id, title: product.name ?? null, skus: [product.sku] },
      update: { ...(product.name ? { title: product.name } : {}), skus: [product.sku] },
    });
    if (visitorId) {
      const linkedTo = await linkVisitor(db, shopId, visitorId, customerId);
      // A view naming only its visitor is the customer's that visitor is linked to (browsing after logging out, or
      // a module that names the customer once per session).
      customerId ??= linkedTo;
    }
    if (customerId) {
      await db.event.update({ where: { id: stored.id }, data: { customerId } });
      // Views this visitor made before logging in count for the customer too.
      if (visitorId) await db.event.updateMany({ where: { clientId: visitorId, customerId: null }, data: { customerId } });
      // A customer first known from this view is a customer change as well (created date, rules that hold for
      // an empty history), not only new activity.
      await Promise.all([
        requestSegmentEvaluation(shopId, [customerId], "events"),
        customerCreated ? requestSegmentEvaluation(shopId, [customerId], "customer") : undefined,
      ]);
    }
  }
  await db.event.update({ where: { id: stored.id }, data: { processedAt: new Date() } });
  return { type: "processed", topic: stored.topic, customerId };
}

/** Records the visitor, linked to the customer when the event names one; answers whom the visitor is linked to. */
async function linkVisitor(db: ShopDb, shopId: string, clientId: string, customerId: string | null): Promise<string | null> {
  const visitor = await db.visitor.upsert({
    where: { shopId_clientId: { shopId, clientId } },
    create: { shopId, clientId, customerId, linkedAt: customerId ? new Date() : null },
    update: customerId ? { customerId, linkedAt: new Date() } : {},
    select: { customerId: true },
  });
  return visitor.customerId;
}

/** Stored Magento events never processed (Redis lost the job or was down), oldest first. */
export async function unprocessedMagentoEventIds(shopId: string, olderThan: Date, limit = 500): Promise<bigint[]> {
  const rows = await forShop(shopId).event.findMany({
    where: { processedAt: null, source: "MAGENTO", receivedAt: { lt: olderThan } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
