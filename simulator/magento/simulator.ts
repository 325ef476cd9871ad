/**
 * A local stand-in for a Magento 2 / Adobe Commerce REST API (`https://<host>/rest/<store_code>/V1/...`), used by
 * the vitest suites and the browser tests through msw. One request goes through Magento's gates in its order:
 * known host (else the connection fails) → injected faults (the web server in front) → store code and route
 * (404 "Request does not match any route.") → bearer token and the route's ACL resource (401) → JSON body
 * ("Decoding error.") → parameters deserialised against the data interfaces (contract.ts) → the service's own
 * rules (store.ts) → the JSON answer. Every request is recorded in `requestLog`.
 */
import { COUPON, COUPON_SPEC, processInput, RULE, type MethodParam } from "./contract";
import { MagentoHttpError, noRoute, unauthorized } from "./errors";
import { edgeErrorPage, MagentoFaultQueue, type MagentoFault, type MagentoFaultMatch } from "./faults";
import { parseBracketQuery, readSearchCriteria, search, type Columns } from "./search-criteria";
import { MagentoStore, type Coupon, type Order, type Product, type SalesRule, type StoreView } from "./store";

export type Clock = () => number;
const systemClock: Clock = () => Date.now();

/** ACL resources of the routes the simulator serves (webapi.xml of each module). */
export const RESOURCES = {
  salesRules: "Magento_SalesRule::quote",
  orders: "Magento_Sales::actions_view",
  products: "Magento_Catalog::products",
  stores: "Magento_Backend::store",
} as const;

export interface StoreRegistration {
  /** Where Magento is installed, e.g. `https://shop.example` or `https://example.com/magento`. */
  readonly baseUrl: string;
  readonly token: string;
  readonly name?: string;
  readonly currency?: string;
  readonly timezone?: string;
  readonly locale?: string;
  /** Store view codes; the first is the default store. Default: ["default"]. */
  readonly storeCodes?: readonly string[];
  /**
   * Since Magento 2.4.4 an integration's access token is refused as a plain bearer token unless
   * Stores > Configuration > Services > OAuth > "Allow OAuth Access Tokens to be used as standalone Bearer tokens"
   * is Yes. Default true (the setting is on).
   */
  readonly bearerIntegrationTokens?: boolean;
  /** ACL resources granted to the integration; default all. */
  readonly resources?: readonly string[];
}

export interface MagentoRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null | undefined;
  readonly body?: string | null;
  readonly signal?: AbortSignal;
}

export interface MagentoResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON value, or a string for an HTML error page from the web server. */
  readonly body: unknown;
  readonly networkError?: true;
}

export type MagentoOutcome = "ok" | "error" | "unauthorized" | "no-route" | "fault" | "unknown-host";

export interface MagentoLogEntry {
  readonly seq: number;
  readonly at: number;
  readonly baseUrl: string | null;
  readonly storeCode: string | null;
  readonly method: string;
  /** The route part after `/V1`, e.g. `/coupons`. */
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly input: unknown;
  readonly status: number;
  readonly outcome: MagentoOutcome;
  readonly executed: boolean;
  readonly fault: MagentoFault["kind"] | null;
  readonly message: string | null;
}

interface StoreEntry {
  readonly registration: StoreRegistration;
  readonly baseUrl: string;
  readonly store: MagentoStore;
  readonly faults: MagentoFaultQueue;
}

interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly pattern: RegExp;
  readonly resource: string;
  readonly params: readonly MethodParam[];
  run(store: MagentoStore, input: Record<string, unknown>, path: string[]): unknown;
}

const mixed = { kind: "mixed" } as const;
const searchParam: MethodParam = { name: "searchCriteria", type: mixed };

function searchResult<T>(page: { items: T[]; totalCount: number; echo: Record<string, unknown> }, render: (row: T) => unknown) {
  return { items: page.items.map(render), search_criteria: page.echo, total_count: page.totalCount };
}

