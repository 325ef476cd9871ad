/** Shared arrangement for the Magento simulator's own tests: a fresh simulator and a store, driven directly. */
import { ManualClock } from "../../../simulator/shopify";
import { MagentoSimulator, type MagentoResponse, type StoreRegistration } from "../../../simulator/magento";

export const BASE = "https://shop.magento.test";
export const TOKEN = "integration-token-123";

export interface Harness {
  sim: MagentoSimulator;
  clock: ManualClock;
  call(method: string, path: string, options?: { body?: unknown; query?: string; token?: string | null; storeCode?: string; signal?: AbortSignal }): Promise<MagentoResponse>;
}

export function harness(registration: Partial<StoreRegistration> = {}): Harness {
  const clock = new ManualClock();
  const sim = new MagentoSimulator({ clock: clock.now });
  sim.registerStore({ baseUrl: BASE, token: TOKEN, ...registration });
  return {
    sim,
    clock,
    call: (method, path, options = {}) =>
      sim.handle({
        method,
        url: `${BASE}/rest/${options.storeCode ?? "default"}/V1${path}${options.query ? `?${options.query}` : ""}`,
        authorization: options.token === null ? null : `Bearer ${options.token ?? TOKEN}`,
        body: options.body === undefined ? null : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  };
}

/** A rule body the way the contract notes' api-functional example writes it. */
export function ruleBody(overrides: Record<string, unknown> = {}) {
  return {
    rule: {
      name: "Spring sale",
      website_ids: [1],
      customer_group_ids: [0, 1],
      uses_per_customer: 0,
      is_active: true,
      stop_rules_processing: false,
      simple_action: "by_percent",
      discount_amount: 10,
      coupon_type: "SPECIFIC_COUPON",
      use_auto_generation: false,
      uses_per_coupon: 1,
      simple_free_shipping: "0",
      ...overrides,
    },
  };
}

export function q(criteria: Record<string, string | number>): string {
  return Object.entries(criteria)
    .map(([k, v]) => `${encodeURIComponent(`searchCriteria${k}`)}=${encodeURIComponent(String(v))}`)
    .join("&");
}

export async function createRule(h: Harness, overrides: Record<string, unknown> = {}): Promise<number> {
  const response = await h.call("POST", "/salesRules", { body: ruleBody(overrides) });
  if (response.status !== 200) throw new Error(`rule not created: ${JSON.stringify(response.body)}`);
  return (response.body as { rule_id: number }).rule_id;
}
