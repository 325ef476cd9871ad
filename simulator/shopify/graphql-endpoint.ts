/**
 * What happens to an authenticated request body at the GraphQL endpoint, in
 * Shopify's order: parse and validate against the vendored schema → select
 * the operation → coerce variables → input array limits → requested cost
 * (single-query max, then the shop's leaky bucket: THROTTLED) → execute →
 * refund (requested − actual) → body with `extensions.cost`.
 *
 * Synchronous from validation to response, so each request is atomic with
 * respect to the shop's state, like a serialised database transaction.
 */
import {
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type OperationDefinitionNode,
} from "graphql";
import type { SimulatedCloudStorage } from "./cloud-storage";
import {
  actualQueryCost,
  requestedQueryCost,
  SINGLE_QUERY_MAX_COST,
  type CostContext,
  type LeakyBucket,
  type QueryCost,
} from "./cost";
import { errorCodes, formatError, formatRejection, type FormattedError } from "./errors";
import type { RequestFacts } from "./faults";
import { findOversizedInputArray } from "./input-limits";
import {
  fieldResolver,
  mutationRoot,
  queryRoot,
  typeResolver,
  type AppIdentity,
  type BulkCodeTiming,
  type ResolverContext,
} from "./resolvers";
import { adminSchema, checkAdminDocument } from "./schema";
import type { ShopStore } from "./store";

export interface GraphQLRequestBody {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

export interface GraphQLResponseBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly FormattedError[] | string | Record<string, unknown>;
  readonly extensions?: { readonly cost?: QueryCost };
}

export type EndpointOutcome = "ok" | "graphql-errors" | "invalid-document" | "throttled" | "max-cost-exceeded";

export interface EndpointResult {
  readonly body: GraphQLResponseBody;
  readonly outcome: EndpointOutcome;
  readonly executed: boolean;
  readonly requestedCost: number | null;
  readonly actualCost: number | null;
  readonly errorCodes: readonly string[];
}

export interface EndpointShop {
  readonly store: ShopStore;
  readonly bucket: LeakyBucket;
  readonly scopes: ReadonlySet<string> | undefined;
}

export interface EndpointEnvironment {
  readonly now: () => number;
  readonly bulkTiming: BulkCodeTiming;
  readonly app: AppIdentity;
  readonly storage: SimulatedCloudStorage;
  readonly stagedUploadMaxBytes: number;
}

const MAX_COST_DOCS =
  "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\n" +
  "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
  "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON body of a request, or undefined when it is not a JSON object. */
export function parseBody(body: string | GraphQLRequestBody): GraphQLRequestBody | undefined {
  if (typeof body !== "string") return isRecord(body) ? body : undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Operation name, type and root fields, for fault matching and the request log. */
export function requestFacts(body: GraphQLRequestBody | undefined): RequestFacts {
  const none: RequestFacts = { operationName: null, operationType: null, rootFields: [] };
  if (!body || typeof body.query !== "string") return none;
  const { document } = checkAdminDocument(body.query);
  if (!document) return none;
  const requestedName = typeof body.operationName === "string" && body.operationName ? body.operationName : undefined;
  const operation = getOperationAST(document, requestedName);
  if (!operation) return none;
  const rootFields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  return { operationName: operation.name?.value ?? null, operationType: operation.operation, rootFields };
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

function rejected(errors: FormattedError[], outcome: EndpointOutcome = "invalid-document"): EndpointResult {
  return {
    body: { errors },
    outcome,
    executed: false,
    requestedCost: null,
    actualCost: null,
    errorCodes: errorCodes(errors),
  };
}

export type CoercedVariables =
  | { readonly ok: true; readonly variables: Record<string, unknown> }
  | { readonly ok: false; readonly stage: "variables" | "input-size"; readonly errors: FormattedError[] };

/**
 * The request's variables coerced for the operation (`INVALID_VARIABLE`),
 * then the input array limit (`MAX_INPUT_SIZE_EXCEEDED`), as Shopify checks
 * them before executing anything.
 */
export function coerceVariables(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  raw: unknown,
): CoercedVariables {
  const schema = adminSchema();
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], isRecord(raw) ? raw : {});
  if (coerced.errors) {
    const errors = coerced.errors.map((e) => ({ ...formatError(e), extensions: { code: "INVALID_VARIABLE" } }));
    return { ok: false, stage: "variables", errors };
  }
  const tooBig = findOversizedInputArray(schema, document, operation, coerced.coerced);
  if (tooBig) return { ok: false, stage: "input-size", errors: [formatError(tooBig)] };
  return { ok: true, variables: coerced.coerced };
}

