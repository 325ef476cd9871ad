/**
 * Code discounts as the API shows them: `DiscountCodeNode` wrapping a
 * `DiscountCodeBasic` or `DiscountCodeFreeShipping`, their redeem codes, and
 * the lookup queries (`codeDiscountNodeByCode`, `codeDiscountNodes`,
 * `discountNodes`, ...). Mutations live in discount-mutations.ts.
 */
import { gid, idOf } from "../ids";
import type { DiscountRecord, RedeemCodeRecord, ShopStore } from "../store";
import { connection, sortBy, type PageArgs } from "./connection";
import { count, moneyV2, type View } from "./context";
import { customerView } from "./customers";
import { metafieldFields } from "./metafields";
import { collectionView, productView, variantView } from "./products";
import { applySearch, type SearchSpec } from "./search";
import { appView } from "./shop";

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

export function redeemCodeView(code: RedeemCodeRecord): View {
  return {
    __typename: "DiscountRedeemCode",
    id: gid("DiscountRedeemCode", code.id),
    code: code.code,
    asyncUsageCount: code.usageCount,
    createdBy: code.createdBy ? appView(code.createdBy) : null,
  };
}

function money(store: ShopStore, cents: number): View {
  return moneyV2(cents, store.profile.currencyCode);
}

function formatMoney(store: ShopStore, cents: number): string {
  const symbol = store.profile.currencyCode === "EUR" ? "€" : store.profile.currencyCode === "GBP" ? "£" : "$";
  return `${symbol}${(cents / 100).toFixed(2)}`;
}

function shortSummary(store: ShopStore, d: DiscountRecord): string {
  if (d.kind === "freeShipping") return "Free shipping on all products";
  const value = d.value;
  const amount =
    value?.kind === "percentage"
      ? `${Math.round(value.percentage * 10000) / 100}% off`
      : `${formatMoney(store, value?.amountCents ?? 0)} off${value?.appliesOnEachItem ? " each" : ""}`;
  const items = d.items;
  if (!items || items.kind === "all") return `${amount} entire order`;
  if (items.kind === "collections") {
    const n = items.collectionIds.length;
    return `${amount} ${n} collection${n === 1 ? "" : "s"}`;
  }
  const n = items.productIds.length + items.variantIds.length;
  return `${amount} ${n} product${n === 1 ? "" : "s"}`;
}

function summary(store: ShopStore, d: DiscountRecord): string {
  const parts = [shortSummary(store, d)];
  const min = d.minimumRequirement;
  if (min?.kind === "subtotal") parts.push(`Minimum purchase of ${formatMoney(store, min.subtotalCents)}`);
  if (min?.kind === "quantity") parts.push(`Minimum quantity of ${min.quantity} items`);
  if (d.context.kind === "customers") {
    const n = d.context.customerIds.length;
    parts.push(`For ${n} customer${n === 1 ? "" : "s"}`);
  }
  if (d.appliesOncePerCustomer) parts.push("One use per customer");
  if (d.usageLimit !== null) parts.push(`Limit of ${d.usageLimit} use${d.usageLimit === 1 ? "" : "s"}`);
  return parts.join(" • ");
}

function customerGetsView(store: ShopStore, d: DiscountRecord): View {
  const value = d.value;
  const items = d.items;
  return {
    __typename: "DiscountCustomerGets",
    appliesOnOneTimePurchase: d.appliesOnOneTimePurchase,
    appliesOnSubscription: d.appliesOnSubscription,
    value:
      value?.kind === "percentage"
        ? { __typename: "DiscountPercentage", percentage: value.percentage }
        : {
            __typename: "DiscountAmount",
            amount: money(store, value?.amountCents ?? 0),
            appliesOnEachItem: value?.appliesOnEachItem ?? false,
          },
    items:
      !items || items.kind === "all"
        ? { __typename: "AllDiscountItems", allItems: true }
        : items.kind === "collections"
          ? {
              __typename: "DiscountCollections",
              collections: (args: PageArgs) =>
                connection(
                  items.collectionIds.flatMap((id) => store.collections.get(id) ?? []),
                  args,
                  (c) => c.id,
                  (c) => collectionView(store, c),
                ),
            }
          : {
              __typename: "DiscountProducts",
              products: (args: PageArgs) =>
                connection(
                  items.productIds.flatMap((id) => store.products.get(id) ?? []),
                  args,
                  (p) => p.id,
                  (p) => productView(store, p),
                ),
              productVariants: (args: PageArgs) =>
                connection(
                  items.variantIds.flatMap((id) => store.variants.get(id) ?? []),
                  args,
                  (v) => v.id,
                  (v) => variantView(store, v),
                ),
            },
  };
}

