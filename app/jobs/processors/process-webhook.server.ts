// Processes one stored webhook event. Idempotent: an event already processed is skipped, and every topic
// handler is an upsert or a delete, so a retry after a crash mid-way converges to the same state. Customers and
// orders, once stored, ask the segments engine to re-evaluate the customer.
import { UnrecoverableError } from "bullmq";
import { forShop } from "../../db/shop-scope.server";
import { DataRequestPayload } from "../../domain/events/privacy-payloads";
import {
  CustomerPayload,
  CustomersRedactPayload,
  OrderPayload,
  RefundPayload,
  ScopesUpdatePayload,
  ShopRedactPayload,
} from "../../domain/shopify/webhook-payloads";
import { upsertCustomerFromWebhook } from "../../services/customers.server";
import { upsertOrderFromWebhook, type OrderTopic } from "../../services/orders.server";
import { fulfilDataRequest, redactAgainIfOverlapping, redactCustomer, redactShop } from "../../services/privacy.server";
import { recordRedemptions, releaseRedemptions } from "../../services/redemptions.server";
import { recordRefunds, refundFromWebhook, syncRefundedTotal } from "../../services/refunds.server";
import { onCustomerCreated, onOrderEvent } from "../../services/scenarios/triggers.server";
import { requestSegmentEvaluation } from "../../services/segments/triggers.server";
import { recordScopes, recordUninstall } from "../../services/shops.server";
import { loadStoredEvent, markEventProcessed } from "../../services/webhooks.server";
import type { JobPayload } from "../queues";

export interface ProcessOptions {
  /** Called once the payload is read, before anything is written: tests run a concurrent redaction there. */
  afterLoad?: () => Promise<void>;
}

