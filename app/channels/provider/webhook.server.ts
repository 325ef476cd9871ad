// SMS and push go out through the merchant's provider as a signed JSON POST: the provider (or the merchant's own
// relay) verifies the signature, then delivers. Outcomes are values: "sent", "rejected" (the provider said no and
// asking again won't help) or "retry" (network, timeout, 429, 5xx), so the message job knows whether to retry.
import { createHmac } from "node:crypto";
import { merchantFetch, privateAddressRefusal } from "../../net/public-fetch.server";

export interface ProviderMessage {
  /** Stable per message: the provider can drop a redelivery with the same id. */
  messageId: string;
  channel: "sms" | "push";
  to: string;
  body: string;
  shop: string;
  /** Push only: a title shown above the body. */
  title?: string | null;
}

export interface ProviderEndpoint {
  url: string;
  secret: string;
  timeoutMs?: number;
  /** How to send: by default public addresses only in production (net/public-fetch.server.ts). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export type ProviderOutcome =
  | { type: "sent"; status: number; providerRef: string | null }
  | { type: "rejected"; status: number; message: string }
  | { type: "retry"; message: string; retryAfterMs: number | null };

export const SIGNATURE_HEADER = "X-Promo-Signature";
export const TIMESTAMP_HEADER = "X-Promo-Timestamp";

/** `sha256=<hex>` over `<timestamp>.<body>`: the timestamp is signed so a captured request can't be replayed later. */
export function signProviderBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

async function responseText(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 500);
  } catch {
    return "";
  }
}

export async function postToProvider(endpoint: ProviderEndpoint, message: ProviderMessage, now = new Date()): Promise<ProviderOutcome> {
  const body = JSON.stringify(message);
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  let response: Response;
  try {
    response = await (endpoint.fetch ?? merchantFetch())(endpoint.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": message.messageId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signProviderBody(endpoint.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000),
      // The endpoint's address was checked not to be private when the merchant saved it; a redirect would lead the
      // signed request (and the customer's number) wherever the answering server likes, internal addresses included.
      redirect: "manual",
    });
  } catch (error) {
    // The name resolves into our own network: asking again will not change that.
    const refused = privateAddressRefusal(error);
    if (refused) return { type: "rejected", status: 0, message: `Provider address refused: ${refused.message}` };
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : String(error instanceof Error ? error.message : error);
    return { type: "retry", message: `Provider unreachable: ${reason}`, retryAfterMs: null };
  }
  if (response.ok) {
    let providerRef: string | null = null;
    try {
      const parsed = (await response.json()) as { id?: unknown };
      if (typeof parsed.id === "string" || typeof parsed.id === "number") providerRef = String(parsed.id);
    } catch {
      // A provider may answer 2xx with no JSON body: delivered all the same.
    }
    return { type: "sent", status: response.status, providerRef };
  }
  const text = await responseText(response);
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    return {
      type: "rejected",
      status: response.status,
      message: `Provider answered with a redirect (${response.status})${location ? ` to ${location.slice(0, 200)}` : ""}, which is not followed: set the endpoint to the address that takes the message`,
    };
  }
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    return { type: "retry", message: `Provider answered ${response.status}${text ? `: ${text}` : ""}`, retryAfterMs: retryAfter(response.headers.get("retry-after")) };
  }
  return { type: "rejected", status: response.status, message: `Provider refused the message (${response.status})${text ? `: ${text}` : ""}` };
}
