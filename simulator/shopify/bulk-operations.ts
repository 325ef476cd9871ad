/**
 * The background side of bulk mutation operations (the GraphQL side is
 * resolvers/bulk-operations.ts). Like redeem-code imports, an operation
 * advances with the simulator's clock, brought up to date at the start of
 * every request and by `sim.state()`:
 *
 *   CREATED ──startDelayMs──▶ RUNNING ──linesPerSecond──▶ COMPLETED (url, fileSize)
 *                                  └──▶ CANCELING ──▶ CANCELED (partialDataUrl)
 *                                  └──▶ FAILED (test hook; errorCode, partialDataUrl)
 *
 * Each line runs the mutation with graphql-js against the same resolvers
 * and access scopes as an ordinary request, with the line as variables, but
 * outside the leaky bucket and the request log. Each executed line yields one
 * result line: the execution result plus `__lineNumber`.
 */
import type { DocumentNode, OperationDefinitionNode } from "graphql";
import { formatError } from "./errors";
import {
  coerceVariables,
  executeAdminOperation,
  type EndpointEnvironment,
  type EndpointShop,
} from "./graphql-endpoint";
import { bulkMutationOperation } from "./resolvers";
import type { BulkOperationErrorCode, BulkOperationLine, BulkOperationRecord } from "./store";

export interface BulkOperationTiming {
  /** How long an operation stays CREATED. */
  readonly startDelayMs: number;
  /** Lines executed per second once RUNNING (Infinity: all at once). */
  readonly linesPerSecond: number;
}

export const DEFAULT_BULK_OPERATION_TIMING: BulkOperationTiming = { startDelayMs: 1000, linesPerSecond: 1000 };

export interface BulkOperationEnvironment extends EndpointEnvironment {
  readonly bulkOperationTiming: BulkOperationTiming;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One result line: `data` (when execution started), `errors` (when any), `__lineNumber`. */
function runLine(
  shop: EndpointShop,
  env: EndpointEnvironment,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  line: BulkOperationLine,
): string {
  const out: Record<string, unknown> = {};
  const coerced = coerceVariables(document, operation, line.variables);
  if (!coerced.ok) {
    out["errors"] = coerced.errors;
  } else {
    const result = executeAdminOperation(shop, env, document, operation, coerced.variables);
    if (result.data !== undefined) out["data"] = result.data;
    if (result.errors && result.errors.length > 0) out["errors"] = result.errors.map(formatError);
  }
  out["__lineNumber"] = line.lineNumber;
  return JSON.stringify(out);
}

function resultFile(op: BulkOperationRecord): string {
  return op.output.map((line) => `${line}\n`).join("");
}

/** Moves what was executed so far to `partialDataUrl` (null when nothing ran). */
function writePartialData(env: BulkOperationEnvironment, op: BulkOperationRecord, now: number): void {
  op.url = null;
  op.fileSize = null;
  op.partialDataUrl = op.output.length > 0 ? env.storage.putObject(`bulk-${op.id}-partial`, resultFile(op), now) : null;
  op.output = [];
}

function complete(env: BulkOperationEnvironment, op: BulkOperationRecord, now: number): void {
  const { startDelayMs, linesPerSecond } = env.bulkOperationTiming;
  const lastLineOffset =
    op.lines.length === 0 || !Number.isFinite(linesPerSecond)
      ? 0
      : Math.ceil(((op.lines.length - 1) * 1000) / linesPerSecond);
  op.status = "COMPLETED";
  op.completedAt = iso(Math.min(now, op.createdAtMs + startDelayMs + lastLineOffset));
  if (op.output.length > 0) {
    const body = resultFile(op);
    op.url = env.storage.putObject(`bulk-${op.id}-final`, body, now);
    op.fileSize = Buffer.byteLength(body, "utf8");
  }
  op.output = [];
}

function advance(shop: EndpointShop, env: BulkOperationEnvironment, op: BulkOperationRecord, now: number): void {
  if (op.status === "CANCELING") {
    // Cancelation takes effect a moment later: on the first look after the clock has moved.
    if (op.cancelRequestedAtMs === null || now > op.cancelRequestedAtMs) {
      op.status = "CANCELED";
      writePartialData(env, op, now);
    }
    return;
  }
  if (op.status !== "CREATED" && op.status !== "RUNNING") return;
  const { startDelayMs, linesPerSecond } = env.bulkOperationTiming;
  const elapsed = now - op.createdAtMs - startDelayMs;
  if (elapsed < 0) return;
  op.status = "RUNNING";
  const total = op.lines.length;
  const due = Number.isFinite(linesPerSecond)
    ? Math.min(total, Math.floor((elapsed * linesPerSecond) / 1000) + 1)
    : total;
  if (op.nextLine < due) {
    const checked = bulkMutationOperation(op.query);
    if ("problem" in checked) throw new Error(`bulk operation ${op.id} holds an invalid mutation: ${checked.problem}`);
    for (; op.nextLine < due && op.status === "RUNNING"; op.nextLine++) {
      const line = op.lines[op.nextLine];
      if (line) op.output.push(runLine(shop, env, checked.document, checked.operation, line));
    }
  }
  if (op.status === "RUNNING" && op.nextLine >= total) complete(env, op, now);
}

/** Brings every bulk operation of the shop up to the simulator's clock. */
export function processBulkOperations(shop: EndpointShop, env: BulkOperationEnvironment): void {
  const now = env.now();
  for (const op of shop.store.bulkOperations.values()) advance(shop, env, op, now);
}

/**
 * Test hook: the operation fails now, with `errorCode`, `url` null and
 * `partialDataUrl` serving the lines executed so far (callers process first).
 */
export function failBulkOperation(
  env: BulkOperationEnvironment,
  op: BulkOperationRecord,
  errorCode: BulkOperationErrorCode,
): void {
  if (op.status !== "CREATED" && op.status !== "RUNNING" && op.status !== "CANCELING") {
    throw new Error(`bulk operation ${op.id} is ${op.status} and cannot fail any more`);
  }
  op.status = "FAILED";
  op.errorCode = errorCode;
  op.completedAt = null;
  writePartialData(env, op, env.now());
}
