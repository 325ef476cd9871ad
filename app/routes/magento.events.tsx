// POST /magento/events: events a Magento store pushes (orders placed, product views), signed with the shop's
// events secret. Stored before the answer, processed by the worker (app/services/magento/events.server.ts).
import type { ActionFunctionArgs } from "react-router";
import { MAX_EVENTS_BYTES, receiveMagentoEvents, SHOP_HEADER, SIGNATURE_HEADER } from "../services/magento/events.server";
import { readLimited } from "../services/read-limited.server";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

export const loader = () => json(405, { error: "Send events with POST" }, { allow: "POST" });

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return json(405, { error: "Send events with POST" }, { allow: "POST" });
  if (Number(request.headers.get("content-length") ?? "0") > MAX_EVENTS_BYTES) {
    return json(413, { error: `The body is over ${MAX_EVENTS_BYTES} bytes: send at most 100 events per request` });
  }
  const rawBody = await readLimited(request, MAX_EVENTS_BYTES);
  if (rawBody === null) return json(413, { error: `The body is over ${MAX_EVENTS_BYTES} bytes: send at most 100 events per request` });

  const result = await receiveMagentoEvents({
    shopId: request.headers.get(SHOP_HEADER),
    signature: request.headers.get(SIGNATURE_HEADER),
    rawBody,
  });
  switch (result.type) {
    case "accepted":
      return json(200, { received: result.received, stored: result.stored, duplicates: result.duplicates });
    case "unknown_shop":
      return json(404, { error: `Unknown shop: put the shop id from Settings > Magento in the ${SHOP_HEADER} header` });
    case "not_configured":
      return json(403, { error: "Events are not set up for this shop: save the Magento connection in Settings first" });
    case "bad_signature":
      return json(401, { error: `Invalid signature: ${SIGNATURE_HEADER} must be base64 of HMAC-SHA256 of the raw body with the shop's events secret` });
    case "malformed":
      return json(400, { error: "The body is not valid JSON" });
    case "invalid":
      return json(422, { error: "Invalid events: nothing was stored", issues: result.issues });
  }
};
