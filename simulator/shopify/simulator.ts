/**
 * A local stand-in for Shopify's Admin GraphQL endpoint
 * (`POST https://<shop>.myshopify.com/admin/api/2026-07/graphql.json`).
 *
 * One request goes through the same gates as at Shopify, in the same order:
 * shop exists (404) → injected faults → API version → access token (401) →
 * parse + validate against the vendored schema → variables → input array
 * limits → requested cost (single-query max, then the shop's leaky bucket:
 * THROTTLED) → execute → refund (requested − actual) → respond with
 * `extensions.cost`. Every request is recorded in `requestLog`.
 */
import {
  DEFAULT_BULK_OPERATION_TIMING,
  failBulkOperation,
  processBulkOperations,
  type BulkOperationTiming,
} from "./bulk-operations";
import { CheckoutError, placeOrder, type PlaceOrderInput } from "./checkout";
import { systemClock, type Clock } from "./clock";
import { MAX_STAGED_UPLOAD_BYTES, sharedCloudStorage, type SimulatedCloudStorage } from "./cloud-storage";
import { LeakyBucket, PLAN_LIMITS, type ShopPlan, type ThrottleStatus } from "./cost";
import { BAD_GATEWAY_HTML, INVALID_TOKEN_MESSAGE } from "./errors";
import { FaultQueue, statusBody, type Fault, type FaultMatch, type RequestFacts } from "./faults";
import {
  answerGraphQL,
  parseBody,
  requestFacts,
  type EndpointOutcome,
  type GraphQLRequestBody,
  type GraphQLResponseBody,
} from "./graphql-endpoint";
import type { AppIdentity, BulkCodeTiming } from "./resolvers";
import { ADMIN_API_VERSION } from "./schema";
import { idOf } from "./ids";
import { expandScopes } from "./scopes";
import { ShopStore, type BulkOperationErrorCode, type BulkOperationRecord, type OrderRecord } from "./store";

export { CheckoutError };

export interface ShopRegistration {
  /** `my-shop.myshopify.com` (a bare `my-shop` is completed). */
  readonly domain: string;
  readonly accessToken: string;
  readonly plan?: ShopPlan;
  /** Granted access scopes; omit to grant everything. */
  readonly scopes?: readonly string[];
  readonly name?: string;
  readonly email?: string;
  readonly currencyCode?: string;
  readonly ianaTimezone?: string;
}

export interface SimulatorOptions {
  /** Milliseconds since the epoch; inject a ManualClock's `now` in tests. */
  readonly clock?: Clock;
  /** The only API version served (default: the app's pinned version). */
  readonly apiVersion?: string;
  /** Pace of asynchronous redeem-code imports. */
  readonly bulkCodes?: Partial<BulkCodeTiming>;
  /** The app the requests come from (ids for `$app` namespaces, currentAppInstallation). */
  readonly app?: Partial<AppIdentity>;
  /** Pace of bulk mutation operations (default: start after 1 s, then 1000 lines/s). */
  readonly bulkOperations?: Partial<BulkOperationTiming>;
  /** Largest file a staged upload accepts (default: Shopify's 100 MB). */
  readonly stagedUploadMaxBytes?: number;
  /**
   * Staged uploads and bulk results. Default: one storage shared by every simulator in the process,
   * so the storage handlers of any simulator's msw setup serve them all.
   */
  readonly storage?: SimulatedCloudStorage;
}

export type { GraphQLRequestBody, GraphQLResponseBody };

export interface SimulatorRequest {
  readonly shop: string;
  readonly apiVersion: string;
  readonly accessToken: string | null | undefined;
  /** Raw request body text, or the already-parsed JSON body. */
  readonly body: string | GraphQLRequestBody;
  /** Aborting it ends a request that a `timeout` fault holds open. */
  readonly signal?: AbortSignal;
}

export interface SimulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value, or a string for non-JSON error pages (e.g. a 502 from the edge). */
  readonly body: unknown;
  /** The exchange fails below HTTP: `fetch` must reject. */
  readonly networkError?: true;
}

export type RequestOutcome =
  EndpointOutcome | "unknown-shop" | "unauthorized" | "unsupported-api-version" | "bad-request" | "fault";

