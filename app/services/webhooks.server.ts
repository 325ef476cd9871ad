// Inbound webhooks: store first, acknowledge, then process in the worker. The row in `events` is written before
// Shopify gets its 200, so a Redis outage loses nothing (the sweeper re-enqueues unprocessed events), and the
// unique (shop, source, external id) key turns redeliveries into no-ops.
import type { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import { isUniqueViolation } from "../db/errors";
import { forShop, type ShopDb } from "../db/shop-scope.server";
import { parseJsonKeepingBigIds } from "../domain/events/safe-json";
import { enqueue } from "../jobs/enqueue.server";
import { jobId } from "../jobs/queues";

export interface IncomingWebhook {
  shopDomain: string;
  /** Shopify's topic as sent in X-Shopify-Topic, e.g. "orders/create". */
  topic: string;
  webhookId: string;
  eventId?: string | null;
  triggeredAt?: string | null;
  rawBody: string;
}

export type ReceiveResult =
  | { type: "stored"; eventId: bigint; enqueued: boolean }
  | { type: "duplicate" }
  | { type: "unknown_shop" };

const ENQUEUE_TIMEOUT_MS = 1500;

export function webhookExternalId(input: Pick<IncomingWebhook, "topic" | "webhookId" | "eventId">): string {
  // The event id is shared by every delivery of one event; the webhook id by every retry of one delivery.
  return input.eventId ? `event:${input.topic}:${input.eventId}` : `webhook:${input.webhookId}`;
}

export async function receiveWebhook(input: IncomingWebhook): Promise<ReceiveResult> {
  const shop = await prisma.shop.findUnique({ where: { domain: input.shopDomain }, select: { id: true } });
  if (!shop) return { type: "unknown_shop" };
  const payload = parseJsonKeepingBigIds(input.rawBody) as Prisma.InputJsonValue;
  const occurredAt = input.triggeredAt ? new Date(input.triggeredAt) : new Date();
  let eventId: bigint;
  try {
    const event = await forShop(shop.id).event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: webhookExternalId(input),
        topic: input.topic,
        payload,
        occurredAt: Number.isNaN(occurredAt.getTime()) ? new Date() : occurredAt,
      },
      select: { id: true },
    });
    eventId = event.id;
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "duplicate" };
    throw error;
  }
  const enqueued = await enqueueWithin(ENQUEUE_TIMEOUT_MS, () =>
    enqueue("webhooks", "process", { shopId: shop.id, eventId: eventId.toString() }, { jobId: jobId("webhook", eventId) }),
  );
  return { type: "stored", eventId, enqueued };
}

/** False when Redis did not take the job in time; the stored event is picked up by the sweeper instead. */
async function enqueueWithin(ms: number, add: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([add().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Events stored but never processed (Redis lost the job or was down), oldest first. */
export async function unprocessedEventIds(shopId: string, olderThan: Date, limit = 500): Promise<bigint[]> {
  const rows = await forShop(shopId).event.findMany({
    where: { processedAt: null, source: "WEBHOOK", receivedAt: { lt: olderThan } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** A stored event for the worker to process, with its shop's domain; null when it is gone (shop redacted). */
export async function loadStoredEvent(db: ShopDb, eventId: string) {
  const event = await db.event.findFirst({ where: { id: BigInt(eventId) } });
  if (!event) return null;
  const shop = await db.shop.findFirstOrThrow({ select: { domain: true } });
  return { event, shopDomain: shop.domain };
}

export async function markEventProcessed(db: ShopDb, eventId: bigint): Promise<void> {
  await db.event.update({ where: { id: eventId }, data: { processedAt: new Date() } });
}
