// What every webhook route does: check the HMAC (the package answers 401 / 400 / 405), refuse bodies that are
// too big or not JSON, store the event, acknowledge. Processing happens in the worker.
//
// Two doors, one behaviour. handleWebhook is the React Router route (what `react-router-serve` runs), with
// @shopify/shopify-app-react-router's authenticate.webhook. serveWebhook is the lean path server/app-server.ts
// takes before React Router: the same checks on Node's request (app/domain/events/webhook-signature.ts verifies
// the HMAC as the package does), without the package's per-delivery offline-session lookup and the Fetch/Router
// layers, which intake has no use for. test/unit/webhooks runs every case through both.
import type { IncomingMessage, ServerResponse } from "node:http";
import { verifyWebhook } from "../domain/events/webhook-signature";
import { env } from "../env.server";
import { readLimited as readRequestLimited } from "./read-limited.server";
import { recordUninstall } from "./shops.server";
import { receiveWebhook, type ReceiveResult } from "./webhooks.server";

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export type WebhookTopic =
  | "app/uninstalled"
  | "app/scopes_update"
  | "orders/create"
  | "orders/paid"
  | "orders/cancelled"
  | "orders/fulfilled"
  | "refunds/create"
  | "customers/create"
  | "customers/update"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact";

export async function handleWebhook(request: Request, expectedTopic: WebhookTopic): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return new Response("Payload too large", { status: 413 });
  // Read from a copy (the package reads the request itself), with the cut-off: a chunked body declares no length.
  const rawBody = await readRequestLimited(request.clone(), MAX_WEBHOOK_BYTES);
  if (rawBody === null) return new Response("Payload too large", { status: 413 });

  // Loaded on first use: the lean path imports this module without starting a second shopifyApp().
  const { authenticate } = await import("../shopify.server");
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
  const result = await receiveAndAcknowledge({
    shopDomain: context.shop,
    topic,
    webhookId: context.webhookId,
    eventId: "eventId" in context ? (context.eventId ?? null) : null,
    triggeredAt: context.triggeredAt ?? null,
    rawBody,
  });
  if (result.type === "malformed") return new Response("Malformed JSON", { status: 400 });
  // Unknown shops and duplicates are acknowledged too: retrying them cannot change the outcome.
  return new Response(null, { status: 200, headers: { "x-webhook-result": result.type } });
}

async function receiveAndAcknowledge(input: Parameters<typeof receiveWebhook>[0]): Promise<ReceiveResult> {
  const result = await receiveWebhook(input);
  if (input.topic === "app/uninstalled" && result.type !== "malformed") {
    // The access token is already dead: end the sessions now rather than when the worker gets to it.
    await recordUninstall(input.shopDomain, input.triggeredAt ? new Date(input.triggeredAt) : null);
  }
  return result;
}

const TOPICS_BY_PATH = new Map<string, WebhookTopic>(
  (
    [
      "app/uninstalled",
      "app/scopes_update",
      "orders/create",
      "orders/paid",
      "orders/cancelled",
      "orders/fulfilled",
      "refunds/create",
      "customers/create",
      "customers/update",
      "customers/data_request",
      "customers/redact",
      "shop/redact",
    ] as const
  ).map((topic) => [`/webhooks/${topic}`, topic]),
);

/** The topic a webhook URL path is for (app/routes.ts maps the same paths), or null for any other path. */
export function webhookTopicOfPath(pathname: string): WebhookTopic | null {
  return TOPICS_BY_PATH.get(pathname) ?? null;
}

/** The lean path: a webhook POST answered on Node's request and response, before React Router. */
export async function serveWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  expectedTopic: WebhookTopic,
): Promise<void> {
  const answer = (status: number, text: string | null, headers: Record<string, string> = {}) => {
    // A known length keeps the answer one write (an unknown one is sent chunked, with a closing chunk).
    const body = text === null ? null : Buffer.from(text);
    res.writeHead(status, {
      ...(body ? { "content-type": "text/plain; charset=utf-8" } : {}),
      "content-length": String(body?.length ?? 0),
      ...headers,
    });
    res.end(body ?? undefined);
  };
  if (req.method !== "POST") return answer(405, null, { allow: "POST" });
  if (Number(req.headers["content-length"] ?? "0") > MAX_WEBHOOK_BYTES) {
    req.resume();
    return answer(413, "Payload too large", { connection: "close" });
  }
  const body = await readLimited(req, MAX_WEBHOOK_BYTES);
  if (body === null) return answer(413, "Payload too large", { connection: "close" });

  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(",") : (value ?? null);
  };
  const verified = verifyWebhook(header, body, env().SHOPIFY_API_SECRET);
  if (verified.type === "invalid") return answer(verified.status, null);
  const topic = normaliseTopic(verified.topic);
  const rawBody = body.toString("utf8");
  if (topic !== expectedTopic) {
    // The package parses the body before anything else: malformed JSON is reported first, whatever the endpoint.
    return answer(400, isJson(rawBody) ? `This endpoint handles ${expectedTopic}, not ${topic}` : "Malformed JSON");
  }
  const result = await receiveAndAcknowledge({
    shopDomain: verified.shopDomain,
    topic,
    webhookId: verified.webhookId,
    eventId: verified.eventId,
    triggeredAt: verified.triggeredAt,
    rawBody,
  });
  if (result.type === "malformed") return answer(400, "Malformed JSON");
  answer(200, null, { "x-webhook-result": result.type });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The body, or null as soon as it passes `limit` bytes (a lying or missing Content-Length costs nothing). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

/** The package reports topics as ORDERS_CREATE; our routes and events use Shopify's orders/create form. */
export function normaliseTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  const lower = topic.toLowerCase();
  const [resource, ...rest] = lower.split("_");
  return `${resource}/${rest.join("_")}`;
}
