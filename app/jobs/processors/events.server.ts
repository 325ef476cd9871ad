// The events queue: pixel batches the endpoint stored, webhook deliveries stored together, and web pixel
// activation after install.
import { UnrecoverableError } from "bullmq";
import { forShop } from "../../db/shop-scope.server";
import { shopifyAdminForShop } from "../../platforms/index.server";
import { fetchCustomerDetails } from "../../platforms/shopify/customer-details.server";
import { fillCustomerDetails } from "../../services/customer-details.server";
import { activatePixel } from "../../services/pixel/activation.server";
import { processPixelEvents } from "../../services/pixel/process.server";
import { pixelShopOf } from "../../services/shops.server";
import { enqueue } from "../enqueue.server";
import { jobId, type JobPayload } from "../queues";
import { processWebhook } from "./process-webhook.server";

export async function processPixelBatch(payload: JobPayload<"events", "processBatch">) {
  const outcome = await processPixelEvents(forShop(payload.shopId), payload.shopId, payload.eventIds);
  // A job of its own, on the pixels queue: it calls the Admin API (paced, throttled at times) and must neither hold
  // up nor re-run the batch. Never in the batch's way: if Redis is away, the next batch naming the customer asks.
  if (outcome.undetailed.length) {
    await enqueue("pixels", "fetchCustomers", { shopId: payload.shopId, customerIds: outcome.undetailed }, { jobId: jobId("customer-details", payload.eventIds[0] ?? "") }).catch(
      (error: unknown) => console.warn(`[pixel] customer details not requested for ${payload.shopId}: ${(error as Error).message}`),
    );
  }
  return { ...outcome, undetailed: outcome.undetailed.length };
}

export async function processFetchCustomers(payload: JobPayload<"pixels", "fetchCustomers">) {
  const db = forShop(payload.shopId);
  const shop = await pixelShopOf(db).catch(() => null);
  if (!shop || shop.platform !== "SHOPIFY" || shop.uninstalledAt) return { type: "skipped", reason: "no installed Shopify shop" };
  const client = await shopifyAdminForShop(shop.domain);
  return fillCustomerDetails(db, payload.shopId, payload.customerIds, (gids) => fetchCustomerDetails(client, gids));
}

export async function processActivatePixel(payload: JobPayload<"pixels", "activate">) {
  const db = forShop(payload.shopId);
  const shop = await pixelShopOf(db).catch(() => null);
  if (!shop) return { type: "skipped", reason: "shop is gone" };
  const result = await activatePixel(db, await shopifyAdminForShop(shop.domain));
  // Settings Shopify refuses, or an extension that is not deployed, stay refused on retry: say so once, visibly.
  if (result.type === "refused")
    throw new UnrecoverableError(`Web pixel not activated: ${result.message} (${result.codes.join(", ")})`);
  return result;
}

/**
 * Webhook events stored together, processed one by one as webhooks/process would. One that fails is handed to a
 * webhooks/process job of its own (its own retries, its own failure record) so it neither holds back nor re-runs
 * the others; if even that hand-off fails, the whole job is retried and the events already done are skipped.
 */
export async function processWebhookBatch(payload: JobPayload<"events", "processWebhooks">) {
  let processed = 0;
  let handedOff = 0;
  for (const eventId of payload.eventIds) {
    try {
      await processWebhook({ shopId: payload.shopId, eventId });
      processed += 1;
    } catch {
      await enqueue("webhooks", "process", { shopId: payload.shopId, eventId }, { jobId: jobId("webhook", eventId) });
      handedOff += 1;
    }
  }
  return { processed, handedOff };
}
