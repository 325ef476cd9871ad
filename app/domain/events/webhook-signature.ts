// Verifies a Shopify webhook delivery the way @shopify/shopify-api's webhooks.validate does, for the lean intake
// path that answers webhooks without going through React Router (server/app-server.ts): HMAC-SHA256 of the raw
// body with the app's API secret, base64, compared in constant time; a missing body or signature is 400, a wrong
// signature 401, and the topic, shop domain, API version and webhook id headers are required (400 without them).
// test/unit/webhooks checks both paths answer every case alike, and the HMAC against Shopify's published vector.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface VerifiedWebhook {
  type: "valid";
  topic: string;
  shopDomain: string;
  apiVersion: string;
  webhookId: string;
  eventId: string | null;
  triggeredAt: string | null;
}

export type WebhookVerification = VerifiedWebhook | { type: "invalid"; status: 400 | 401; reason: string };

type HeaderReader = (name: string) => string | null | undefined;

export function webhookHmac(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyWebhook(header: HeaderReader, rawBody: string | Buffer, secret: string): WebhookVerification {
  if (rawBody.length === 0) return { type: "invalid", status: 400, reason: "missing body" };
  const hmac = header("x-shopify-hmac-sha256");
  if (!hmac) return { type: "invalid", status: 400, reason: "missing X-Shopify-Hmac-Sha256" };
  if (!sameSignature(hmac, webhookHmac(rawBody, secret)))
    return { type: "invalid", status: 401, reason: "invalid HMAC" };
  const required = {
    topic: header("x-shopify-topic"),
    shopDomain: header("x-shopify-shop-domain"),
    apiVersion: header("x-shopify-api-version"),
    webhookId: header("x-shopify-webhook-id"),
  };
  const missing = Object.entries(required)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length) return { type: "invalid", status: 400, reason: `missing headers: ${missing.join(", ")}` };
  return {
    type: "valid",
    topic: required.topic!.toLowerCase(),
    shopDomain: required.shopDomain!,
    apiVersion: required.apiVersion!,
    webhookId: required.webhookId!,
    eventId: header("x-shopify-event-id") || null,
    triggeredAt: header("x-shopify-triggered-at") || null,
  };
}
