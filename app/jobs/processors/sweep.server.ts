// The per-shop sweep: re-enqueues stored webhook and pixel events that were never processed (Redis was down when
// they arrived, or lost the job), and closes upload runs an interrupted request left running. Safe to run any
// time: processing skips done events, and nothing is re-enqueued while the events queue still has work (see
// eventsQueueIdle). It also settles dynamic codes whose attempt nobody finished (reconcileStalePendingCodes). The fan-out also catches up web pixel activations whose job never reached Redis.
import { forShop } from "../../db/shop-scope.server";
import { purgeExpiredMerchantTokens } from "../../services/merchant-accounts.server";
import { reconcileStalePendingCodes } from "../../services/pools/dynamic.server";
import { closeAbandonedUploads } from "../../services/pools/imports.server";
import {
  installedShopIds,
  pixelActivationJobId,
  shopIdsWithEventsToSweep,
  shopsAwaitingPixel,
} from "../../services/shops.server";
import { unprocessedEventIds } from "../../services/webhooks.server";
import { enqueue, enqueueShopSweeps, queue } from "../enqueue.server";
import { retryExhaustedJobs } from "../failures.server";
import { jobId, type JobPayload } from "../queues";

const GRACE_MS = 30_000;
/** The endpoint enqueues at most this many events per job; the sweeper re-enqueues in the same size. */
const PIXEL_BATCH = 50;

export async function processSweep(payload: JobPayload<"system", "sweep">, now = new Date()) {
  const olderThan = new Date(now.getTime() - GRACE_MS);
  const idle = await eventsQueueIdle();
  const ids = idle ? await unprocessedEventIds(payload.shopId, olderThan) : [];
  for (const id of ids) {
    await enqueue(
      "webhooks",
      "process",
      { shopId: payload.shopId, eventId: id.toString() },
      { jobId: jobId("webhook", id) },
    );
  }
  const pixelIds = idle ? await unprocessedEventIds(payload.shopId, olderThan, 1000, "PIXEL") : [];
  for (let i = 0; i < pixelIds.length; i += PIXEL_BATCH) {
    const chunk = pixelIds.slice(i, i + PIXEL_BATCH);
    const eventIds = chunk.map((id) => id.toString());
    // Same id scheme as the endpoint's jobs: a chunk that failed for good stays failed (and visible) rather than
    // being retried every minute.
    await enqueue("events", "processBatch", { shopId: payload.shopId, eventIds }, { jobId: jobId("pixel", chunk[0]!) });
  }
  const abandonedUploads = await closeAbandonedUploads(forShop(payload.shopId), now);
  // The platform may be unreachable (or the shop's session gone): the attempts wait for the next sweep.
  const staleDynamic = await reconcileStalePendingCodes(forShop(payload.shopId), { now }).catch((error: unknown) => {
    console.warn(`[sweep] ${payload.shopId}: stale dynamic codes not reconciled: ${(error as Error).message}`);
    return null;
  });
  // Jobs whose attempts ran out during an outage: handed back a few times, minutes later (failures.server.ts).
  const retriedJobs = await retryExhaustedJobs(payload.shopId, now);
  return { requeued: ids.length + pixelIds.length, abandonedUploads, staleDynamic, retriedJobs };
}

/**
 * Webhook and pixel events are enqueued in batches (one job for many event ids), so the sweeper cannot tell an
 * event's job by its id. It only re-enqueues while the events queue has nothing waiting or running: then whatever
 * is still unprocessed was truly lost, and a backlog (a burst of orders or storefront traffic) is never enqueued
 * a second time.
 */
async function eventsQueueIdle(): Promise<boolean> {
  const counts = await queue("events").getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
  return Object.values(counts).every((n) => n === 0);
}

/** Enqueues one sweep per installed shop; the job id per shop and minute keeps overlapping runs from piling up. */
export async function processSweepAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await installedShopIds();
  await enqueueShopSweeps("system", "sweep", await shopIdsWithEventsToSweep(), "sweep", minute);
  await enqueueShopSweeps("pools", "expireCodes", shopIds, "expire", minute);
  // Installs whose activation job never reached Redis; the per-install job id makes this a no-op otherwise.
  const awaiting = await shopsAwaitingPixel();
  for (const shop of awaiting) {
    await enqueue("pixels", "activate", { shopId: shop.id }, { jobId: pixelActivationJobId(shop) });
  }
  const expiredMerchantTokens = await purgeExpiredMerchantTokens(now);
  return { shops: shopIds.length, pixelActivations: awaiting.length, expiredMerchantTokens };
}