/** Answers a request whose `query` is a non-empty string (the caller checked). */
export function answerGraphQL(
  shop: EndpointShop,
  body: GraphQLRequestBody & { readonly query: string },
  env: EndpointEnvironment,
): EndpointResult {
  const checked = checkAdminDocument(body.query);
  if (checked.errors.length > 0 || !checked.document) return rejected(checked.errors.map(formatRejection));
  const document = checked.document;
  const operationName =
    typeof body.operationName === "string" && body.operationName !== "" ? body.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName ? `Unknown operation named "${operationName}".` : "An operation name is required";
    return rejected([{ message, extensions: { code: "operationNotFound" } }]);
  }
  if (operation.operation === "subscription") {
    return rejected([{ message: "The Admin API has no subscriptions", extensions: { code: "operationNotAllowed" } }]);
  }

  const schema = adminSchema();
  const coerced = coerceVariables(document, operation, body.variables);
  if (!coerced.ok) {
    return rejected(coerced.errors, coerced.stage === "variables" ? "invalid-document" : "graphql-errors");
  }
  const variables = coerced.variables;

  const costContext: CostContext = { schema, operation, fragments: fragmentsOf(document), variables };
  const requested = requestedQueryCost(costContext);
  const now = env.now();
  const unspent = (errors: FormattedError[], outcome: EndpointOutcome): EndpointResult => {
    const cost: QueryCost = {
      requestedQueryCost: requested,
      actualQueryCost: null,
      throttleStatus: shop.bucket.status(now),
    };
    return {
      body: { errors, extensions: { cost } },
      outcome,
      executed: false,
      requestedCost: requested,
      actualCost: null,
      errorCodes: errorCodes(errors),
    };
  };
  if (requested > SINGLE_QUERY_MAX_COST) {
    const message = `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\n${MAX_COST_DOCS}`;
    const extensions = { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: SINGLE_QUERY_MAX_COST };
    return unspent([{ message, extensions }], "max-cost-exceeded");
  }
  if (!shop.bucket.tryTake(requested, now)) {
    const extensions = { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" };
    return unspent([{ message: "Throttled", extensions }], "throttled");
  }

  const result = executeAdminOperation(shop, env, document, operation, variables);
  const actual = Math.min(requested, actualQueryCost(costContext, result.data));
  shop.bucket.refund(requested - actual, env.now());
  const cost: QueryCost = {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: shop.bucket.status(env.now()),
  };
  const errors = result.errors?.map(formatError) ?? [];
  const json: Record<string, unknown> = {};
  if (errors.length > 0) json["errors"] = errors;
  json["data"] = result.data ?? null;
  json["extensions"] = { cost };
  return {
    body: json,
    outcome: errors.length > 0 ? "graphql-errors" : "ok",
    executed: true,
    requestedCost: requested,
    actualCost: actual,
    errorCodes: errorCodes(errors),
  };
}

/**
 * Executes one operation of a validated document with coerced variables
 * against the shop's state: the resolvers every request uses, with the shop's
 * scopes. No cost, no bucket (callers decide; bulk operation lines skip both).
 */
export function executeAdminOperation(
  shop: EndpointShop,
  env: EndpointEnvironment,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] } {
  const { store } = shop;
  const contextValue: ResolverContext = {
    store,
    bulkTiming: env.bulkTiming,
    appId: env.app.id,
    app: env.app,
    scopes: shop.scopes,
    storage: env.storage,
    stagedUploadMaxBytes: env.stagedUploadMaxBytes,
  };
  // Only the selected operation: graphql-js would otherwise insist on an operationName.
  const single: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  const result = execute({
    schema: adminSchema(),
    document: single,
    rootValue: operation.operation === "mutation" ? mutationRoot(store) : queryRoot(store, env.app),
    contextValue,
    variableValues: variables,
    fieldResolver,
    typeResolver,
  });
  if (result instanceof Promise) throw new Error("simulator resolvers must be synchronous");
  return result;
}