const codeSearch: SearchSpec<RedeemCodeRecord> = {
  resource: "discount codes",
  defaultFields: ["code"],
  fields: {
    code: { kind: "keyword", get: (c) => c.code },
    times_used: { kind: "number", get: (c) => c.usageCount },
    created_at: { kind: "date", get: (c) => c.createdAt },
  },
};

export function discountView(store: ShopStore, d: DiscountRecord): View {
  const customers = () =>
    d.context.kind === "customers"
      ? d.context.customerIds.flatMap((id) => {
          const c = store.customers.get(id);
          return c ? [customerView(store, c)] : [];
        })
      : [];
  const common: View = {
    title: d.title,
    status: store.discountStatus(d),
    summary: summary(store, d),
    shortSummary: shortSummary(store, d),
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    usageLimit: d.usageLimit,
    appliesOncePerCustomer: d.appliesOncePerCustomer,
    appliesOnOneTimePurchase: d.appliesOnOneTimePurchase,
    appliesOnSubscription: d.appliesOnSubscription,
    recurringCycleLimit: d.recurringCycleLimit,
    tags: [...d.tags],
    hasTimelineComment: false,
    shareableUrls: [],
    asyncUsageCount: store.discountUsageCount(d),
    totalSales: () => {
      const codes = new Set(store.discountCodes(d).map((c) => c.code.toUpperCase()));
      const cents = [...store.orders.values()]
        .filter((o) => o.discountCodes.some((c) => codes.has(c.toUpperCase())))
        .reduce((sum, o) => sum + o.totalCents, 0);
      return money(store, cents);
    },
    codesCount: () => count(d.codeIds.length),
    codes: (args: ListArgs) => {
      const filtered = applySearch(codeSearch, store.discountCodes(d), args.query);
      const sorted =
        args.sortKey === "CODE"
          ? sortBy(filtered, (c) => c.code.toUpperCase())
          : args.sortKey === "CREATED_AT"
            ? sortBy(filtered, (c) => c.createdAt)
            : sortBy(filtered, () => 0);
      return connection(sorted, args, (c) => c.id, redeemCodeView);
    },
    combinesWith: {
      __typename: "DiscountCombinesWith",
      ...d.combinesWith,
      productDiscountsWithTagsOnSameCartLine: null,
    },
    context:
      d.context.kind === "all"
        ? { __typename: "DiscountBuyerSelectionAll", all: "ALL" }
        : { __typename: "DiscountCustomers", customers },
    customerSelection:
      d.context.kind === "all"
        ? { __typename: "DiscountCustomerAll", allCustomers: true }
        : { __typename: "DiscountCustomers", customers },
    minimumRequirement:
      d.minimumRequirement === null
        ? null
        : d.minimumRequirement.kind === "subtotal"
          ? {
              __typename: "DiscountMinimumSubtotal",
              greaterThanOrEqualToSubtotal: money(store, d.minimumRequirement.subtotalCents),
            }
          : { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: d.minimumRequirement.quantity },
  };
  if (d.kind === "freeShipping") {
    const destination = d.destination;
    return {
      ...common,
      __typename: "DiscountCodeFreeShipping",
      discountClass: "SHIPPING",
      discountClasses: ["SHIPPING"],
      maximumShippingPrice: d.maximumShippingPriceCents === null ? null : money(store, d.maximumShippingPriceCents),
      destinationSelection:
        !destination || destination.kind === "all"
          ? { __typename: "DiscountCountryAll", allCountries: true }
          : {
              __typename: "DiscountCountries",
              countries: destination.countries,
              includeRestOfWorld: destination.includeRestOfWorld,
            },
    };
  }
  const discountClass = !d.items || d.items.kind === "all" ? "ORDER" : "PRODUCT";
  return {
    ...common,
    __typename: "DiscountCodeBasic",
    discountClass,
    discountClasses: [discountClass],
    customerGets: customerGetsView(store, d),
  };
}

