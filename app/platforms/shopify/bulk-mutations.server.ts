// Shopify's bulk mutations (decision 0022): one GraphQL mutation run by Shopify once per line of a JSONL file of
// variables, outside the Admin API's rate limit. The file is staged first (stagedUploadsCreate, then a multipart
// POST to the storage URL it returns), the operation is started with the staged path, polled by id, and its results
// are a JSONL file with one line per input line, numbered by `__lineNumber`.
import { PermanentPlatformError, RetriablePlatformError } from "../errors";
import type { ShopifyAdminClient } from "./admin-client.server";
import { BULK_OPERATION_RUN_MUTATION, BULK_OPERATION_STATUS, STAGED_UPLOADS_CREATE } from "./documents/bulk-mutations";
import type { GraphqlDocument } from "./gql";

/** Shopify's limit on a bulk mutation's variables file. */
export const BULK_VARIABLES_MAX_BYTES = 100 * 1024 * 1024;

export type BulkStart =
  | { type: "started"; operationId: string }
  /** Shopify runs as many bulk mutations per shop at once as it allows already: start it later. */
  | { type: "busy"; message: string }
  | { type: "refused"; message: string };

const BUSY_CODES = new Set(["LIMIT_REACHED", "OPERATION_IN_PROGRESS"]);

type Fetch = typeof fetch;

/** Stages `lines` (one JSON object of variables each) and starts `mutation` over them. */
export async function startBulkMutation(
  client: ShopifyAdminClient,
  input: { mutation: GraphqlDocument<unknown, unknown>; lines: readonly unknown[]; clientIdentifier: string; fetch?: Fetch },
): Promise<BulkStart> {
  const body = input.lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
  const bytes = Buffer.byteLength(body);
  if (bytes > BULK_VARIABLES_MAX_BYTES) {
    return { type: "refused", message: `The variables file is ${bytes} bytes; Shopify takes at most ${BULK_VARIABLES_MAX_BYTES}` };
  }
  const filename = `${input.clientIdentifier}.jsonl`;
  const staged = await client.request(STAGED_UPLOADS_CREATE, {
    input: [{ resource: "BULK_MUTATION_VARIABLES", filename, mimeType: "text/jsonl", httpMethod: "POST" }],
  });
  const problems = staged.stagedUploadsCreate?.userErrors ?? [];
  if (problems.length) return { type: "refused", message: problems.map((e) => e.message).join("; ") };
  const target = staged.stagedUploadsCreate?.stagedTargets?.[0];
  const key = target?.parameters.find((p) => p.name === "key")?.value;
  if (!target?.url || !key) throw new PermanentPlatformError("stagedUploadsCreate returned no target for the variables file", "SHOPIFY");

  const form = new FormData();
  for (const { name, value } of target.parameters) form.append(name, value);
  form.append("file", new Blob([body], { type: "text/jsonl" }), filename);
  const upload = await (input.fetch ?? fetch)(target.url, { method: "POST", body: form, signal: AbortSignal.timeout(120_000) }).catch((error: unknown) => {
    throw new RetriablePlatformError(`Uploading the variables file: ${error instanceof Error ? error.message : String(error)}`, "SHOPIFY", { cause: error });
  });
  if (!upload.ok) {
    const text = (await upload.text().catch(() => "")).slice(0, 300);
    const message = `Uploading the variables file: HTTP ${upload.status} ${text}`;
    if (upload.status >= 500 || upload.status === 429) throw new RetriablePlatformError(message, "SHOPIFY");
    throw new PermanentPlatformError(message, "SHOPIFY");
  }

  const started = await client.request(BULK_OPERATION_RUN_MUTATION, {
    mutation: input.mutation.source,
    stagedUploadPath: key,
    clientIdentifier: input.clientIdentifier,
  });
  const errors = started.bulkOperationRunMutation?.userErrors ?? [];
  if (errors.some((e) => e.code && BUSY_CODES.has(e.code))) return { type: "busy", message: errors.map((e) => e.message).join("; ") };
  if (errors.length) return { type: "refused", message: errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ") };
  const operation = started.bulkOperationRunMutation?.bulkOperation;
  if (!operation) throw new PermanentPlatformError("bulkOperationRunMutation returned no operation", "SHOPIFY");
  return { type: "started", operationId: operation.id };
}

export interface BulkOperationState {
  status: "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "EXPIRED" | "FAILED" | "MISSING";
  errorCode: string | null;
  /** Lines run so far. */
  objectCount: number;
  url: string | null;
  partialDataUrl: string | null;
}

export async function bulkOperationState(client: ShopifyAdminClient, operationId: string): Promise<BulkOperationState> {
  const data = await client.request(BULK_OPERATION_STATUS, { id: operationId });
  const op = data.bulkOperation;
  if (!op) return { status: "MISSING", errorCode: null, objectCount: 0, url: null, partialDataUrl: null };
  return {
    status: op.status as BulkOperationState["status"],
    errorCode: op.errorCode,
    objectCount: Number(op.objectCount) || 0,
    url: op.url,
    partialDataUrl: op.partialDataUrl,
  };
}

export interface BulkResultLine {
  lineNumber: number;
  data: Record<string, unknown> | null;
  errors: { message: string }[];
}

/**
 * Reads a result file line by line as it downloads (a 100k-line file is tens of MB). The URL is pre-signed: no
 * token goes with it.
 */
export async function readBulkResults(url: string, onLine: (line: BulkResultLine) => void, fetchImpl: Fetch = fetch): Promise<number> {
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(300_000) }).catch((error: unknown) => {
    throw new RetriablePlatformError(`Downloading bulk results: ${error instanceof Error ? error.message : String(error)}`, "SHOPIFY", { cause: error });
  });
  if (!response.ok || !response.body) {
    const message = `Downloading bulk results: HTTP ${response.status}`;
    if (response.status >= 500) throw new RetriablePlatformError(message, "SHOPIFY");
    throw new PermanentPlatformError(message, "SHOPIFY");
  }
  const decoder = new TextDecoder();
  let pending = "";
  let count = 0;
  const take = (text: string) => {
    if (!text.trim()) return;
    const parsed = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string }[]; __lineNumber?: number };
    if (typeof parsed.__lineNumber !== "number") throw new PermanentPlatformError("A bulk result line has no __lineNumber", "SHOPIFY");
    count += 1;
    onLine({ lineNumber: parsed.__lineNumber, data: parsed.data ?? null, errors: parsed.errors ?? [] });
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      take(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  }
  take(pending + decoder.decode());
  return count;
}

/** The userErrors (or GraphQL errors) of one result line of a mutation whose root field is `root`; none when it worked. */
export function lineProblems(line: BulkResultLine, root: string): string[] {
  if (line.errors.length) return line.errors.map((e) => e.message);
  const payload = line.data?.[root] as { userErrors?: { field?: string[] | null; message: string }[] } | null | undefined;
  if (!payload) return [`${root} returned nothing`];
  return (payload.userErrors ?? []).map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message));
}
