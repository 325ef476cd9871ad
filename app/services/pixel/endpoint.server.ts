// POST /pixel/events over HTTP: CORS for storefronts, a body limit, then receivePixelBatch, answered with 202
// and what was kept or refused. The pixel sends text/plain (a CORS "simple" request, so no preflight); OPTIONS
// is answered anyway for clients that do preflight. No credentials are involved, so any origin may post: what
// protects the endpoint is the shop/account check, validation and the rate limits, not the origin.
import { MAX_PIXEL_BODY_BYTES } from "../../domain/events/pixel-batch";
import { readLimited } from "../read-limited.server";
import { receivePixelBatch, type IngestOptions, type PixelIngestResult } from "./ingest.server";

const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "86400",
};

export async function handlePixelRequest(request: Request, options: IngestOptions = {}): Promise<Response> {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS_HEADERS });
  if (request.method !== "POST")
    return reply(405, { error: "Send pixel batches with POST" }, { allow: "POST, OPTIONS" });

  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_PIXEL_BODY_BYTES) return tooLarge();
  const body = await readLimited(request, MAX_PIXEL_BODY_BYTES);
  if (body === null) return tooLarge();

  return toResponse(await receivePixelBatch(body, options));
}

export function toResponse(result: PixelIngestResult): Response {
  switch (result.type) {
    case "accepted":
      return reply(202, { stored: result.stored, duplicates: result.duplicates, rejected: result.rejected });
    case "invalid":
      return reply(400, { error: "Invalid pixel batch", reasons: result.reasons, rejected: result.rejected });
    case "unknown_shop":
      return reply(404, { error: `Unknown shop ${result.shop}: the app is not installed there` });
    case "uninstalled":
      return reply(403, { error: `Shop ${result.shop} has uninstalled the app` });
    case "wrong_account":
      return reply(403, { error: `The pixel's account id does not belong to ${result.shop}` });
    case "rate_limited":
      return reply(
        429,
        { error: `Too many events for this ${result.scope}; retry in ${result.retryAfterSeconds} s` },
        { "retry-after": String(result.retryAfterSeconds) },
      );
  }
}

function tooLarge(): Response {
  return reply(413, { error: `Pixel batches are limited to ${MAX_PIXEL_BODY_BYTES} bytes` });
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...CORS_HEADERS, "cache-control": "no-store", ...headers } });
}