export interface RequestLogEntry {
  readonly seq: number;
  readonly at: number;
  readonly shop: string;
  readonly apiVersion: string;
  readonly operationName: string | null;
  readonly operationType: "query" | "mutation" | "subscription" | null;
  readonly rootFields: readonly string[];
  readonly variables: unknown;
  /** HTTP status the caller saw; 0 when it saw no response (network error or hang). */
  readonly status: number;
  readonly outcome: RequestOutcome;
  readonly executed: boolean;
  readonly fault: Fault["kind"] | null;
  readonly requestedCost: number | null;
  readonly actualCost: number | null;
  readonly errorCodes: readonly string[];
}

interface ShopEntry {
  readonly store: ShopStore;
  readonly accessToken: string;
  readonly bucket: LeakyBucket;
  readonly faults: FaultQueue;
  readonly scopes: ReadonlySet<string> | undefined;
  /** Test hook: bulk operations stay where they are (see holdBulkOperations). */
  bulkOperationsHeld: boolean;
}

const DEFAULT_APP: AppIdentity = {
  id: "4242424242",
  title: "Promo Codes",
  handle: "promo-codes",
  apiKey: "simulated-api-key",
};

export function normaliseShopDomain(shop: string): string {
  const domain = shop
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
  return domain.includes(".") ? domain : `${domain}.myshopify.com`;
}

function jsonHeaders(
  requestId: string,
  apiVersion: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "content-type": "application/json; charset=utf-8",
    "x-request-id": requestId,
    "x-shopify-api-version": apiVersion,
    ...extra,
  };
}

export class ShopifySimulator {
  readonly clock: Clock;
  readonly apiVersion: string;
  readonly bulkTiming: BulkCodeTiming;
  readonly bulkOperationTiming: BulkOperationTiming;
  readonly stagedUploadMaxBytes: number;
  readonly storage: SimulatedCloudStorage;
  readonly app: AppIdentity;
  /** Every request, in arrival order. */
  readonly requestLog: RequestLogEntry[] = [];
  private readonly shopsByDomain = new Map<string, ShopEntry>();
  private readonly hanging = new Set<() => void>();
  private seq = 0;

