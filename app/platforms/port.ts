// The DiscountPlatform port: what the app needs from a store's platform, in the domain's words. Shopify and
// Magento adapters implement it; services ask the registry for the shop's adapter and never branch on platform.

export type PlatformKind = "SHOPIFY" | "MAGENTO";

export interface ShopProfile {
  name: string;
  contactEmail: string | null;
  /** Plan name; decides the API restore rate on Shopify. */
  plan: string | null;
  currencyCode: string | null;
}

export type DiscountValue =
  | { type: "percentage"; percent: number }
  | { type: "fixed_amount"; amount: string }
  | { type: "free_shipping" };

export type DiscountTarget =
  | { type: "order" }
  | { type: "products"; productIds: string[]; variantIds: string[] }
  | { type: "collections"; collectionIds: string[] };

/** One unique code created on the platform for one customer (dynamic pools). */
export interface DynamicCodeSpec {
  code: string;
  /**
   * Names the settings this code shares with other codes of its pool (pool id + a hash of value, target,
   * limits and dates). Magento keeps one sales rule per group key and adds each code to it as a coupon;
   * Shopify creates one discount per code and ignores it.
   */
  groupKey: string;
  title: string;
  value: DiscountValue;
  target: DiscountTarget;
  /** Platform customer id the code is restricted to; null lets anyone holding the code use it. */
  customerId: string | null;
  usageLimit: number | null;
  oncePerCustomer: boolean;
  minimumSubtotal: string | null;
  startsAt: Date;
  endsAt: Date | null;
  combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
}

/** Expected outcomes are values with a `type`; only infrastructure failures are thrown (PlatformError). */
export type CreateCodeResult =
  | { type: "created"; platformRef: string }
  | { type: "code_taken" }
  | { type: "target_gone"; ids: string[] }
  | { type: "customer_gone" }
  | { type: "invalid"; message: string };

export interface BulkAddProgress {
  ref: string;
  done: boolean;
  total: number;
  imported: number;
  failed: { code: string; reason: string }[];
}

/** A discount (Shopify) or sales rule (Magento) static codes can be added to. */
export interface PlatformDiscount {
  id: string;
  title: string;
  status: string | null;
  kind: string;
}

/** Expected refusals of a bulk add, as values. */
export type BulkAddStart = { type: "started"; progress: BulkAddProgress } | { type: "refused"; message: string };

export interface DiscountPlatform {
  readonly kind: PlatformKind;
  describeShop(): Promise<ShopProfile>;
  listDiscounts(): Promise<PlatformDiscount[]>;
  createDynamicCode(spec: DynamicCodeSpec): Promise<CreateCodeResult>;
  /**
   * Looks a code up by its text: how a retry after a lost response learns the first attempt succeeded. Answers
   * only a code this app created as a dynamic code (of `owner.poolId`'s pool, where the platform can tell), never a
   * merchant's discount or coupon that happens to have the same text.
   */
  findCode(code: string, owner?: { poolId: string }): Promise<{ platformRef: string } | null>;
  revokeCode(platformRef: string): Promise<void>;
  /** Makes static pool codes redeemable: adds them (at most 250 a call) to an existing discount / sales rule. */
  addCodesToDiscount(discountRef: string, codes: string[]): Promise<BulkAddStart>;
  bulkAddProgress(ref: string): Promise<BulkAddProgress>;
  /** Which discount holds this code, if any. */
  discountOfCode(code: string): Promise<string | null>;
}
