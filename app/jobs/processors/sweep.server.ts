// The per-shop sweep: re-enqueues stored webhook events that were never processed (Redis was down when they arrived,
// or lost the job), and closes upload runs an interrupted request left running. Safe to run any time: the job id
// makes the enqueue idempotent and processing skips done events.
import { forShop } from "../../db/shop-scope.server";
import { closeAbandonedUploads } from "../../services/pools/imports.server";
import { installedShopIds } from "../../services/shops.server";
import { unprocessedEventIds } from "../../services/webhooks.server";
import { enqueue } from "../enqueue.server";
import { jobId, type JobPayload } from "../queues";

const GRACE_MS = 30_000;

export async function processSweep(payload: JobPayload<"system", "sweep">, now = new Date()) {
  const ids = await unprocessedEventIds(payload.shopId, new Date(now.getTime() - GRACE_MS));
  for (const id of ids) {
    await enqueue("webhooks", "process", { shopId: payload.shopId, eventId: id.toString() }, { jobId: jobId("webhook", id) });
  }
  const abandonedUploads = await closeAbandonedUploads(forShop(payload.shopId), now);
  return { requeued: ids.length, abandonedUploads };
}

/** Enqueues one sweep per installed shop; the job id per shop and minute keeps overlapping runs from piling up. */
export async function processSweepAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await installedShopIds();
  for (const shopId of shopIds) {
    await enqueue("system", "sweep", { shopId }, { jobId: jobId("sweep", shopId, minute) });
    await enqueue("pools", "expireCodes", { shopId }, { jobId: jobId("expire", shopId, minute) });
  }
  return { shops: shopIds.length };
}
