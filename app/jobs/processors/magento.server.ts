// Magento jobs: apply a pushed event, poll a shop's orders, and the per-minute fan-out that polls every connected
// Magento shop and re-enqueues pushed events whose job Redis lost. All idempotent: events are skipped once
// processed, orders are upserts, and the job ids per shop and minute keep overlapping runs from piling up.
import { UnrecoverableError } from "bullmq";
import { forShop } from "../../db/shop-scope.server";
import { processMagentoEvent, unprocessedMagentoEventIds } from "../../services/magento/events.server";
import { pollMagentoOrders } from "../../services/magento/orders.server";
import { connectedMagentoShopIds } from "../../services/platform-connections.server";
import { enqueue, queue } from "../enqueue.server";
import { jobId, type JobPayload } from "../queues";

export const MAGENTO_SWEEP_EVERY_MS = 60_000;
const GRACE_MS = 30_000;

export async function processMagentoEventJob(payload: JobPayload<"magento", "processEvent">) {
  const result = await processMagentoEvent(forShop(payload.shopId), payload.shopId, payload.eventId);
  // A payload we cannot read will not become readable on retry.
  if (result.type === "unreadable") throw new UnrecoverableError(`Magento event ${payload.eventId}: unexpected payload: ${result.message}`);
  return result;
}

export async function processPollMagentoOrders(payload: JobPayload<"magento", "pollOrders">, now = new Date()) {
  const result = await pollMagentoOrders(forShop(payload.shopId), payload.shopId, { now, resume: payload.resume ?? false });
  if (result.type === "polled" && !result.caughtUp && result.cursor) {
    // Stopped at its page limit: carry on from the cursor at once rather than a minute later.
    await enqueue("magento", "pollOrders", { shopId: payload.shopId, resume: true }, { jobId: jobId("magento-poll", payload.shopId, result.cursor.getTime()) });
  }
  return result;
}

export async function processMagentoSweepAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await connectedMagentoShopIds();
  let requeued = 0;
  for (const shopId of shopIds) {
    await enqueue("magento", "pollOrders", { shopId }, { jobId: jobId("magento-poll", shopId, minute) });
    const stale = await unprocessedMagentoEventIds(shopId, new Date(now.getTime() - GRACE_MS));
    for (const id of stale) {
      await enqueue("magento", "processEvent", { shopId, eventId: id.toString() }, { jobId: jobId("magento-event", id) });
    }
    requeued += stale.length;
  }
  return { shops: shopIds.length, requeued };
}

/** Idempotent by id, like the system sweep: every worker process may upsert it, BullMQ keeps one. */
export async function scheduleMagentoJobs(): Promise<void> {
  await queue("magento").upsertJobScheduler("magento-sweep-all", { every: MAGENTO_SWEEP_EVERY_MS }, { name: "sweepAll", data: {} });
}
