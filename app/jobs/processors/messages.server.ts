// The messages queue: sending queued messages in chunks, preparing broadcasts, and the sweep that re-enqueues what
// Redis lost. Delivery outcomes are written to the rows, so a job fails (and is retried by BullMQ) only when the
// database or Redis does.
import { forShop } from "../../db/shop-scope.server";
import { runBroadcast, type BroadcastOptions } from "../../services/campaigns/broadcast.server";
import { sendMessages, type SendOptions } from "../../services/messages/send.server";
import { sweepMessages, type SweepOptions } from "../../services/messages/sweep.server";
import { installedShopIds } from "../../services/shops.server";
import { enqueueShopSweeps, queue } from "../enqueue.server";
import type { JobPayload } from "../queues";

export const MESSAGES_SWEEP_EVERY_MS = 60_000;

export async function processSendMessages(payload: JobPayload<"messages", "send">, options: SendOptions = {}) {
  return sendMessages(forShop(payload.shopId), payload.shopId, payload.messageIds, options);
}

export async function processBroadcast(payload: JobPayload<"messages", "broadcast">, options: BroadcastOptions = {}) {
  return runBroadcast(forShop(payload.shopId), payload.shopId, payload.campaignId, options);
}

export async function processMessagesSweep(payload: JobPayload<"messages", "sweep">, options: SweepOptions = {}) {
  return sweepMessages(forShop(payload.shopId), payload.shopId, options);
}

/** One sweep per installed shop; the job id per shop and minute keeps overlapping runs from piling up. */
export async function processMessagesSweepAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await installedShopIds();
  await enqueueShopSweeps("messages", "sweep", shopIds, "msweep", minute);
  return { shops: shopIds.length };
}

export async function scheduleMessageJobs(): Promise<void> {
  await queue("messages").upsertJobScheduler("messages-sweep-all", { every: MESSAGES_SWEEP_EVERY_MS }, { name: "sweepAll", data: {} });
}
