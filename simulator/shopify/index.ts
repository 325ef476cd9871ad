/**
 * Local simulator of the Shopify Admin GraphQL API (version 2026-07), shared
 * by the vitest suites (through msw) and the demo.
 *
 *   const sim = new ShopifySimulator({ clock: new ManualClock().now });
 *   const shop = seedDemoShop(sim, { domain: "demo.myshopify.com", plan: "standard" });
 *   server.use(...shopifyAdminHandlers(sim));
 */
export { ShopifySimulator, normaliseShopDomain, CheckoutError } from "./simulator";
export type {
  GraphQLRequestBody,
  GraphQLResponseBody,
  RequestLogEntry,
  RequestOutcome,
  ShopRegistration,
  SimulatorOptions,
  SimulatorRequest,
  SimulatorResponse,
} from "./simulator";
export { shopifyAdminHandlers, ADMIN_GRAPHQL_URL } from "./msw";
export { seedDemoShop } from "./seed";
export type { DemoSeedOptions, DemoShopSummary } from "./seed";
export { ManualClock, systemClock, DEFAULT_MANUAL_CLOCK_START } from "./clock";
export type { Clock } from "./clock";
export {
  LeakyBucket,
  PLAN_LIMITS,
  MUTATION_COST,
  SINGLE_QUERY_MAX_COST,
  requestedQueryCost,
  actualQueryCost,
} from "./cost";
export type { CostContext, PlanLimits, QueryCost, ShopPlan, ThrottleStatus } from "./cost";
export { ADMIN_API_VERSION, adminSchema, adminSchemaPath, checkAdminDocument, validateAdminDocument } from "./schema";
export type { CheckedDocument } from "./schema";
export type { Fault, FaultMatch } from "./faults";
export { MAX_INPUT_ARRAY_SIZE } from "./input-limits";
export type { PlaceOrderInput } from "./checkout";
export { ShopStore } from "./store";
export type * from "./store";
export { gid, parseGid } from "./ids";
export { NOT_MODELLED_CODE } from "./resolvers";
export { setupFetchOnlyServer } from "./fetch-only-server";
export {
  SimulatedCloudStorage,
  sharedCloudStorage,
  STAGED_UPLOADS_URL,
  BULK_RESULTS_URL_PREFIX,
  MAX_STAGED_UPLOAD_BYTES,
} from "./cloud-storage";
export type { StagedUploadParameter, StorageResponse } from "./cloud-storage";
export { DEFAULT_BULK_OPERATION_TIMING } from "./bulk-operations";
export type { BulkOperationTiming } from "./bulk-operations";
export { MAX_CONCURRENT_BULK_MUTATIONS } from "./resolvers";