const RULE_COLUMNS: Columns<SalesRule> = {
  rule_id: (r) => r.rule_id,
  name: (r) => r.name,
  description: (r) => r.description,
  from_date: (r) => r.from_date,
  to_date: (r) => r.to_date,
  is_active: (r) => r.is_active,
  sort_order: (r) => r.sort_order,
  simple_action: (r) => r.simple_action,
  times_used: (r) => r.times_used,
  // The column holds Magento\SalesRule\Model\Rule's integers; the API's names are mapped only on output.
  coupon_type: (r) => ({ NO_COUPON: 1, SPECIFIC_COUPON: 2, AUTO: 3 })[r.coupon_type],
  use_auto_generation: (r) => r.use_auto_generation,
};

const COUPON_COLUMNS: Columns<Coupon> = {
  coupon_id: (c) => c.coupon_id,
  rule_id: (c) => c.rule_id,
  code: (c) => c.code,
  usage_limit: (c) => c.usage_limit,
  usage_per_customer: (c) => c.usage_per_customer,
  times_used: (c) => c.times_used,
  expiration_date: (c) => c.expiration_date,
  is_primary: (c) => c.is_primary,
  created_at: (c) => c.created_at,
  type: (c) => c.type,
};

const ORDER_COLUMNS: Columns<Order> = {
  entity_id: (o) => o.entity_id,
  increment_id: (o) => o.increment_id,
  state: (o) => o.state,
  status: (o) => o.status,
  created_at: (o) => o.created_at,
  updated_at: (o) => o.updated_at,
  customer_id: (o) => o.customer_id,
  customer_email: (o) => o.customer_email,
  coupon_code: (o) => o.coupon_code,
  store_id: (o) => o.store_id,
  grand_total: (o) => o.grand_total,
};

const PRODUCT_COLUMNS: Columns<Product> = {
  entity_id: (p) => p.id,
  sku: (p) => p.sku,
  name: (p) => p.name,
  type_id: (p) => p.type_id,
  status: (p) => p.status,
  price: (p) => p.price,
  created_at: (p) => p.created_at,
  updated_at: (p) => p.updated_at,
};

function renderProduct(p: Product) {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    attribute_set_id: p.attribute_set_id,
    price: p.price,
    status: p.status,
    visibility: 4,
    type_id: p.type_id,
    created_at: p.created_at,
    updated_at: p.updated_at,
    extension_attributes: {
      website_ids: [1],
      category_links: p.category_ids.map((id, position) => ({ position, category_id: String(id) })),
    },
    custom_attributes: [{ attribute_code: "category_ids", value: p.category_ids.map(String) }],
  };
}

function intPath(value: string | undefined): number {
  if (!value || !/^\d+$/.test(value)) {
    throw new MagentoHttpError(400, { message: `Invalid type for value: "${value ?? ""}". Expected Type: "int".` });
  }
  return Number(value);
}

