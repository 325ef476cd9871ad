/**
 * The simulated storefront: places an order the way a buyer's checkout would,
 * applying discount codes with Shopify's eligibility rules. It is not part of
 * the Admin API (apps cannot create real orders like this); tests and the demo
 * use it to produce redemptions the app then observes.
 */
import { idOf } from "./ids";
import type { DiscountRecord, LineItemRecord, OrderRecord, RedeemCodeRecord, ShopStore } from "./store";

export interface PlaceOrderInput {
  /** Numeric id or `gid://shopify/Customer/…`; omit for a guest checkout. */
  readonly customerId?: string | null;
  readonly email?: string | null;
  readonly lines: readonly { readonly variantId: string; readonly quantity: number }[];
  readonly discountCodes?: readonly string[];
  /** ISO time; defaults to the simulator clock. */
  readonly processedAt?: string;
  readonly tags?: readonly string[];
}

/** A checkout the storefront would refuse (bad code, limit reached, ...). */
export class CheckoutError extends Error {
  override readonly name = "CheckoutError";
}

function plainId(value: string, type: string): string {
  return idOf(value, type) ?? value;
}

function eligibleLines(store: ShopStore, d: DiscountRecord, lines: readonly LineItemRecord[]): LineItemRecord[] {
  const items = d.items;
  if (!items || items.kind === "all") return [...lines];
  if (items.kind === "products") {
    return lines.filter((l) => items.productIds.includes(l.productId) || items.variantIds.includes(l.variantId));
  }
  return lines.filter((l) => store.collectionsOfProduct(l.productId).some((c) => items.collectionIds.includes(c.id)));
}

export function placeOrder(store: ShopStore, input: PlaceOrderInput): OrderRecord {
  const processedAt = input.processedAt ?? store.nowIso();
  const at = Date.parse(processedAt);
  const customerId = input.customerId ? plainId(input.customerId, "Customer") : null;
  const customer = customerId ? store.customers.get(customerId) : undefined;
  if (customerId && !customer) throw new CheckoutError(`customer ${customerId} does not exist`);
  if (input.lines.length === 0) throw new CheckoutError("an order needs at least one line");

  const lines: LineItemRecord[] = input.lines.map((line) => {
    const variant = store.variants.get(plainId(line.variantId, "ProductVariant"));
    if (!variant) throw new CheckoutError(`variant ${line.variantId} does not exist`);
    const product = store.products.get(variant.productId);
    if (!product) throw new CheckoutError(`product of variant ${variant.id} does not exist`);
    if (!Number.isInteger(line.quantity) || line.quantity <= 0)
      throw new CheckoutError("quantity must be a positive integer");
    return {
      id: store.ids.nextBig(),
      productId: product.id,
      variantId: variant.id,
      title: product.title,
      variantTitle: variant.title,
      sku: variant.sku,
      vendor: product.vendor,
      quantity: line.quantity,
      unitPriceCents: variant.priceCents,
      discountCents: 0,
    };
  });
  const subtotal = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
  const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);

  const applied: string[] = [];
  const usedCodes: RedeemCodeRecord[] = [];
  for (const code of input.discountCodes ?? []) {
    const redeem = store.findRedeemCode(code);
    const discount = redeem ? store.discounts.get(redeem.discountId) : undefined;
    if (!redeem || !discount) throw new CheckoutError(`Enter a valid discount code: ${code}`);
    if (store.discountStatus(discount, at) !== "ACTIVE") throw new CheckoutError(`${code} is not active`);
    if (discount.usageLimit !== null && redeem.usageCount >= discount.usageLimit) {
      throw new CheckoutError(`${code} has reached its usage limit`);
    }
    if (discount.context.kind === "customers" && !(customerId && discount.context.customerIds.includes(customerId))) {
      throw new CheckoutError(`${code} is not available to this customer`);
    }
    if (discount.appliesOncePerCustomer) {
      if (!customerId) throw new CheckoutError(`${code} requires a customer account`);
      const codes = new Set(store.discountCodes(discount).map((c) => c.code.toUpperCase()));
      const usedBefore = store
        .ordersOfCustomer(customerId)
        .some((o) => o.discountCodes.some((c) => codes.has(c.toUpperCase())));
      if (usedBefore) throw new CheckoutError(`${code} has already been used by this customer`);
    }
    const min = discount.minimumRequirement;
    if (min?.kind === "subtotal" && subtotal < min.subtotalCents)
      throw new CheckoutError(`${code} requires a larger subtotal`);
    if (min?.kind === "quantity" && BigInt(quantity) < BigInt(min.quantity))
      throw new CheckoutError(`${code} requires more items`);

    if (discount.kind === "basic" && discount.value) {
      const eligible = eligibleLines(store, discount, lines);
      if (eligible.length === 0) throw new CheckoutError(`${code} does not apply to any item in the cart`);
      const base = eligible.reduce((sum, l) => sum + l.unitPriceCents * l.quantity - l.discountCents, 0);
      const value = discount.value;
      let off: number;
      if (value.kind === "percentage") off = Math.round(base * value.percentage);
      else if (value.appliesOnEachItem) {
        off = eligible.reduce((sum, l) => sum + Math.min(value.amountCents, l.unitPriceCents) * l.quantity, 0);
      } else off = Math.min(value.amountCents, base);
      off = Math.min(off, base);
      // Allocate across eligible lines in proportion to their remaining value.
      let remaining = off;
      eligible.forEach((line, index) => {
        const lineBase = line.unitPriceCents * line.quantity - line.discountCents;
        const share = index === eligible.length - 1 ? remaining : Math.round((off * lineBase) / Math.max(base, 1));
        const allocated = Math.min(share, remaining, lineBase);
        line.discountCents += allocated;
        remaining -= allocated;
      });
    }
    applied.push(redeem.code);
    usedCodes.push(redeem);
  }

  const totalDiscounts = lines.reduce((sum, l) => sum + l.discountCents, 0);
  const number = store.allocateOrderNumber();
  const order: OrderRecord = {
    id: store.ids.nextBig(),
    number,
    name: `#${number}`,
    email: input.email ?? customer?.email ?? null,
    customerId: customer ? customer.id : null,
    lineItems: lines,
    discountCodes: applied,
    subtotalCents: subtotal,
    totalDiscountsCents: totalDiscounts,
    totalCents: subtotal - totalDiscounts,
    financialStatus: "PAID",
    cancelledAt: null,
    tags: [...(input.tags ?? [])],
    note: null,
    createdAt: processedAt,
    processedAt,
    updatedAt: processedAt,
  };
  store.orders.set(order.id, order);
  for (const redeem of usedCodes) redeem.usageCount += 1;
  if (customer) {
    customer.numberOfOrders += 1;
    customer.amountSpentCents += order.totalCents;
    customer.updatedAt = processedAt;
  }
  return order;
}
