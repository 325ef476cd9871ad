// Segment jobs: drain pending evaluations (with a continuation when the time budget runs out), recompute a
// segment version for every customer, and the minute sweep that expires windows, asks again for recomputes Redis
// lost, drains leftovers and recounts.
import { forShop } from "../../db/shop-scope.server";
import { wakeShopCampaigns } from "../../services/campaigns/entries.server";
import { runSegmentExpiry, shopsWithSegments } from "../../services/segments/expiry.server";
import { recomputeSegment } from "../../services/segments/recompute.server";
import { drainRequests } from "../../services/segments/requests.server";
import { requestRecompute, segmentsAwaitingRecompute } from "../../services/segments/segments.server";
import { enqueue } from "../enqueue.server";
import { jobId, type JobPayload } from "../queues";

/** Every minute, re-check members whose windows expired (and non-members due to enter), shop by shop. */
export const SEGMENT_EXPIRY_EVERY_MS = 60_000;

export async function processSegmentEvaluate(payload: JobPayload<"segments", "evaluate">) {
  const result = await drainRequests(payload.shopId);
  if (result.remaining) await enqueue("segments", "evaluate", { shopId: payload.shopId });
  // Entries just written are what campaigns run on: wake them rather than wait for their per-minute catch-up.
  await wakeShopCampaigns(payload.shopId);
  return result;
}

export async function processSegmentRecompute(payload: JobPayload<"segments", "recompute">) {
  const result = await recomputeSegment(payload.shopId, payload.segmentId, payload.version);
  await wakeShopCampaigns(payload.shopId);
  return result;
}

export async function processSegmentExpire(payload: JobPayload<"segments", "expire">, now = new Date()) {
  const lost = await segmentsAwaitingRecompute(forShop(payload.shopId), now);
  for (const segment of lost) await requestRecompute(payload.shopId, segment);
  const result = await runSegmentExpiry(payload.shopId, { now, recount: payload.recount === true });
  await wakeShopCampaigns(payload.shopId, now);
  return { ...result, recomputesRequested: lost.length };
}

/**
 * One expiry per shop with live segments; the job id per shop and minute keeps overlapping runs from piling up. Once
 * an hour the expiry also recounts members (counting every membership of a big shop holds its lock for seconds).
 */
export async function processSegmentExpireAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await shopsWithSegments();
  for (const shopId of shopIds) {
    await enqueue(
      "segments",
      "expire",
      { shopId, recount: minute % 60 === 0 },
      { jobId: jobId("segment-expire", shopId, minute) },
    );
  }
  return { shops: shopIds.length };
}