const ROUTES: readonly Route[] = [
  {
    method: "GET",
    pattern: /^\/store\/storeViews$/,
    resource: RESOURCES.stores,
    params: [],
    run: (store) => store.info.views,
  },
  {
    method: "GET",
    pattern: /^\/store\/storeGroups$/,
    resource: RESOURCES.stores,
    params: [],
    run: (store) => [{ id: 1, website_id: 1, root_category_id: 2, default_store_id: 1, name: store.info.name, code: "main_website_store" }],
  },
  {
    method: "GET",
    pattern: /^\/store\/storeConfigs$/,
    resource: RESOURCES.stores,
    params: [{ name: "storeCodes", type: { kind: "array", of: { kind: "string" } }, defaultValue: null }],
    run: (store, input) => {
      const codes = input.storeCodes as string[] | null;
      return store.info.views
        .filter((v) => !codes || codes.includes(v.code))
        .map((v) => ({
          id: v.id,
          code: v.code,
          website_id: v.website_id,
          locale: store.info.locale,
          base_currency_code: store.info.currency,
          default_display_currency_code: store.info.currency,
          timezone: store.info.timezone,
          weight_unit: "lbs",
          base_url: `${store.info.baseUrl}/`,
          base_link_url: `${store.info.baseUrl}/`,
          secure_base_url: `${store.info.baseUrl}/`,
          secure_base_link_url: `${store.info.baseUrl}/`,
        }));
    },
  },
  {
    method: "GET",
    pattern: /^\/salesRules\/search$/,
    resource: RESOURCES.salesRules,
    params: [searchParam],
    run: (store, input) => searchResult(search([...store.rules.values()], readSearchCriteria(input.searchCriteria), RULE_COLUMNS, "rule_id"), (r) => r),
  },
  {
    method: "GET",
    pattern: /^\/salesRules\/([^/]+)$/,
    resource: RESOURCES.salesRules,
    params: [],
    run: (store, _input, path) => store.getRule(intPath(path[0])),
  },
  {
    method: "POST",
    pattern: /^\/salesRules$/,
    resource: RESOURCES.salesRules,
    params: [{ name: "rule", type: { kind: "object", spec: RULE } }],
    run: (store, input) => store.saveRule(input.rule as Record<string, unknown>),
  },
  {
    method: "DELETE",
    pattern: /^\/salesRules\/([^/]+)$/,
    resource: RESOURCES.salesRules,
    params: [],
    run: (store, _input, path) => store.deleteRule(intPath(path[0])),
  },
  {
    method: "GET",
    pattern: /^\/coupons\/search$/,
    resource: RESOURCES.salesRules,
    params: [searchParam],
    run: (store, input) =>
      searchResult(search([...store.coupons.values()], readSearchCriteria(input.searchCriteria), COUPON_COLUMNS, "coupon_id"), (c) => c),
  },
  {
    method: "POST",
    pattern: /^\/coupons\/generate$/,
    resource: RESOURCES.salesRules,
    params: [{ name: "couponSpec", type: { kind: "object", spec: COUPON_SPEC } }],
    run: (store, input) => store.generateCoupons(input.couponSpec as Parameters<MagentoStore["generateCoupons"]>[0]),
  },
  {
    method: "POST",
    pattern: /^\/coupons\/deleteByCodes$/,
    resource: RESOURCES.salesRules,
    params: [
      { name: "codes", type: { kind: "array", of: { kind: "string" } } },
      { name: "ignoreInvalidCoupons", type: { kind: "bool" }, defaultValue: true },
    ],
    run: (store, input) => store.massDeleteCoupons("code", input.codes as string[], input.ignoreInvalidCoupons as boolean),
  },
  {
    method: "POST",
    pattern: /^\/coupons\/deleteByIds$/,
    resource: RESOURCES.salesRules,
    params: [
      { name: "ids", type: { kind: "array", of: { kind: "int" } } },
      { name: "ignoreInvalidCoupons", type: { kind: "bool" }, defaultValue: true },
    ],
    run: (store, input) => store.massDeleteCoupons("coupon_id", input.ids as number[], input.ignoreInvalidCoupons as boolean),
  },
  {
    method: "GET",
    pattern: /^\/coupons\/([^/]+)$/,
    resource: RESOURCES.salesRules,
    params: [],
    run: (store, _input, path) => store.getCoupon(intPath(path[0])),
  },
  {
    method: "POST",
    pattern: /^\/coupons$/,
    resource: RESOURCES.salesRules,
    params: [{ name: "coupon", type: { kind: "object", spec: COUPON } }],
    run: (store, input) => store.saveCoupon(input.coupon as Record<string, unknown>),
  },
  {
    method: "DELETE",
    pattern: /^\/coupons\/([^/]+)$/,
    resource: RESOURCES.salesRules,
    params: [],
    run: (store, _input, path) => {
      const coupon = store.getCoupon(intPath(path[0]));
      store.coupons.delete(coupon.coupon_id);
      return true;
    },
  },
  {
    method: "GET",
    pattern: /^\/orders$/,
    resource: RESOURCES.orders,
    params: [searchParam],
    run: (store, input) => searchResult(search([...store.orders.values()], readSearchCriteria(input.searchCriteria), ORDER_COLUMNS, "entity_id"), (o) => o),
  },
  {
    method: "GET",
    pattern: /^\/products$/,
    resource: RESOURCES.products,
    params: [searchParam],
    run: (store, input) =>
      searchResult(search([...store.products.values()], readSearchCriteria(input.searchCriteria), PRODUCT_COLUMNS, "entity_id"), renderProduct),
  },
];

