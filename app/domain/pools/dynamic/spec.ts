// Turns a dynamic pool's settings and one issue (customer, triggered products, the moment) into the spec the
// platform adapter creates a code from. Pure: the code text and the time are given. Expected refusals are values.
import { createHash } from "node:crypto";
import type { DiscountTarget, DiscountValue, DynamicCodeSpec } from "../../../platforms/port";
import { codeEndsAt } from "./expiry";
import { MAX_TARGET_IDS, type DynamicPoolSettings } from "./settings";

export interface IssueFacts {
  poolId: string;
  poolName: string;
  code: string;
  /** The customer's platform id (Shopify: gid://shopify/Customer/<id>). */
  customerPlatformId: string;
  /** Products (or variants) that made the customer qualify, as platform ids. */
  triggeredProducts?: readonly string[];
  /** When the code is generated: its validity starts here, not when the pool was configured. */
  issuedAt: Date;
}

export type SpecRefusalReason = "no_triggered_products" | "too_many_products" | "pool_expired";

export type SpecResult =
  | { type: "spec"; spec: DynamicCodeSpec }
  | { type: "refused"; reason: SpecRefusalReason; message: string };

const MAX_TITLE_LENGTH = 255;

function isVariantId(id: string): boolean {
  return /(^|\/)ProductVariant\//.test(id);
}

function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.trim()).filter(Boolean))];
}

function valueOf(settings: DynamicPoolSettings): DiscountValue {
  const v = settings.value;
  switch (v.type) {
    case "percentage":
      return { type: "percentage", percent: v.percent };
    case "fixed_amount":
      return { type: "fixed_amount", amount: v.amount };
    case "free_shipping":
      return { type: "free_shipping" };
  }
}

function targetOf(
  settings: DynamicPoolSettings,
  triggered: readonly string[],
): { type: "target"; target: DiscountTarget } | { type: "refused"; reason: SpecRefusalReason; message: string } {
  const a = settings.appliesTo;
  switch (a.type) {
    case "order":
      return { type: "target", target: { type: "order" } };
    case "products":
      return { type: "target", target: { type: "products", productIds: distinct(a.productIds), variantIds: distinct(a.variantIds) } };
    case "collections":
      return { type: "target", target: { type: "collections", collectionIds: distinct(a.collectionIds) } };
    case "triggered_products": {
      const ids = distinct(triggered);
      if (ids.length === 0) {
        return {
          type: "refused",
          reason: "no_triggered_products",
          message: "This pool's codes apply to the products that triggered the issue, and none were given",
        };
      }
      const variantIds = ids.filter(isVariantId);
      const productIds = ids.filter((id) => !isVariantId(id));
      if (productIds.length > MAX_TARGET_IDS || variantIds.length > MAX_TARGET_IDS) {
        return {
          type: "refused",
          reason: "too_many_products",
          message: `At most ${MAX_TARGET_IDS} triggered products and ${MAX_TARGET_IDS} variants fit on one code; ${ids.length} were given`,
        };
      }
      return { type: "target", target: { type: "products", productIds, variantIds } };
    }
  }
}

/**
 * Names the settings codes share: pool id + a hash of the value, the resolved target, who may use the code, the
 * limits, the expiry rule (not each code's own end: "30 days after issue" is one rule) and combinability.
 */
export function groupKeyOf(poolId: string, settings: DynamicPoolSettings, target: DiscountTarget): string {
  const canonicalTarget =
    target.type === "products"
      ? { type: target.type, productIds: [...target.productIds].sort(), variantIds: [...target.variantIds].sort() }
      : target.type === "collections"
        ? { type: target.type, collectionIds: [...target.collectionIds].sort() }
        : { type: target.type };
  const shared = [
    valueOf(settings),
    canonicalTarget,
    settings.usableBy,
    settings.usageLimit,
    settings.oncePerCustomer,
    settings.minimumSubtotal,
    settings.expiry,
    [settings.combinesWith.productDiscounts, settings.combinesWith.orderDiscounts, settings.combinesWith.shippingDiscounts],
  ];
  const hash = createHash("sha256").update(JSON.stringify(shared)).digest("hex").slice(0, 16);
  return `${poolId}:${hash}`;
}

export function buildDynamicCodeSpec(settings: DynamicPoolSettings, facts: IssueFacts): SpecResult {
  const target = targetOf(settings, facts.triggeredProducts ?? []);
  if (target.type === "refused") return target;
  const endsAt = codeEndsAt(settings.expiry, facts.issuedAt);
  if (endsAt && endsAt.getTime() <= facts.issuedAt.getTime()) {
    return {
      type: "refused",
      reason: "pool_expired",
      message: `This pool's codes end on ${endsAt.toISOString()}, which has passed: no code is created`,
    };
  }
  return {
    type: "spec",
    spec: {
      code: facts.code,
      groupKey: groupKeyOf(facts.poolId, settings, target.target),
      title: `${facts.poolName} · ${facts.code}`.slice(0, MAX_TITLE_LENGTH),
      value: valueOf(settings),
      target: target.target,
      customerId: settings.usableBy === "issued_customer" ? facts.customerPlatformId : null,
      usageLimit: settings.usageLimit,
      oncePerCustomer: settings.oncePerCustomer,
      minimumSubtotal: settings.minimumSubtotal,
      startsAt: facts.issuedAt,
      endsAt,
      combinesWith: { ...settings.combinesWith },
    },
  };
}
