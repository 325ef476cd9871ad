/**
 * Bulk mutation operations, Shopify's way of running one mutation for many
 * inputs: `stagedUploadsCreate` (BULK_MUTATION_VARIABLES) issues a POST
 * policy target on Google Cloud Storage, the app uploads a JSONL file of
 * variables there (cloud-storage.ts), and `bulkOperationRunMutation` queues a
 * BulkOperation that executes the mutation once per line in the background.
 * The background work advances with the simulator's clock (bulk-operations.ts
 * next to the simulator); these resolvers only create and show the records.
 */
import { randomUUID } from "node:crypto";
import { Kind, type DocumentNode, type GraphQLResolveInfo, type OperationDefinitionNode } from "graphql";
import { gid, idOf } from "../ids";
import { checkAdminDocument } from "../schema";
import type { BulkOperationLine, BulkOperationRecord, BulkOperationStatus, ShopStore } from "../store";
import { notModelled, type ResolverContext, type View } from "./context";

/** Operations of one shop that count against the concurrency limit (2026-01 and later: 5). */
export const MAX_CONCURRENT_BULK_MUTATIONS = 5;
const ACTIVE: ReadonlySet<BulkOperationStatus> = new Set(["CREATED", "RUNNING", "CANCELING"]);

/** Root fields a bulk mutation may not run (they would start bulk operations from a bulk operation). */
const FORBIDDEN_ROOT_FIELDS = new Set(["bulkOperationRunMutation", "bulkOperationRunQuery"]);

type BulkMutationErrorCode =
  "INVALID_MUTATION" | "INVALID_STAGED_UPLOAD_FILE" | "LIMIT_REACHED" | "NO_SUCH_FILE" | "OPERATION_IN_PROGRESS";

interface BulkMutationUserError {
  field: string[] | null;
  message: string;
  code: BulkMutationErrorCode;
}

export function isActiveBulkOperation(op: BulkOperationRecord): boolean {
  return ACTIVE.has(op.status);
}

export function bulkOperationView(op: BulkOperationRecord): View {
  return {
    __typename: "BulkOperation",
    id: gid("BulkOperation", op.id),
    type: op.type,
    status: op.status,
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    errorCode: op.errorCode,
    objectCount: String(op.nextLine),
    rootObjectCount: String(op.nextLine),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
    url: op.url,
    partialDataUrl: op.partialDataUrl,
  };
}

/** The single mutation operation of a bulk mutation document, or why it cannot run in bulk. */
export function bulkMutationOperation(
  source: string,
): { document: DocumentNode; operation: OperationDefinitionNode; rootField: string } | { problem: string } {
  const { document, errors } = checkAdminDocument(source);
  if (!document) return { problem: `Failed to parse the mutation - ${errors[0]?.message ?? "syntax error"}` };
  if (errors.length > 0) return { problem: `Invalid mutation - ${errors.map((e) => e.message).join("; ")}` };
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) {
    return { problem: `A bulk mutation must contain exactly one operation; found ${operations.length}.` };
  }
  const operation = operations[0]!;
  if (operation.operation !== "mutation") {
    return { problem: `A bulk mutation must be a mutation; found a ${operation.operation}.` };
  }
  const selections = operation.selectionSet.selections;
  const only = selections[0];
  if (selections.length !== 1 || !only || only.kind !== Kind.FIELD || only.name.value.startsWith("__")) {
    return { problem: "A bulk mutation must select exactly one mutation field." };
  }
  const rootField = only.name.value;
  if (FORBIDDEN_ROOT_FIELDS.has(rootField)) return { problem: `${rootField} cannot be run as a bulk mutation.` };
  return { document, operation, rootField };
}

/** Non-empty lines as variables objects, or the first line that is not a JSON object. */
function parseVariablesFile(text: string): { lines: BulkOperationLine[] } | { badLine: number } {
  const lines: BulkOperationLine[] = [];
  const raw = text.replace(/^\uFEFF/, "").split("\n");
  for (let lineNumber = 0; lineNumber < raw.length; lineNumber++) {
    const line = (raw[lineNumber] ?? "").replace(/\r$/, "");
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { badLine: lineNumber };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { badLine: lineNumber };
    lines.push({ lineNumber, variables: value as Record<string, unknown> });
  }
  return { lines };
}

interface StagedUploadInput {
  resource: string;
  filename: string;
  mimeType: string;
  httpMethod?: string | null;
  fileSize?: string | null;
}