/** Routes Magento has but the simulator does not model: answered with a clear 501 rather than a false 404. */
const UNMODELLED = /^\/(salesRules\/[^/]+|coupons\/[^/]+)$/;

export class MagentoSimulator {
  readonly requestLog: MagentoLogEntry[] = [];
  private readonly stores = new Map<string, StoreEntry>();
  private readonly clock: Clock;
  private seq = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  registerStore(registration: StoreRegistration): MagentoStore {
    const baseUrl = normaliseBaseUrl(registration.baseUrl);
    const codes = registration.storeCodes?.length ? registration.storeCodes : ["default"];
    const views: StoreView[] = codes.map((code, i) => ({
      id: i + 1,
      code,
      name: i === 0 ? "Default Store View" : code,
      website_id: 1,
      store_group_id: 1,
      is_active: 1,
    }));
    const store = new MagentoStore(
      {
        name: registration.name ?? "Main Website Store",
        currency: registration.currency ?? "USD",
        timezone: registration.timezone ?? "America/Chicago",
        locale: registration.locale ?? "en_US",
        views,
        baseUrl,
      },
      this.clock,
    );
    this.stores.set(baseUrl, { registration, baseUrl, store, faults: new MagentoFaultQueue() });
    return store;
  }

  /** The store's state, for tests: rules, coupons, products, orders. */
  state(baseUrl: string): MagentoStore {
    return this.entry(baseUrl).store;
  }

  injectFault(baseUrl: string, fault: MagentoFault, options: { times?: number; match?: MagentoFaultMatch } = {}): void {
    this.entry(baseUrl).faults.add(fault, options.times ?? 1, options.match);
  }

  pendingFaults(baseUrl: string): number {
    return this.entry(baseUrl).faults.pending;
  }

  /** Changes the OAuth bearer setting of a registered store (the merchant fixes their configuration). */
  setBearerIntegrationTokens(baseUrl: string, allowed: boolean): void {
    const entry = this.entry(baseUrl);
    this.stores.set(entry.baseUrl, { ...entry, registration: { ...entry.registration, bearerIntegrationTokens: allowed } });
  }

  private entry(baseUrl: string): StoreEntry {
    const entry = this.stores.get(normaliseBaseUrl(baseUrl));
    if (!entry) throw new Error(`No Magento store registered at ${baseUrl}`);
    return entry;
  }

  private resolve(url: URL): { entry: StoreEntry; rest: string } | null {
    const full = `${url.origin}${url.pathname}`;
    for (const entry of this.stores.values()) {
      if (full.startsWith(`${entry.baseUrl}/rest/`)) return { entry, rest: full.slice(entry.baseUrl.length + "/rest/".length) };
    }
    return null;
  }

  async handle(request: MagentoRequest): Promise<MagentoResponse> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const query = parseBracketQuery(url.searchParams);
    const resolved = this.resolve(url);
    const log = (entry: Partial<MagentoLogEntry> & Pick<MagentoLogEntry, "status" | "outcome" | "executed">) => {
      this.requestLog.push({
        seq: ++this.seq,
        at: this.clock(),
        baseUrl: resolved?.entry.baseUrl ?? null,
        storeCode: null,
        method,
        path: url.pathname,
        query,
        input: null,
        fault: null,
        message: null,
        ...entry,
      });
    };
    if (!resolved) {
      log({ status: 0, outcome: "unknown-host", executed: false });
      return { status: 0, headers: {}, body: null, networkError: true };
    }
    const { entry } = resolved;
    const segments = resolved.rest.split("/");
    const views = entry.store.info.views;
    let storeCode = views[0]!.code;
    if (segments[0] !== "V1") storeCode = segments.shift() ?? "";
    const path = segments[0] === "V1" ? `/${segments.slice(1).join("/")}` : null;
    const fault = entry.faults.take(method, path ?? url.pathname);

