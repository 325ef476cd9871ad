// Shared arrangement for the dynamic-code tests: a shop seeded in the store simulator, customers that exist on
// both sides (our row carries the simulator customer's GID), and dynamic pools with given settings.
import { platformFor } from "../../../app/platforms/index.server";
import type { DiscountPlatform } from "../../../app/platforms/port";
import type { DynamicPoolSettingsInput } from "../../../app/domain/pools/dynamic";
import { parseDynamicSettings } from "../../../app/domain/pools/dynamic";
import { gid, type ShopifySimulator } from "../../../simulator/shopify";
import { createTestShop, type TestShop } from "../../support/shops";

export const simulator = (): ShopifySimulator => globalThis.__testSimulator!;

export interface DynamicShop extends TestShop {
  platform: DiscountPlatform;
  /** Our customer row ids, each linked to a simulator customer. */
  customers: string[];
  productGids: string[];
  variantGids: string[];
}

export async function dynamicShop(customerCount = 3): Promise<DynamicShop> {
  const shop = await createTestShop({ seed: true });
  const store = simulator().state(shop.domain);
  const simCustomers = [...store.customers.values()].slice(0, customerCount);
  const rows = await shop.db.customer.createManyAndReturn({
    data: simCustomers.map((c) => ({ shopId: shop.id, platformId: gid("Customer", c.id), email: c.email, firstName: c.firstName })),
    select: { id: true },
  });
  const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
  return {
    ...shop,
    platform,
    customers: rows.map((r) => r.id),
    productGids: [...store.products.keys()].map((id) => gid("Product", id)),
    variantGids: [...store.variants.keys()].map((id) => gid("ProductVariant", id)),
  };
}

export async function dynamicPool(shop: TestShop, settings: DynamicPoolSettingsInput, name = `Dyn ${Math.random().toString(36).slice(2, 8)}`) {
  const parsed = parseDynamicSettings(settings);
  if (parsed.type !== "valid") throw new Error(`bad settings: ${JSON.stringify(parsed.errors)}`);
  return shop.db.pool.create({ data: { shopId: shop.id, name, kind: "DYNAMIC", dynamicConfig: parsed.settings } });
}

/** Discounts this app created on the simulated store (the merchant's seeded ones excluded). */
export function appDiscounts(shop: TestShop) {
  const store = simulator().state(shop.domain);
  return [...store.discounts.values()].filter((d) => store.discountCodes(d).some((c) => c.createdBy !== null));
}

export function executedCreates(shop: TestShop): number {
  return simulator().requestLog.filter(
    (e) => e.shop === shop.domain && e.executed && (e.rootFields.includes("discountCodeBasicCreate") || e.rootFields.includes("discountCodeFreeShippingCreate")),
  ).length;
}

export const noSleep = async () => undefined;

/** A platform whose createDynamicCode runs `around` instead, given the real one. */
export function wrapCreate(
  platform: DiscountPlatform,
  around: (real: DiscountPlatform["createDynamicCode"], spec: Parameters<DiscountPlatform["createDynamicCode"]>[0], call: number) => ReturnType<DiscountPlatform["createDynamicCode"]>,
): DiscountPlatform {
  let calls = 0;
  return new Proxy(platform, {
    get(target, property, receiver) {
      if (property === "createDynamicCode") {
        return (spec: Parameters<DiscountPlatform["createDynamicCode"]>[0]) => around((s) => target.createDynamicCode(s), spec, ++calls);
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
