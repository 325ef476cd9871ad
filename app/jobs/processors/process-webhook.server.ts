// Processes one stored webhook event. Idempotent: an event already processed is skipped, and every topic
// handler is an upsert or a delete, so a retry after a crash mid-way converges to the same state.
import { UnrecoverableError } from "bullmq";
import { forShop } from "../../db/shop-scope.server";
import {
  CustomerPayload,
  CustomersRedactPayload,
  OrderPayload,
  ScopesUpdatePayload,
} from "../../domain/shopify/webhook-payloads";
import { upsertCustomerFromWebhook } from "../../services/customers.server";
import { upsertOrderFromWebhook, type OrderTopic } from "../../services/orders.server";
import { redactCustomer, redactShop } from "../../services/privacy.server";
import { recordScopes, recordUninstall } from "../../services/shops.server";
import { loadStoredEvent, markEventProcessed } from "../../services/webhooks.server";
import type { JobPayload } from "../queues";

export async function processWebhook(payload: JobPayload<"webhooks", "process">) {
  const db = forShop(payload.shopId);
  const stored = await loadStoredEvent(db, payload.eventId);
  if (!stored) return { skipped: "event not found (shop redacted?)" };
  const { event } = stored;
  if (event.processedAt) return { skipped: "already processed" };
  const shop = { domain: stored.shopDomain };
  const body = event.payload;

  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } }) => {
    const result = schema.safeParse(body);
    // A payload we cannot read will not become readable on retry.
    if (!result.success) throw new UnrecoverableError(`${event.topic}: unexpected payload: ${result.error.message}`);
    return result.data;
  };

  switch (event.topic) {
    case "app/uninstalled":
      await recordUninstall(shop.domain);
      break;
    case "app/scopes_update":
      await recordScopes(shop.domain, parse(ScopesUpdatePayload).current);
      break;
    case "customers/create":
    case "customers/update":
      await upsertCustomerFromWebhook(db, payload.shopId, parse(CustomerPayload));
      break;
    case "orders/create":
    case "orders/paid":
    case "orders/cancelled":
    case "orders/fulfilled":
      await upsertOrderFromWebhook(db, payload.shopId, event.topic as OrderTopic, parse(OrderPayload));
      break;
    case "customers/redact":
      await redactCustomer(db, parse(CustomersRedactPayload).customer);
      break;
    case "shop/redact":
      // Deletes this event too, so there is nothing left to mark processed.
      await redactShop(payload.shopId);
      return { topic: event.topic, redacted: true };
    case "customers/data_request":
      // Recorded; assembling the export arrives with the events issue (#5).
      break;
    default:
      throw new UnrecoverableError(`No handler for webhook topic ${event.topic}`);
  }
  await markEventProcessed(db, event.id);
  return { topic: event.topic };
}
