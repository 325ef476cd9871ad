// Reading API requests: media types, bounded bodies, JSON with clear 400s, path parameters.
import type { z } from "zod";
import { ApiError, fieldErrors, validationFailed } from "./errors";

/** Default cap for JSON request bodies (pool settings, issue requests). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface MediaType {
  /** Lower-cased `type/subtype`, without parameters. */
  essence: string;
  params: Record<string, string>;
}

/** Parses a Content-Type header. Null when absent or unreadable. */
export function parseMediaType(header: string | null): MediaType | null {
  if (!header) return null;
  const [essence = "", ...rest] = header.split(";");
  const type = essence.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return null;
  const params: Record<string, string> = {};
  for (const part of rest) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    let value = part.slice(at + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name) params[name] = value;
  }
  return { essence: type, params };
}

export function isJsonMediaType(type: MediaType | null): boolean {
  return !!type && (type.essence === "application/json" || type.essence.endsWith("+json"));
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

export function tooLarge(limit: number, hint = ""): ApiError {
  return new ApiError(413, "payload_too_large", `The request body is larger than the ${formatBytes(limit)} limit.${hint ? ` ${hint}` : ""}`, {
    limitBytes: limit,
  });
}

/** Refuses a body whose declared Content-Length is over the limit, before reading any of it. */
export function checkDeclaredLength(request: Request, limit: number, hint?: string): number | null {
  const header = request.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  const declared = Number(header);
  if (declared > limit) throw tooLarge(limit, hint);
  return declared;
}

/** Compressed bodies are not accepted: a small gzip can expand past every limit. */
export function refuseContentEncoding(request: Request): void {
  const encoding = request.headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    throw new ApiError(415, "unsupported_media_type", `Content-Encoding "${encoding}" is not accepted; send the body uncompressed.`);
  }
}

/** Reads the whole body, refusing (413) as soon as it passes `limit` bytes. */
export async function readBodyBytes(request: Request, limit: number, hint?: string): Promise<Uint8Array<ArrayBuffer>> {
  checkDeclaredLength(request, limit, hint);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit, hint);
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Requires a JSON body (415 otherwise), reads it within `limit` (413) and parses it (400 malformed_json). */
export async function readJson(request: Request, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  refuseContentEncoding(request);
  const type = parseMediaType(request.headers.get("content-type"));
  if (!isJsonMediaType(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.", {
      received: request.headers.get("content-type"),
      supported: ["application/json"],
    });
  }
  const bytes = await readBodyBytes(request, limit);
  return parseJsonBytes(bytes);
}

export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "malformed_json", "The body is not UTF-8 text.");
  }
  if (text.trim() === "") throw new ApiError(400, "malformed_json", "The body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, "malformed_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates a parsed body against a schema: 400 validation_failed with one message per field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error));
  return parsed.data;
}

export { isUuid } from "../../domain/ids";
