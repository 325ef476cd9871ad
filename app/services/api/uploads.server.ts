// POST /api/v1/pools/:poolId/codes: add codes to a static pool from a file or a JSON list, answering with the
// per-line report. Files are streamed from the request body into the import (never held whole in memory), except
// multipart/form-data, which is read whole within a smaller limit first.
//
//   text/csv (also application/csv, text/tab-separated-values)   CSV with or without a header row
//   text/plain                                                   one code per line
//   application/vnd.openxmlformats-officedocument.spreadsheetml.sheet   an Excel .xlsx workbook
//   application/octet-stream                                     CSV or .xlsx, told apart by the content
//   application/json                                             {"codes": ["A", {"code": "B", "expiresAt": ...}]}
//   multipart/form-data                                          a `file` field holding any of the files above
import { DEFAULT_MAX_BYTES, detectFormat, type UploadFormat } from "../../domain/pools/upload";
import { importJson, importUpload, type ImportOutcome } from "../pools/imports.server";
import { apiEndpoint, type ApiContext } from "./endpoint.server";
import { ApiError, validationFailed } from "./errors";
import { poolNotFound, poolNotStatic, requirePool } from "./pools.server";
import {
  checkDeclaredLength,
  isJsonMediaType,
  parseJsonBytes,
  parseMediaType,
  readBodyBytes,
  refuseContentEncoding,
  type MediaType,
} from "./request.server";
import { API_BASE_PATH, json } from "./responses";

export const XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** Streamed file bodies. */
export const MAX_UPLOAD_BYTES = DEFAULT_MAX_BYTES;
/** JSON lists are parsed whole: at most DEFAULT_MAX_JSON_ITEMS codes, within this many bytes. */
export const MAX_JSON_UPLOAD_BYTES = 16 * 1024 * 1024;
/** multipart/form-data is buffered before it is parsed, so it gets a smaller limit than a raw body. */
export const MAX_MULTIPART_BYTES = 25 * 1024 * 1024;

const RAW_FORMATS: Record<string, UploadFormat> = {
  "text/csv": "csv",
  "application/csv": "csv",
  "text/comma-separated-values": "csv",
  "text/tab-separated-values": "csv",
  "text/plain": "paste",
  [XLSX_MEDIA_TYPE]: "xlsx",
};

export const SUPPORTED_UPLOAD_TYPES = [
  "text/csv",
  "text/plain",
  XLSX_MEDIA_TYPE,
  "application/octet-stream",
  "application/json",
  "multipart/form-data",
];

const SNIFF_BYTES = 64 * 1024;
const MULTIPART_HINT = "Send larger files as the raw request body (Content-Type: text/csv or the .xlsx type) instead.";

function unsupported(received: string | null, message?: string): ApiError {
  return new ApiError(
    415,
    "unsupported_media_type",
    message ?? `Content-Type ${received ? `"${received}"` : "(none)"} is not accepted for codes. Send CSV, plain text, .xlsx or JSON.`,
    { received, supported: SUPPORTED_UPLOAD_TYPES },
  );
}

/** Text uploads are read as UTF-8; a body declared in another charset is refused before it is read. */
function checkCharset(type: MediaType): void {
  const charset = type.params.charset?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii") {
    throw new ApiError(415, "unsupported_media_type", `charset=${charset} is not accepted; save the file as UTF-8.`, {
      received: `${type.essence}; charset=${charset}`,
      supported: SUPPORTED_UPLOAD_TYPES,
    });
  }
}

