/**
 * Orders, read-only through the API: the app reads them to attribute
 * redemptions to codes. Orders are created by `placeOrder` (checkout.ts),
 * the simulated storefront.
 */
import { gid, idOf } from "../ids";
import type { LineItemRecord, OrderRecord, ShopStore } from "../store";
import { connection, sortBy, type PageArgs } from "./connection";
import { count, moneyBag, type View } from "./context";
import { customerView } from "./customers";
import { metafieldFields } from "./metafields";
import { productView, variantView } from "./products";
import { applySearch, type SearchSpec } from "./search";

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

export function lineItemView(store: ShopStore, line: LineItemRecord): View {
  const currency = store.profile.currencyCode;
  const product = store.products.get(line.productId);
  const variant = store.variants.get(line.variantId);
  const original = line.unitPriceCents * line.quantity;
  return {
    __typename: "LineItem",
    id: gid("LineItem", line.id),
    name:
      line.variantTitle && line.variantTitle !== "Default Title" ? `${line.title} - ${line.variantTitle}` : line.title,
    title: line.title,
    variantTitle: line.variantTitle,
    sku: line.sku,
    vendor: line.vendor,
    quantity: line.quantity,
    currentQuantity: line.quantity,
    requiresShipping: true,
    taxable: true,
    isGiftCard: false,
    product: product ? productView(store, product) : null,
    variant: variant ? variantView(store, variant) : null,
    originalUnitPriceSet: moneyBag(line.unitPriceCents, currency),
    originalTotalSet: moneyBag(original, currency),
    totalDiscountSet: moneyBag(line.discountCents, currency),
    discountedTotalSet: moneyBag(original - line.discountCents, currency),
    discountedUnitPriceSet: moneyBag(Math.round((original - line.discountCents) / line.quantity), currency),
  };
}

export function orderView(store: ShopStore, order: OrderRecord): View {
  const currency = store.profile.currencyCode;
  const ownerGid = gid("Order", order.id);
  return {
    __typename: "Order",
    id: ownerGid,
    legacyResourceId: order.id,
    name: order.name,
    number: order.number,
    email: order.email,
    phone: null,
    note: order.note,
    tags: [...order.tags],
    test: false,
    confirmed: true,
    closed: false,
    fullyPaid: order.financialStatus === "PAID",
    sourceName: "web",
    createdAt: order.createdAt,
    processedAt: order.processedAt,
    updatedAt: order.updatedAt,
    cancelledAt: order.cancelledAt,
    cancelReason: null,
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    displayFinancialStatus: order.financialStatus,
    discountCode: order.discountCodes[0] ?? null,
    discountCodes: [...order.discountCodes],
    subtotalLineItemsQuantity: order.lineItems.reduce((sum, l) => sum + l.quantity, 0),
    subtotalPriceSet: moneyBag(order.subtotalCents - order.totalDiscountsCents, currency),
    currentSubtotalPriceSet: moneyBag(order.subtotalCents - order.totalDiscountsCents, currency),
    totalDiscountsSet: moneyBag(order.totalDiscountsCents, currency),
    currentTotalDiscountsSet: moneyBag(order.totalDiscountsCents, currency),
    totalPriceSet: moneyBag(order.totalCents, currency),
    currentTotalPriceSet: moneyBag(order.totalCents, currency),
    totalShippingPriceSet: moneyBag(0, currency),
    totalTaxSet: moneyBag(0, currency),
    customer: () => {
      const customer = order.customerId ? store.customers.get(order.customerId) : undefined;
      return customer ? customerView(store, customer) : null;
    },
    lineItems: (args: PageArgs) =>
      connection(
        order.lineItems,
        args,
        (l) => l.id,
        (l) => lineItemView(store, l),
      ),
    ...metafieldFields(store, ownerGid),
  };
}

export const orderSearch: SearchSpec<OrderRecord> = {
  resource: "orders",
  defaultFields: ["name", "email"],
  fields: {
    id: { kind: "id", get: (o) => o.id },
    name: { kind: "keyword", get: (o) => [o.name, o.name.replace(/^#/, "")] },
    email: { kind: "keyword", get: (o) => o.email },
    customer_id: { kind: "id", get: (o) => o.customerId },
    discount_code: { kind: "keyword", get: (o) => o.discountCodes },
    financial_status: { kind: "keyword", get: (o) => o.financialStatus.toLowerCase() },
    status: { kind: "keyword", get: (o) => (o.cancelledAt ? "cancelled" : "open") },
    tag: { kind: "keyword", get: (o) => o.tags },
    created_at: { kind: "date", get: (o) => o.createdAt },
    processed_at: { kind: "date", get: (o) => o.processedAt },
    updated_at: { kind: "date", get: (o) => o.updatedAt },
  },
};

export function sortOrders(records: readonly OrderRecord[], sortKey: string | null | undefined): OrderRecord[] {
  switch (sortKey ?? "ID") {
    case "CREATED_AT":
      return sortBy(records, (o) => o.createdAt);
    case "PROCESSED_AT":
      return sortBy(records, (o) => o.processedAt);
    case "UPDATED_AT":
      return sortBy(records, (o) => o.updatedAt);
    case "ORDER_NUMBER":
      return sortBy(records, (o) => o.number);
    case "TOTAL_PRICE":
    case "CURRENT_TOTAL_PRICE":
      return sortBy(records, (o) => o.totalCents);
    default:
      return sortBy(records, () => 0);
  }
}

export function orderQueryFields(store: ShopStore): View {
  const all = () => [...store.orders.values()];
  return {
    orders: (args: ListArgs) =>
      connection(
        sortOrders(applySearch(orderSearch, all(), args.query), args.sortKey),
        args,
        (o) => o.id,
        (o) => orderView(store, o),
      ),
    ordersCount: (args: { query?: string | null; limit?: number | null }) =>
      count(applySearch(orderSearch, all(), args.query).length, args.limit ?? 10000),
    order: (args: { id: string }) => {
      const order = store.orders.get(idOf(args.id, "Order") ?? "");
      return order ? orderView(store, order) : null;
    },
  };
}
