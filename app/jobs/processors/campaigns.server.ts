// Campaign jobs: read a campaign's new segment entries into runs, and the per-minute catch-up that finds entries
// whose wake-up job Redis lost.
import { forShop } from "../../db/shop-scope.server";
import { advanceBulkActions, BULK_POLL_MS, enqueueBulkActions, pollSlot, type BulkAdvanceOptions } from "../../services/campaigns/bulk-actions.server";
import { catchUpCampaigns, processCampaignEntries, shopsWithActiveCampaigns } from "../../services/campaigns/entries.server";
import { enqueueShopSweeps } from "../enqueue.server";
import type { JobPayload } from "../queues";

export async function processCampaignEntriesJob(payload: JobPayload<"campaigns", "processEntries">) {
  return processCampaignEntries(forShop(payload.shopId), payload.shopId, payload.campaignId);
}

export async function processCampaignCatchUp(payload: JobPayload<"campaigns", "catchUp">) {
  return catchUpCampaigns(forShop(payload.shopId), payload.shopId);
}

export async function processCampaignCatchUpAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await shopsWithActiveCampaigns();
  await enqueueShopSweeps("campaigns", "catchUp", shopIds, "campaign-catch-up", minute);
  return { shops: shopIds.length };
}

/** One look at a broadcast's bulk operations; another follows while any is pending or running. */
export async function processBulkActions(payload: JobPayload<"campaigns", "bulkActions">, options: BulkAdvanceOptions & { pollMs?: number } = {}) {
  const result = await advanceBulkActions(forShop(payload.shopId), payload.shopId, payload.campaignId, options);
  if (result.open > 0) {
    const delay = options.pollMs ?? BULK_POLL_MS;
    await enqueueBulkActions(payload.shopId, payload.campaignId, delay, pollSlot((options.now?.() ?? new Date()).getTime() + delay));
  }
  return result;
}