/** Reads up to `size` bytes from the start of a stream and hands back a source that replays them before the rest. */
async function peek(stream: ReadableStream<Uint8Array>, size: number): Promise<{ head: Uint8Array; source: AsyncIterable<Uint8Array> }> {
  const reader = stream.getReader();
  const held: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  while (total < size) {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    held.push(value);
    total += value.byteLength;
  }
  const head = new Uint8Array(total);
  let at = 0;
  for (const chunk of held) {
    head.set(chunk, at);
    at += chunk.byteLength;
  }
  async function* source(): AsyncGenerator<Uint8Array> {
    let finished = ended;
    try {
      yield* held;
      while (!finished) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          break;
        }
        yield value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  return { head: head.subarray(0, Math.min(size, head.length)), source: source() };
}

async function* nothing(): AsyncGenerator<Uint8Array> {}

function fileNameFrom(url: URL): string | null {
  const name = url.searchParams.get("fileName")?.trim();
  return name ? name.slice(0, 255) : null;
}

function respond(outcome: ImportOutcome, poolId: string, format: UploadFormat): Response {
  switch (outcome.type) {
    case "pool_not_found":
      throw poolNotFound();
    case "refused": {
      const details = { reason: outcome.reason, importId: outcome.importId };
      if (outcome.reason === "too_large") throw new ApiError(413, "payload_too_large", outcome.message, details);
      throw new ApiError(422, "upload_refused", `The upload was refused and no code from it was added: ${outcome.message}`, details);
    }
    case "done":
      return json(
        { importId: outcome.importId, poolId, format, status: "SUCCEEDED", report: outcome.report },
        { headers: { location: `${API_BASE_PATH}/imports/${outcome.importId}` } },
      );
  }
}

async function uploadJson(context: ApiContext, poolId: string): Promise<Response> {
  const bytes = await readBodyBytes(context.request, MAX_JSON_UPLOAD_BYTES, "Split the list, or upload a CSV file.");
  const body = parseJsonBytes(bytes);
  if (typeof body !== "object" || body === null || Array.isArray(body) || !Array.isArray((body as { codes?: unknown }).codes)) {
    throw validationFailed({ codes: 'Send an object with a "codes" array: {"codes": ["CODE1", "CODE2"]}' });
  }
  const extra = Object.keys(body).filter((key) => key !== "codes");
  if (extra.length > 0) throw validationFailed(Object.fromEntries(extra.map((key) => [key, "Unknown field"])));
  // An empty list breaks the request's schema (minItems 1): a 400 like any other invalid field, with no import left behind.
  if ((body as { codes: unknown[] }).codes.length === 0) throw validationFailed({ codes: 'The "codes" array is empty: send at least one code' });
  const outcome = await importJson(context.db, { shopId: context.shopId, poolId, body });
  return respond(outcome, poolId, "json");
}

async function uploadMultipart(context: ApiContext, poolId: string, contentType: string): Promise<Response> {
  const bytes = await readBodyBytes(context.request, MAX_MULTIPART_BYTES, MULTIPART_HINT);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw validationFailed({ body: "Not a readable multipart/form-data body" });
  }
  const file = form.get("file");
  if (!(file instanceof File)) throw validationFailed({ file: 'Attach the codes as a file in a form field named "file"' });
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const detected = detectFormat(file.name, head);
  if (detected === "unknown") {
    throw unsupported(file.type || null, "The file is neither UTF-8 text (CSV, one code per line) nor an Excel .xlsx workbook.");
  }
  const plain = detected === "csv" && (file.type === "text/plain" || file.name.toLowerCase().endsWith(".txt"));
  const format: UploadFormat = plain ? "paste" : detected;
  const outcome = await importUpload(context.db, {
    shopId: context.shopId,
    poolId,
    format,
    fileName: fileNameFrom(context.url) ?? (file.name || null),
    bytesTotal: file.size,
    source: file.stream(),
    maxBytes: MAX_UPLOAD_BYTES,
  });
  return respond(outcome, poolId, format);
}

async function uploadRaw(context: ApiContext, poolId: string, type: MediaType): Promise<Response> {
  const { request, url } = context;
  const declared = checkDeclaredLength(request, MAX_UPLOAD_BYTES, "Split the file into smaller ones.");
  let format = RAW_FORMATS[type.essence];
  let source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> = request.body ?? nothing();
  if (format === undefined) {
    // application/octet-stream: decided by the content, as the admin's upload does.
    const peeked = request.body ? await peek(request.body, SNIFF_BYTES) : { head: new Uint8Array(0), source: nothing() };
    const detected = detectFormat(fileNameFrom(url) ?? "", peeked.head);
    if (detected === "unknown") {
      throw unsupported(type.essence, "The body is neither UTF-8 text (CSV, one code per line) nor an Excel .xlsx workbook.");
    }
    format = detected;
    source = peeked.source;
  } else if (format !== "xlsx") {
    checkCharset(type);
  }
  const outcome = await importUpload(context.db, {
    shopId: context.shopId,
    poolId,
    format,
    fileName: fileNameFrom(url),
    bytesTotal: declared,
    source,
    maxBytes: MAX_UPLOAD_BYTES,
  });
  return respond(outcome, poolId, format);
}

async function uploadHandler(context: ApiContext): Promise<Response> {
  const pool = await requirePool(context.db, context.params.poolId);
  if (pool.kind !== "STATIC") throw poolNotStatic("take uploaded codes");
  refuseContentEncoding(context.request);
  const header = context.request.headers.get("content-type");
  const type = parseMediaType(header);
  if (!type) throw unsupported(header);
  if (isJsonMediaType(type)) return uploadJson(context, pool.id);
  if (type.essence === "multipart/form-data") return uploadMultipart(context, pool.id, header!);
  if (type.essence in RAW_FORMATS || type.essence === "application/octet-stream") return uploadRaw(context, pool.id, type);
  throw unsupported(header);
}

export const poolCodes = apiEndpoint({ POST: uploadHandler });