export function codeDiscountNodeView(store: ShopStore, d: DiscountRecord): View {
  return {
    __typename: "DiscountCodeNode",
    id: gid("DiscountCodeNode", d.id),
    codeDiscount: discountView(store, d),
    ...metafieldFields(store, gid("DiscountCodeNode", d.id)),
  };
}

export function discountNodeView(store: ShopStore, d: DiscountRecord): View {
  return {
    __typename: "DiscountNode",
    id: gid("DiscountNode", d.id),
    discount: discountView(store, d),
    ...metafieldFields(store, gid("DiscountCodeNode", d.id)),
  };
}

export const discountSearch = (store: ShopStore): SearchSpec<DiscountRecord> => ({
  resource: "discounts",
  defaultFields: ["title", "code"],
  fields: {
    id: { kind: "id", get: (d) => d.id },
    title: { kind: "text", get: (d) => d.title },
    code: { kind: "keyword", get: (d) => store.discountCodes(d).map((c) => c.code) },
    status: { kind: "keyword", get: (d) => store.discountStatus(d) },
    discount_type: {
      kind: "keyword",
      get: (d) =>
        d.kind === "freeShipping" ? "free_shipping" : d.value?.kind === "percentage" ? "percentage" : "fixed_amount",
    },
    method: { kind: "keyword", get: () => "code" },
    times_used: { kind: "number", get: (d) => store.discountUsageCount(d) },
    starts_at: { kind: "date", get: (d) => d.startsAt },
    ends_at: { kind: "date", get: (d) => d.endsAt },
    created_at: { kind: "date", get: (d) => d.createdAt },
    updated_at: { kind: "date", get: (d) => d.updatedAt },
  },
});

function sortDiscounts(records: readonly DiscountRecord[], sortKey: string | null | undefined): DiscountRecord[] {
  switch (sortKey ?? "ID") {
    case "TITLE":
      return sortBy(records, (d) => d.title.toLowerCase());
    case "CREATED_AT":
      return sortBy(records, (d) => d.createdAt);
    case "UPDATED_AT":
      return sortBy(records, (d) => d.updatedAt);
    case "STARTS_AT":
      return sortBy(records, (d) => d.startsAt);
    case "ENDS_AT":
      return sortBy(records, (d) => d.endsAt ?? "9999");
    default:
      return sortBy(records, () => 0);
  }
}

export function discountQueryFields(store: ShopStore): View {
  const search = (query: string | null | undefined) =>
    applySearch(discountSearch(store), [...store.discounts.values()], query);
  return {
    codeDiscountNodeByCode: (args: { code: string }) => {
      const d = store.discountByCode(args.code);
      return d ? codeDiscountNodeView(store, d) : null;
    },
    codeDiscountNode: (args: { id: string }) => {
      const d = store.discounts.get(idOf(args.id, "DiscountCodeNode") ?? "");
      return d ? codeDiscountNodeView(store, d) : null;
    },
    codeDiscountNodes: (args: ListArgs) =>
      connection(
        sortDiscounts(search(args.query), args.sortKey),
        args,
        (d) => d.id,
        (d) => codeDiscountNodeView(store, d),
      ),
    discountNode: (args: { id: string }) => {
      const d = store.discounts.get(idOf(args.id, "DiscountNode") ?? idOf(args.id, "DiscountCodeNode") ?? "");
      return d ? discountNodeView(store, d) : null;
    },
    discountNodes: (args: ListArgs) =>
      connection(
        sortDiscounts(search(args.query), args.sortKey),
        args,
        (d) => d.id,
        (d) => discountNodeView(store, d),
      ),
    discountNodesCount: (args: { query?: string | null; limit?: number | null }) =>
      count(search(args.query).length, args.limit ?? 10000),
    discountCodesCount: (args: { query?: string | null; limit?: number | null }) =>
      count(applySearch(codeSearch, [...store.redeemCodes.values()], args.query).length, args.limit ?? 10000),
  };
}