  /** For the endpoint: the simulator's clock as `now()`. */
  readonly now = (): number => this.clock();

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.apiVersion = options.apiVersion ?? ADMIN_API_VERSION;
    this.bulkTiming = { startDelayMs: 1000, codesPerSecond: 100, ...options.bulkCodes };
    this.bulkOperationTiming = { ...DEFAULT_BULK_OPERATION_TIMING, ...options.bulkOperations };
    this.stagedUploadMaxBytes = options.stagedUploadMaxBytes ?? MAX_STAGED_UPLOAD_BYTES;
    this.storage = options.storage ?? sharedCloudStorage();
    this.app = { ...DEFAULT_APP, ...options.app };
  }

  // ---- shops --------------------------------------------------------------

  registerShop(registration: ShopRegistration): ShopStore {
    const domain = normaliseShopDomain(registration.domain);
    if (this.shopsByDomain.has(domain)) throw new Error(`shop ${domain} is already registered`);
    const plan = registration.plan ?? "standard";
    const handle = domain.replace(/\.myshopify\.com$/, "");
    const store = new ShopStore(
      {
        domain,
        plan,
        name: registration.name ?? handle.replace(/[-_]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase()),
        email: registration.email ?? `owner@${handle}.example`,
        currencyCode: registration.currencyCode ?? "USD",
        ianaTimezone: registration.ianaTimezone ?? "Etc/UTC",
      },
      this.clock,
    );
    this.shopsByDomain.set(domain, {
      store,
      accessToken: registration.accessToken,
      bucket: new LeakyBucket(PLAN_LIMITS[plan], this.clock()),
      faults: new FaultQueue(),
      scopes: registration.scopes ? expandScopes(registration.scopes) : undefined,
      bulkOperationsHeld: false,
    });
    return store;
  }

  hasShop(shop: string): boolean {
    return this.shopsByDomain.has(normaliseShopDomain(shop));
  }

  shops(): string[] {
    return [...this.shopsByDomain.keys()];
  }

  private entry(shop: string): ShopEntry {
    const entry = this.shopsByDomain.get(normaliseShopDomain(shop));
    if (!entry) throw new Error(`shop ${shop} is not registered with the simulator`);
    return entry;
  }

  /** The shop's state, with background work (bulk code imports, bulk operations) brought up to now. */
  state(shop: string): ShopStore {
    const entry = this.entry(shop);
    this.processBackground(entry);
    return entry.store;
  }

  private processBackground(entry: ShopEntry): void {
    entry.store.processBulkCreations(this.bulkTiming);
    if (!entry.bulkOperationsHeld) processBulkOperations(entry, this);
  }

  // ---- bulk operations ------------------------------------------------------

  /** The shop's bulk operations in creation order, brought up to now. */
  bulkOperations(shop: string): BulkOperationRecord[] {
    return [...this.state(shop).bulkOperations.values()];
  }

  /** One of the shop's bulk operations by gid (or numeric id), brought up to now. */
  bulkOperation(shop: string, id: string): BulkOperationRecord | undefined {
    return this.state(shop).bulkOperations.get(idOf(id, "BulkOperation") ?? id);
  }

  /**
   * Test hook: a CREATED/RUNNING bulk operation fails now, after the lines due by now ran:
   * FAILED, `errorCode`, `url` null, `partialDataUrl` serving the lines executed (null when none).
   */
  failBulkOperation(
    shop: string,
    id: string,
    errorCode: BulkOperationErrorCode = "INTERNAL_SERVER_ERROR",
  ): BulkOperationRecord {
    const entry = this.entry(shop);
    this.processBackground(entry);
    const op = entry.store.bulkOperations.get(idOf(id, "BulkOperation") ?? id);
    if (!op) throw new Error(`shop ${shop} has no bulk operation ${id}`);
    failBulkOperation(this, op, errorCode);
    return op;
  }

  /**
   * Test hook: while held, the shop's bulk operations do not move (CREATED ones do not start, RUNNING ones
   * execute no lines); released, they catch up with the clock.
   */
  holdBulkOperations(shop: string, hold: boolean): void {
    this.entry(shop).bulkOperationsHeld = hold;
  }

  /** The text the shop uploaded to a staged upload target `key`; undefined when it did not (or another shop did). */
  stagedUpload(shop: string, key: string): string | undefined {
    return this.storage.stagedFile(this.entry(shop).store, key);
  }

  accessToken(shop: string): string {
    return this.entry(shop).accessToken;
  }

  throttleStatus(shop: string): ThrottleStatus {
    return this.entry(shop).bucket.status(this.clock());
  }

  /** Sets the shop's bucket to `points` (e.g. 0 to test throttling from an empty bucket). */
  setAvailablePoints(shop: string, points: number): void {
    this.entry(shop).bucket.setAvailable(points, this.clock());
  }

  /** A buyer checks out on the storefront (not an Admin API call). Throws CheckoutError when refused. */
  placeOrder(shop: string, input: PlaceOrderInput): OrderRecord {
    return placeOrder(this.state(shop), input);
  }

  // ---- faults ---------------------------------------------------------------

  injectFault(shop: string, fault: Fault, options: { times?: number; match?: FaultMatch } = {}): void {
    this.entry(shop).faults.add(fault, options.times ?? 1, options.match);
  }

  clearFaults(shop?: string): void {
    if (shop) this.entry(shop).faults.clear();
    else for (const entry of this.shopsByDomain.values()) entry.faults.clear();
  }

  pendingFaults(shop: string): number {
    return this.entry(shop).faults.pending;
  }

  /** Ends every request held open by a timeout fault (as a dropped connection). */
  releaseHangingRequests(): void {
    for (const release of [...this.hanging]) release();
  }

  // ---- requests -------------------------------------------------------------

  /** Convenience for tests: a correctly authenticated request; returns the JSON body. */
  async graphql(
    shop: string,
    query: string,
    variables?: Record<string, unknown>,
    operationName?: string,
  ): Promise<GraphQLResponseBody> {
    const response = await this.handle({
      shop,
      apiVersion: this.apiVersion,
      accessToken: this.accessToken(shop),
      body: { query, variables, operationName },
    });
    return response.body as GraphQLResponseBody;
  }

  async handle(request: SimulatorRequest): Promise<SimulatorResponse> {
    const seq = ++this.seq;
    const requestId = `sim-${seq.toString().padStart(6, "0")}`;
    const shop = normaliseShopDomain(request.shop);
    const at = this.clock();
    const body = parseBody(request.body);
    const facts = requestFacts(body);
    const log = (
      partial: Omit<RequestLogEntry, "seq" | "at" | "shop" | "apiVersion" | keyof RequestFacts | "variables">,
    ) => {
      this.requestLog.push({
        seq,
        at,
        shop,
        apiVersion: request.apiVersion,
        ...facts,
        variables: body?.variables,
        ...partial,
      });
    };
    const plain = { executed: false, fault: null, requestedCost: null, actualCost: null, errorCodes: [] } as const;

    const entry = this.shopsByDomain.get(shop);
    if (!entry) {
      log({ ...plain, status: 404, outcome: "unknown-shop" });
      return { status: 404, headers: jsonHeaders(requestId, this.apiVersion), body: { errors: "Not Found" } };
    }
    this.processBackground(entry);

    const fault = entry.faults.take(facts);
    if (fault?.kind === "status") {
      log({ ...plain, status: fault.status, outcome: "fault", fault: fault.kind });
      const extra: Record<string, string> =
        fault.status === 429 ? { "retry-after": String(fault.retryAfterSeconds ?? 2) } : {};
      return {
        status: fault.status,
        headers: jsonHeaders(requestId, this.apiVersion, extra),
        body: statusBody(fault.status),
      };
    }
    if (fault?.kind === "timeout") {
      log({ ...plain, status: 0, outcome: "fault", fault: fault.kind });
      return this.hang(request.signal);
    }

    const headers = jsonHeaders(requestId, this.apiVersion);
    const answer = (status: number, json: unknown, outcome: RequestOutcome): SimulatorResponse => {
      log({ ...plain, status, outcome });
      return { status, headers, body: json };
    };
    if (request.apiVersion !== this.apiVersion) {
      const message = `Not Found: the simulator serves Admin API version ${this.apiVersion} only; the request used "${request.apiVersion}"`;
      return answer(404, { errors: message }, "unsupported-api-version");
    }
    if (!request.accessToken || request.accessToken !== entry.accessToken) {
      return answer(401, { errors: INVALID_TOKEN_MESSAGE }, "unauthorized");
    }
    if (!body || typeof body.query !== "string" || body.query.trim() === "") {
      return answer(400, { errors: { query: "Required parameter missing or invalid" } }, "bad-request");
    }

    const result = answerGraphQL(entry, { ...body, query: body.query }, this);
    const { executed, requestedCost, actualCost, errorCodes } = result;
    if (!fault) {
      log({ status: 200, outcome: result.outcome, executed, fault: null, requestedCost, actualCost, errorCodes });
      return { status: 200, headers, body: result.body };
    }
    // The request ran (or was rejected) but its response is lost on the way back.
    log({ status: 0, outcome: "fault", executed, fault: fault.kind, requestedCost, actualCost, errorCodes });
    if (fault.kind === "executeThenNetworkError") return { status: 0, headers: {}, body: null, networkError: true };
    if (fault.kind === "executeThenTimeout") return this.hang(request.signal);
    const status = fault.status ?? 502;
    return {
      status,
      headers: { "content-type": "text/html", "x-request-id": requestId },
      body: status === 502 ? BAD_GATEWAY_HTML : JSON.stringify(statusBody(status)),
    };
  }

  private hang(signal: AbortSignal | undefined): Promise<SimulatorResponse> {
    return new Promise<SimulatorResponse>((resolve, reject) => {
      const release = () => {
        this.hanging.delete(release);
        resolve({ status: 0, headers: {}, body: null, networkError: true });
      };
      this.hanging.add(release);
      if (!signal) return;
      const onAbort = () => {
        this.hanging.delete(release);
        reject(
          signal.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted.", "AbortError"),
        );
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
