// The pixel endpoint's work: validate the batch, check the shop installed the app and the batch is its own,
// rate-limit, store every good event (deduplicated on Shopify's event id by the unique (shop, source, external
// id) key), then enqueue one job for the batch. Storing comes before enqueuing and before the answer, so a Redis
// outage loses nothing: the sweeper enqueues stored events no job picked up.
import type { Prisma } from "@prisma/client";
import { forShop } from "../../db/shop-scope.server";
import { eventColumns, parsePixelBatch, type PixelEvent, type RejectedEvent } from "../../domain/events/pixel-batch";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { findShopByDomain } from "../shops.server";
import { enqueueWithin } from "../webhooks.server";
import { redisRateLimiter, type LimitScope, type PixelRateLimiter } from "./rate-limit.server";

export type PixelIngestResult =
  | { type: "accepted"; stored: number; duplicates: number; rejected: RejectedEvent[]; enqueued: boolean }
  | { type: "invalid"; reasons: string[]; rejected: RejectedEvent[] }
  | { type: "unknown_shop"; shop: string }
  | { type: "uninstalled"; shop: string }
  | { type: "wrong_account"; shop: string }
  | { type: "rate_limited"; scope: LimitScope; retryAfterSeconds: number };

export interface IngestOptions {
  limiter?: PixelRateLimiter;
  now?: Date;
  /** The sender's network address (server/app-server.ts), for the per-address limit. */
  clientAddress?: string;
}

const ENQUEUE_TIMEOUT_MS = 1000;

let defaultLimiter: PixelRateLimiter | undefined;

export async function receivePixelBatch(rawBody: string, options: IngestOptions = {}): Promise<PixelIngestResult> {
  const now = options.now ?? new Date();
  const batch = parsePixelBatch(rawBody, now);
  if (batch.type === "invalid") return { type: "invalid", reasons: batch.reasons, rejected: [] };

  const shop = await findShopByDomain(batch.shop);
  if (!shop) return { type: "unknown_shop", shop: batch.shop };
  if (shop.uninstalledAt) return { type: "uninstalled", shop: batch.shop };
  // The account id is the shop's id in this app, written into the pixel's settings on activation.
  if (batch.accountId !== shop.id) return { type: "wrong_account", shop: batch.shop };
  if (batch.events.length === 0) {
    return { type: "invalid", reasons: ["no event in the batch is valid"], rejected: batch.rejected };
  }

  const limiter = options.limiter ?? (defaultLimiter ??= redisRateLimiter());
  const decision = await limiter.check(shop.id, countByClient(batch.events), now, options.clientAddress);
  if (decision.type === "limited")
    return { type: "rate_limited", scope: decision.scope, retryAfterSeconds: decision.retryAfterSeconds };

  const stored = await storeEvents(shop.id, batch.events, now);
  // The limiter just failed to reach Redis: do not make the storefront wait a second time for the enqueue. The
  // events are stored; the sweeper enqueues them once Redis is back.
  const redisAway = decision.type === "unavailable";
  const enqueued =
    stored.length === 0 ||
    (!redisAway &&
      (await enqueueWithin(ENQUEUE_TIMEOUT_MS, () =>
        enqueue(
          "events",
          "processBatch",
          { shopId: shop.id, eventIds: stored.map((id) => id.toString()) },
          { jobId: jobId("pixel", stored[0]!) },
        ),
      )));
  return {
    type: "accepted",
    stored: stored.length,
    duplicates: batch.events.length - stored.length,
    rejected: batch.rejected,
    enqueued,
  };
}

function countByClient(events: PixelEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.clientId, (counts.get(e.clientId) ?? 0) + 1);
  return counts;
}

/**
 * Inserts the events, skipping ones already stored; answers the ids of the rows it created. A timestamp ahead of
 * the time we received it (a browser clock running fast, up to the skew parse accepts) is stored as received: an
 * event cannot have happened later than it reached us, and a future time would keep it inside segment windows
 * longer than it should.
 */
async function storeEvents(shopId: string, events: PixelEvent[], receivedAt: Date): Promise<bigint[]> {
  const rows = await forShop(shopId).event.createManyAndReturn({
    data: events.map((event) => ({
      shopId,
      source: "PIXEL" as const,
      externalId: event.id,
      topic: event.name,
      clientId: event.clientId,
      ...eventColumns(event),
      payload: event as unknown as Prisma.InputJsonValue,
      occurredAt: new Date(Math.min(Date.parse(event.timestamp), receivedAt.getTime())),
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  return rows.map((r) => r.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