    if (fault?.kind === "timeout") {
      log({ storeCode, path: path ?? url.pathname, status: 0, outcome: "fault", executed: false, fault: fault.kind });
      return waitForAbort(request.signal);
    }
    if (fault?.kind === "status") {
      const status = fault.status;
      log({ storeCode, path: path ?? url.pathname, status, outcome: "fault", executed: false, fault: fault.kind });
      if (status === 429) {
        return {
          status,
          headers: { "retry-after": String(fault.retryAfterSeconds ?? 1), "content-type": "application/json" },
          body: { message: "Too Many Requests" },
        };
      }
      return { status, headers: { "content-type": "text/html" }, body: edgeErrorPage(status) };
    }

    const known = storeCode === "all" || views.some((v) => v.code === storeCode);
    let result: { status: number; body: unknown; executed: boolean; input: unknown; outcome: MagentoOutcome };
    try {
      result = this.execute(entry, method, known ? path : null, query, request);
    } catch (error) {
      if (!(error instanceof MagentoHttpError)) throw error;
      const outcome: MagentoOutcome = error.status === 401 ? "unauthorized" : error.status === 404 && error.body.message.startsWith("Request does not match") ? "no-route" : "error";
      result = { status: error.status, body: error.body, executed: false, input: null, outcome };
    }

    const logged = { storeCode, path: path ?? url.pathname, input: result.input, executed: result.executed };
    const message = typeof result.body === "object" && result.body && "message" in result.body ? String((result.body as { message: unknown }).message) : null;
    if (fault) {
      log({ ...logged, status: 0, outcome: "fault", fault: fault.kind, message });
      if (fault.kind === "executeThenNetworkError") return { status: 0, headers: {}, body: null, networkError: true };
      if (fault.kind === "executeThenTimeout") return waitForAbort(request.signal);
      const status = fault.kind === "executeThenFail" ? (fault.status ?? 502) : 502;
      return { status, headers: { "content-type": "text/html" }, body: edgeErrorPage(status) };
    }
    log({ ...logged, status: result.status, outcome: result.outcome, message });
    return { status: result.status, headers: { "content-type": "application/json; charset=utf-8" }, body: result.body };
  }

  private execute(
    entry: StoreEntry,
    method: string,
    path: string | null,
    query: Record<string, unknown>,
    request: MagentoRequest,
  ): { status: number; body: unknown; executed: boolean; input: unknown; outcome: MagentoOutcome } {
    if (path === null) throw noRoute();
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
    if (!route) {
      if (UNMODELLED.test(path) && method === "PUT") {
        throw new MagentoHttpError(501, { message: `[simulator] ${method} /V1${path} is not modelled` });
      }
      throw noRoute();
    }
    this.authorize(entry, request.authorization, route.resource);
    let raw: Record<string, unknown> = query;
    if (method === "POST" || method === "PUT") {
      raw = parseJsonBody(request.body);
    }
    const input = processInput(route.params, raw);
    const body = route.run(entry.store, input, route.pattern.exec(path)!.slice(1));
    return { status: 200, body, executed: method !== "GET", input, outcome: "ok" };
  }

  private authorize(entry: StoreEntry, authorization: string | null | undefined, resource: string): void {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    const registration = entry.registration;
    if (!token || token !== registration.token) throw unauthorized(resource);
    if (registration.bearerIntegrationTokens === false) throw unauthorized(resource);
    if (registration.resources && !registration.resources.includes(resource)) throw unauthorized(resource);
  }
}

function parseJsonBody(body: string | null | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? "");
  } catch {
    throw new MagentoHttpError(400, { message: "Decoding error." });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new MagentoHttpError(400, { message: "[simulator] the request body must be a JSON object keyed by the method's parameter names" });
  }
  return parsed as Record<string, unknown>;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return; // hangs forever: only tests with a signal use hanging faults
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted.", "AbortError"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

export function normaliseBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