export async function processWebhook(payload: JobPayload<"webhooks", "process">, options: ProcessOptions = {}) {
  const db = forShop(payload.shopId);
  const startedAt = new Date();
  const stored = await loadStoredEvent(db, payload.eventId);
  if (!stored) return { skipped: "event not found (shop redacted?)" };
  await options.afterLoad?.();
  const { event } = stored;
  if (event.processedAt) return { skipped: "already processed" };
  const shop = { domain: stored.shopDomain };
  const body = event.payload;

  const parse = <T>(schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error };
  }) => {
    const result = schema.safeParse(body);
    // A payload we cannot read will not become readable on retry.
    if (!result.success) throw new UnrecoverableError(`${event.topic}: unexpected payload: ${result.error.message}`);
    return result.data;
  };
  // The HMAC signs the body with the app's secret, the same for every shop, and the shop comes from a header it
  // does not cover: a signed privacy body replayed under another shop's header must not delete that shop's data.
  const sameShop = <T extends { shop_domain: string }>(privacy: T): T => {
    if (privacy.shop_domain.toLowerCase() !== shop.domain.toLowerCase()) {
      throw new UnrecoverableError(
        `${event.topic}: the payload names ${privacy.shop_domain} but arrived for ${shop.domain}; nothing was deleted or exported`,
      );
    }
    return privacy;
  };

  // The customer the webhook is about, kept on the row when it is closed: customers/redact finds their rows by it.
  let about: string | null = null;
  // Their platform id: a redaction of them that overlapped this job is run again once it has written.
  let platformCustomer: string | null = null;
  switch (event.topic) {
    case "app/uninstalled":
      // occurredAt is X-Shopify-Triggered-At (the receipt time without it): a late delivery after a reinstall is stale.
      await recordUninstall(shop.domain, event.occurredAt);
      break;
    case "app/scopes_update":
      await recordScopes(shop.domain, parse(ScopesUpdatePayload).current);
      break;
    case "customers/create":
    case "customers/update": {
      const customer = parse(CustomerPayload);
      const customerId = await upsertCustomerFromWebhook(db, payload.shopId, customer);
      about = customerId;
      platformCustomer = customer.id;
      await requestSegmentEvaluation(payload.shopId, [customerId], "customer");
      if (event.topic === "customers/create") await onCustomerCreated(db, payload.shopId, customerId, { eventKey: event.id.toString() });
      break;
    }
    case "orders/create":
    case "orders/paid":
    case "orders/cancelled":
    case "orders/fulfilled": {
      const topic = event.topic as OrderTopic;
      const orderPayload = parse(OrderPayload);
      const order = await upsertOrderFromWebhook(db, payload.shopId, topic, orderPayload);
      const touched = new Set(order.customerId ? [order.customerId] : []);
      // Codes of ours the order used are redeemed (idempotent per code and order, so every order topic may ask);
      // a cancelled order, whatever the topic that says so, gives its codes back.
      if (order.cancelledAt) {
        const released = await releaseRedemptions(db, payload.shopId, order.id);
        for (const r of released) if (r.issuedTo) touched.add(r.issuedTo);
        if (released.length) await requestSegmentEvaluation(payload.shopId, [...touched], "codes");
      } else if (orderPayload.discount_codes.length > 0) {
        const redeemed = await recordRedemptions(db, payload.shopId, {
          orderId: order.id,
          customerId: order.customerId,
          orderTotal: orderPayload.total_price ?? "0",
          placedAt: new Date(orderPayload.created_at),
          codes: orderPayload.discount_codes.map((d) => ({ code: d.code, amount: d.amount ?? null })),
        });
        for (const r of redeemed) if (r.issuedTo) touched.add(r.issuedTo);
        if (redeemed.length) await requestSegmentEvaluation(payload.shopId, [...touched], "codes");
      }
      // The order also upserted its customer's row (tags, consent, created date): segments on those must see it.
      const customerChanged = orderPayload.customer && order.customerId ? [order.customerId] : [];
      about = order.customerId;
      platformCustomer = orderPayload.customer?.id ?? null;
      await Promise.all([
        touched.size ? requestSegmentEvaluation(payload.shopId, [...touched], "orders") : undefined,
        customerChanged.length ? requestSegmentEvaluation(payload.shopId, customerChanged, "customer") : undefined,
      ]);
      // Scenarios: new tasks for this trigger, and follow-ups (cancellation, success) for tasks already there.
      await onOrderEvent(db, payload.shopId, topic, order.id, {
        eventKey: event.id.toString(),
        // An order is paid when Shopify fires orders/paid (X-Shopify-Triggered-At, stored as the event's time; the
        // time it reached us without that header). The payload's processed_at is when the order was placed (or the
        // date an imported order was given), not when it was paid, and it carries no transactions.
        ...(topic === "orders/paid" ? { at: event.occurredAt } : {}),
      });
      break;
    }
    case "refunds/create": {
      // Kept once by its id, whichever comes first of it and its order; the order's revenue counts net of it. The
      // codes the order used stay redeemed, a full refund included (docs/decisions/0026).
      const refund = refundFromWebhook(parse(RefundPayload), event.occurredAt);
      await recordRefunds(db, payload.shopId, [refund]);
      const order = await syncRefundedTotal(db, payload.shopId, refund.orderPlatformId);
      about = order?.customerId ?? null;
      break;
    }
    case "customers/redact": {
      // Scrubs the webhooks about the customer, this request's own contact details included.
      const request = sameShop(parse(CustomersRedactPayload));
      await redactCustomer(db, request.customer, { eventId: event.id, ordersToRedact: request.orders_to_redact });
      break;
    }
    case "shop/redact":
      sameShop(parse(ShopRedactPayload));
      // Deletes this event too, so there is nothing left to mark processed.
      await redactShop(payload.shopId);
      return { topic: event.topic, redacted: true };
    case "customers/data_request":
      // Assembled once per request id; the merchant downloads it from Settings.
      await fulfilDataRequest(db, payload.shopId, sameShop(parse(DataRequestPayload)));
      break;
    default:
      throw new UnrecoverableError(`No handler for webhook topic ${event.topic}`);
  }
  if (platformCustomer && (await redactAgainIfOverlapping(db, { id: payload.shopId, domain: shop.domain }, { id: platformCustomer }, startedAt))) {
    // The redaction scrubbed and closed this row; closing it here too (without the link to the deleted row) keeps
    // a row it somehow missed from being processed again and again.
    await markEventProcessed(db, event.id);
    return { topic: event.topic, redactedAgain: true };
  }
  await markEventProcessed(db, event.id, about);
  return { topic: event.topic };
}