export function bulkOperationQueryFields(store: ShopStore): View {
  return {
    bulkOperation: (args: { id: string }) => {
      const op = store.bulkOperations.get(idOf(args.id, "BulkOperation") ?? "");
      return op ? bulkOperationView(op) : null;
    },
    currentBulkOperation: (args: { type?: string | null }) => {
      // Query operations are not modelled, so there is never a current one of type QUERY (the default).
      const type = args.type ?? "QUERY";
      const ops = [...store.bulkOperations.values()].filter((op) => op.type === type);
      const latest = ops[ops.length - 1];
      return latest ? bulkOperationView(latest) : null;
    },
  };
}

export function bulkOperationMutationFields(store: ShopStore): View {
  return {
    stagedUploadsCreate: (args: { input: StagedUploadInput[] }, ctx: ResolverContext) => {
      for (const input of args.input) {
        if (input.resource !== "BULK_MUTATION_VARIABLES") {
          throw notModelled(`stagedUploadsCreate for resource ${input.resource}`);
        }
        if (input.httpMethod !== "POST") {
          throw notModelled(`stagedUploadsCreate with httpMethod ${input.httpMethod ?? "PUT"} (only POST)`);
        }
      }
      const stagedTargets = args.input.map((input) => {
        const key = `tmp/${store.shopId}/bulk/${randomUUID()}/${input.filename}`;
        const target = ctx.storage.issueStagedUpload({
          owner: store,
          key,
          mimeType: input.mimeType,
          maxBytes: ctx.stagedUploadMaxBytes,
          now: store.now(),
        });
        return {
          __typename: "StagedMediaUploadTarget",
          url: target.url,
          resourceUrl: null,
          parameters: target.parameters.map((p) => ({ __typename: "StagedUploadParameter", ...p })),
        };
      });
      return { stagedTargets, userErrors: [] };
    },

    bulkOperationRunMutation: (
      args: { mutation: string; stagedUploadPath: string; clientIdentifier?: string | null },
      ctx: ResolverContext,
      info: GraphQLResolveInfo,
    ) => {
      const refuse = (code: BulkMutationErrorCode, field: string[] | null, message: string) => ({
        bulkOperation: null,
        userErrors: [{ field, message, code } satisfies BulkMutationUserError],
      });
      const checked = bulkMutationOperation(args.mutation);
      if ("problem" in checked) return refuse("INVALID_MUTATION", ["mutation"], checked.problem);
      // The root value of this request holds every modelled mutation: an unmodelled one fails loudly
      // here rather than line by line in a result file.
      const modelled = info.rootValue as Record<string, unknown>;
      if (!Object.prototype.hasOwnProperty.call(modelled, checked.rootField)) {
        throw notModelled(`Mutation.${checked.rootField} (in bulkOperationRunMutation)`);
      }
      const text = ctx.storage.stagedFile(store, args.stagedUploadPath);
      if (text === undefined) {
        return refuse(
          "NO_SUCH_FILE",
          ["stagedUploadPath"],
          "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
        );
      }
      const parsed = parseVariablesFile(text);
      if ("badLine" in parsed) {
        return refuse(
          "INVALID_STAGED_UPLOAD_FILE",
          ["stagedUploadPath"],
          `The JSONL file submitted via the stagedUploadsCreate mutation is invalid: line ${parsed.badLine} is not a JSON object.`,
        );
      }
      const active = [...store.bulkOperations.values()].filter(
        (op) => op.type === "MUTATION" && isActiveBulkOperation(op),
      );
      if (active.length >= MAX_CONCURRENT_BULK_MUTATIONS) {
        return refuse("LIMIT_REACHED", null, "Bulk operations limit reached. Please try again later.");
      }
      const op: BulkOperationRecord = {
        id: store.ids.next(),
        type: "MUTATION",
        status: "CREATED",
        query: args.mutation,
        clientIdentifier: args.clientIdentifier ?? null,
        stagedUploadPath: args.stagedUploadPath,
        createdAt: store.nowIso(),
        createdAtMs: store.now(),
        completedAt: null,
        errorCode: null,
        lines: parsed.lines,
        nextLine: 0,
        output: [],
        cancelRequestedAtMs: null,
        url: null,
        partialDataUrl: null,
        fileSize: null,
      };
      store.bulkOperations.set(op.id, op);
      return { bulkOperation: bulkOperationView(op), userErrors: [] };
    },

    bulkOperationCancel: (args: { id: string }) => {
      const op = store.bulkOperations.get(idOf(args.id, "BulkOperation") ?? "");
      if (!op) {
        return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
      }
      if (op.status !== "CREATED" && op.status !== "RUNNING") {
        const message = `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}`;
        return { bulkOperation: bulkOperationView(op), userErrors: [{ field: null, message }] };
      }
      op.status = "CANCELING";
      op.cancelRequestedAtMs = store.now();
      return { bulkOperation: bulkOperationView(op), userErrors: [] };
    },
  };
}
