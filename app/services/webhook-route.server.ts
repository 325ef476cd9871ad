// What every webhook route does: check the HMAC (the package answers 401 / 400 / 405), refuse bodies that are
// too big or not JSON, store the event, acknowledge. Processing happens in the worker.
import { authenticate } from "../shopify.server";
import { recordUninstall } from "./shops.server";
import { receiveWebhook } from "./webhooks.server";

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export type WebhookTopic =
  | "app/uninstalled"
  | "app/scopes_update"
  | "orders/create"
  | "orders/paid"
  | "orders/cancelled"
  | "orders/fulfilled"
  | "customers/create"
  | "customers/update"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact";

export async function handleWebhook(request: Request, expectedTopic: WebhookTopic): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return new Response("Payload too large", { status: 413 });
  const rawBody = await request.clone().text();
  if (Buffer.byteLength(rawBody) > MAX_WEBHOOK_BYTES) return new Response("Payload too large", { status: 413 });

  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    // The HMAC was valid (validation ran first) but the body is not JSON.
    if (error instanceof SyntaxError) return new Response("Malformed JSON", { status: 400 });
    throw error;
  }
  const topic = normaliseTopic(context.topic);
  if (topic !== expectedTopic) {
    return new Response(`This endpoint handles ${expectedTopic}, not ${topic}`, { status: 400 });
  }
  const result = await receiveWebhook({
    shopDomain: context.shop,
    topic,
    webhookId: context.webhookId,
    eventId: "eventId" in context ? (context.eventId ?? null) : null,
    triggeredAt: context.triggeredAt ?? null,
    rawBody,
  });
  if (topic === "app/uninstalled") {
    // The access token is already dead: end the sessions now rather than when the worker gets to it.
    await recordUninstall(context.shop);
  }
  // Unknown shops and duplicates are acknowledged too: retrying them cannot change the outcome.
  return new Response(null, { status: 200, headers: { "x-webhook-result": result.type } });
}

/** The package reports topics as ORDERS_CREATE; our routes and events use Shopify's orders/create form. */
export function normaliseTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  const lower = topic.toLowerCase();
  const [resource, ...rest] = lower.split("_");
  return `${resource}/${rest.join("_")}`;
}
