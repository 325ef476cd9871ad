// Magento shops for tests: a Shop row (platform MAGENTO), a store registered in the Magento simulator behind msw
// (test/setup/unit.ts), and, unless told otherwise, a connection saved through the real service (tested on save).
import { randomUUID } from "node:crypto";
import type { DynamicCodeSpec } from "../../../app/platforms/port";
import { MagentoPlatform } from "../../../app/platforms/magento/adapter.server";
import { MagentoRestClient, type MagentoClientOptions } from "../../../app/platforms/magento/rest-client.server";
import { saveMagentoConnection } from "../../../app/services/platform-connections.server";
import type { MagentoSimulator, MagentoStore, StoreRegistration } from "../../../simulator/magento";
import { createTestShop, type TestShop } from "../../support/shops";

export const magento = (): MagentoSimulator => {
  const sim = globalThis.__testMagentoSimulator;
  if (!sim) throw new Error("The Magento simulator is not installed (test/setup/unit.ts)");
  return sim;
};

export interface MagentoTestShop extends TestShop {
  baseUrl: string;
  token: string;
  store: MagentoStore;
  /** The events signing secret generated when the connection was saved. */
  eventsSecret: string | null;
}

export async function createMagentoShop(
  options: { connect?: boolean; registration?: Partial<StoreRegistration>; websiteIds?: string; customerGroupIds?: string } = {},
): Promise<MagentoTestShop> {
  const shop = await createTestShop({ platform: "MAGENTO" });
  const baseUrl = `https://m-${randomUUID().slice(0, 12)}.magento.test`;
  const token = `intg_${randomUUID().replaceAll("-", "")}`;
  const store = magento().registerStore({ baseUrl, token, name: "Maple Outfitters", currency: "EUR", timezone: "Europe/Paris", ...options.registration });
  let eventsSecret: string | null = null;
  if (options.connect !== false) {
    const saved = await saveMagentoConnection(shop.db, shop.id, {
      baseUrl,
      storeCode: "default",
      token,
      websiteIds: options.websiteIds ?? "1",
      customerGroupIds: options.customerGroupIds ?? "0, 1",
    });
    if (saved.type !== "saved") throw new Error(`connection not saved: ${JSON.stringify(saved)}`);
    eventsSecret = saved.eventsSecret;
  }
  return { ...shop, baseUrl, token, store, eventsSecret };
}

/** Fast retries for tests: no real waiting between attempts. */
export const FAST: MagentoClientOptions = { sleep: () => Promise.resolve(), backoffMs: () => 0 };

export function adapterFor(shop: MagentoTestShop, options: MagentoClientOptions = {}, settings = { websiteIds: [1], customerGroupIds: [0, 1] }) {
  const client = new MagentoRestClient({ baseUrl: shop.baseUrl, storeCode: "default", token: shop.token }, { ...FAST, ...options });
  return new MagentoPlatform(client, settings, { retryDelayMs: 0 });
}

export function requestsTo(shop: MagentoTestShop, method: string, path: string | RegExp) {
  return magento().requestLog.filter(
    (e) => e.baseUrl === shop.baseUrl && e.method === method && (typeof path === "string" ? e.path === path : path.test(e.path)),
  );
}

export function dynamicSpec(overrides: Partial<DynamicCodeSpec> = {}): DynamicCodeSpec {
  return {
    code: `DYN${randomUUID().slice(0, 7).toUpperCase()}`,
    groupKey: `pool-${randomUUID().slice(0, 8)}:v1`,
    title: "Welcome back",
    value: { type: "percentage", percent: 15 },
    target: { type: "order" },
    customerId: "42",
    usageLimit: 1,
    oncePerCustomer: true,
    minimumSubtotal: null,
    startsAt: new Date("2026-11-21T23:30:00Z"),
    endsAt: new Date("2026-11-28T23:30:00Z"),
    combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true },
    ...overrides,
  };
}
