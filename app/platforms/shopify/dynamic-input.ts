// A DynamicCodeSpec in Admin GraphQL terms, and Shopify's userErrors back in the port's terms. Pure, so the mapping
// is tested without a store. The customer restriction uses `context` (customerSelection is deprecated at 2026-07).
import type { CreateCodeResult, DynamicCodeSpec } from "../port";
import type { DiscountUserErrorShape } from "./documents/redeem-codes";

/** Shopify ids are GIDs; ids given as bare numbers (as REST and webhooks often carry them) are expanded. */
export function toGid(type: "Customer" | "Product" | "ProductVariant" | "Collection", id: string): string {
  return /^\d+$/.test(id) ? `gid://shopify/${type}/${id}` : id;
}

function common(spec: DynamicCodeSpec): Record<string, unknown> {
  const input: Record<string, unknown> = {
    title: spec.title,
    code: spec.code,
    startsAt: spec.startsAt.toISOString(),
    endsAt: spec.endsAt ? spec.endsAt.toISOString() : null,
    usageLimit: spec.usageLimit,
    appliesOncePerCustomer: spec.oncePerCustomer,
    combinesWith: {
      productDiscounts: spec.combinesWith.productDiscounts,
      orderDiscounts: spec.combinesWith.orderDiscounts,
      shippingDiscounts: spec.combinesWith.shippingDiscounts,
    },
    context: spec.customerId ? { customers: { add: [toGid("Customer", spec.customerId)] } } : { all: "ALL" },
  };
  if (spec.minimumSubtotal !== null) {
    input.minimumRequirement = { subtotal: { greaterThanOrEqualToSubtotal: spec.minimumSubtotal } };
  }
  return input;
}

export type ShopifyCodeInput =
  | { mutation: "basic"; input: Record<string, unknown> }
  | { mutation: "freeShipping"; input: Record<string, unknown> }
  | { mutation: "none"; invalid: string };

export function codeInputOf(spec: DynamicCodeSpec): ShopifyCodeInput {
  if (spec.value.type === "free_shipping") {
    if (spec.target.type !== "order") {
      return { mutation: "none", invalid: "Free shipping applies to the order's shipping, not to products or collections" };
    }
    return { mutation: "freeShipping", input: { ...common(spec), destination: { all: true } } };
  }
  const value =
    spec.value.type === "percentage"
      ? // Shopify takes a fraction: 15% is 0.15 (rounded so 14.99 does not become 0.14990000000000001).
        { percentage: Math.round(spec.value.percent * 100) / 10_000 }
      : { discountAmount: { amount: spec.value.amount, appliesOnEachItem: false } };
  const target = spec.target;
  const items =
    target.type === "order"
      ? { all: true }
      : target.type === "products"
        ? {
            products: {
              productsToAdd: target.productIds.map((id) => toGid("Product", id)),
              productVariantsToAdd: target.variantIds.map((id) => toGid("ProductVariant", id)),
            },
          }
        : { collections: { add: target.collectionIds.map((id) => toGid("Collection", id)) } };
  return { mutation: "basic", input: { ...common(spec), customerGets: { value, items } } };
}

const TARGET_FIELDS = ["productsToAdd", "productVariantsToAdd", "collections"];

/** The spec's target ids a userError names ("Product with id: 123 is invalid"), or all of them of that kind. */
function targetIdsNamed(spec: DynamicCodeSpec, errors: DiscountUserErrorShape[]): string[] {
  const candidates =
    spec.target.type === "products"
      ? [
          ...spec.target.productIds.map((id) => ({ id, gid: toGid("Product", id), field: "productsToAdd" })),
          ...spec.target.variantIds.map((id) => ({ id, gid: toGid("ProductVariant", id), field: "productVariantsToAdd" })),
        ]
      : spec.target.type === "collections"
        ? spec.target.collectionIds.map((id) => ({ id, gid: toGid("Collection", id), field: "collections" }))
        : [];
  const named = new Set<string>();
  for (const error of errors) {
    const field = error.field ?? [];
    const numbers = [...error.message.matchAll(/id:?\s*(\d+)/gi)].map((m) => m[1]);
    const ofField = candidates.filter((c) => field.includes(c.field));
    const matched = ofField.filter((c) => numbers.some((n) => c.gid.endsWith(`/${n}`)));
    for (const c of matched.length ? matched : ofField) named.add(c.id);
  }
  return [...named];
}

/** Shopify's userErrors as the port's typed refusals. An empty list means nothing was refused. */
export function resultOfUserErrors(spec: DynamicCodeSpec, errors: DiscountUserErrorShape[]): CreateCodeResult | null {
  if (errors.length === 0) return null;
  const on = (name: string) => errors.filter((e) => (e.field ?? []).includes(name));
  // "Taken" first: after a lost response it is how our own earlier attempt shows up.
  if (errors.some((e) => e.code === "TAKEN" && (e.field ?? []).at(-1) === "code")) return { type: "code_taken" };
  if (on("customers").length > 0) return { type: "customer_gone" };
  const targetErrors = errors.filter((e) => TARGET_FIELDS.some((f) => (e.field ?? []).includes(f)) && e.code !== "APPLIES_ON_NOTHING");
  if (targetErrors.length > 0) return { type: "target_gone", ids: targetIdsNamed(spec, targetErrors) };
  return {
    type: "invalid",
    message: errors.map((e) => `${(e.field ?? []).slice(1).join(".") || "discount"}: ${e.message}`).join("; "),
  };
}
