import { createHmac, randomUUID } from "node:crypto";

export function hmacOf(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/** A webhook request as Shopify sends it: raw JSON body signed with the app secret. */
export function webhookRequest(options: {
  topic: string;
  shop: string;
  body: string;
  secret?: string;
  hmac?: string;
  webhookId?: string;
  eventId?: string;
  appUrl?: string;
  /** X-Shopify-Triggered-At; now by default. */
  triggeredAt?: string;
}): Request {
  const secret = options.secret ?? process.env.SHOPIFY_API_SECRET ?? "";
  const url = `${options.appUrl ?? process.env.SHOPIFY_APP_URL}/webhooks/${options.topic}`;
  return new Request(url, {
    method: "POST",
    body: options.body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": options.topic,
      "x-shopify-shop-domain": options.shop,
      "x-shopify-api-version": "2026-07",
      "x-shopify-webhook-id": options.webhookId ?? randomUUID(),
      "x-shopify-event-id": options.eventId ?? randomUUID(),
      "x-shopify-triggered-at": options.triggeredAt ?? new Date().toISOString(),
      "x-shopify-hmac-sha256": options.hmac ?? hmacOf(options.body, secret),
    },
  });
}
