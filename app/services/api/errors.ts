// Errors of the public REST API. Every error is JSON: {"error": {"code": "...", "message": "...", "details"?: ...}}
// with a machine-readable code (listed below and in docs/api/openapi.json's ErrorCode) and a message a person can
// act on. Handlers throw ApiError; the endpoint wrapper turns it into the response.
import type { z } from "zod";
import { PermanentPlatformError, RetriablePlatformError } from "../../platforms/errors";

export const API_ERROR_CODES = [
  // 400
  "malformed_json",
  "validation_failed",
  "idempotency_key_required",
  "idempotency_key_mismatch",
  "malformed_url",
  // 401, 403
  "missing_api_key",
  "invalid_api_key",
  "api_key_revoked",
  "shop_uninstalled",
  // 404
  "not_found",
  "pool_not_found",
  "import_not_found",
  "never_issued",
  // 405
  "method_not_allowed",
  // 409
  "pool_name_taken",
  "pool_not_static",
  "pool_empty",
  // 413, 415
  "payload_too_large",
  "unsupported_media_type",
  // 422
  "upload_refused",
  "idempotency_key_reused",
  "code_not_created",
  // 429
  "rate_limited",
  // 500, 501, 502, 503
  "internal_error",
  "method_not_implemented",
  "platform_error",
  "platform_unavailable",
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): Response {
    const body: ApiErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return Response.json(body, {
      status: this.status,
      headers: { "cache-control": "no-store", ...this.headers },
    });
  }
}

export function errorResponse(status: number, code: ApiErrorCode, message: string, details?: unknown, headers?: Record<string, string>): Response {
  return new ApiError(status, code, message, details, headers).toResponse();
}

/** Validation details: one message per field, keyed by its dotted path ("customer.id"; "body" for the whole body). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out[path ? `${path}.${key}` : key] ??= "Unknown field";
      continue;
    }
    out[path || "body"] ??= issue.message;
  }
  return out;
}

export function validationFailed(fields: Record<string, string>, message?: string): ApiError {
  const names = Object.keys(fields);
  const summary =
    message ??
    (names.length === 1 ? `${names[0]}: ${fields[names[0]!]}` : `The request has ${names.length} invalid fields (see details.fields).`);
  return new ApiError(400, "validation_failed", summary, { fields });
}

/**
 * A failure of the store's platform as the API's answer: 503 (retry later, with the same idempotency key: the code
 * is found, never made twice) or 502 (the store refuses the app, e.g. its access was revoked). Null for anything else.
 */
export function platformFailure(error: unknown): ApiError | null {
  if (error instanceof RetriablePlatformError) {
    return new ApiError(
      503,
      "platform_unavailable",
      "The store's platform did not answer in time. Retry with the same Idempotency-Key: a code it created meanwhile is returned, never a second one.",
      undefined,
      { "retry-after": "5" },
    );
  }
  if (error instanceof PermanentPlatformError) {
    return new ApiError(502, "platform_error", `The store's platform refused the app's request: ${error.message}`);
  }
  return null;
}
