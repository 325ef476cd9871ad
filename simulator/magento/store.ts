/**
 * One simulated Magento installation's state: sales rules, coupons, products and orders, with the server-side
 * rules Magento applies when they are saved (RuleRepository, CouponRepository, CouponManagementService) and a
 * small checkout that redeems coupons, so a code the app created can be used and then seen on a polled order.
 */
import { randomInt } from "node:crypto";
import { localized, MagentoHttpError, noSuchEntity, strict } from "./errors";

export interface Condition {
  condition_type: string;
  conditions?: Condition[] | null;
  aggregator_type?: string | null;
  operator?: string | null;
  attribute_name?: string | null;
  value?: unknown;
}

export interface SalesRule {
  rule_id: number;
  name: string | null;
  store_labels: { store_id: number; store_label: string }[];
  description: string | null;
  website_ids: number[];
  customer_group_ids: number[];
  from_date: string | null;
  to_date: string | null;
  uses_per_customer: number;
  is_active: boolean;
  condition: Condition | null;
  action_condition: Condition | null;
  stop_rules_processing: boolean;
  is_advanced: boolean;
  product_ids: number[] | null;
  sort_order: number;
  simple_action: string | null;
  discount_amount: number;
  discount_qty: number | null;
  discount_step: number;
  apply_to_shipping: boolean;
  times_used: number;
  is_rss: boolean;
  coupon_type: "NO_COUPON" | "SPECIFIC_COUPON" | "AUTO";
  use_auto_generation: boolean;
  uses_per_coupon: number;
  simple_free_shipping: string | null;
}

export interface Coupon {
  coupon_id: number;
  rule_id: number;
  code: string;
  usage_limit: number | null;
  usage_per_customer: number | null;
  times_used: number;
  expiration_date: string | null;
  is_primary: boolean | null;
  created_at: string;
  type: number | null;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  type_id: string;
  price: number;
  status: number;
  attribute_set_id: number;
  category_ids: number[];
  created_at: string;
  updated_at: string;
}

export interface OrderItem {
  item_id: number;
  order_id: number;
  sku: string;
  name: string;
  product_id: number | null;
  product_type: string;
  qty_ordered: number;
  price: number;
  row_total: number;
  discount_amount: number;
}

export type OrderState = "new" | "pending_payment" | "processing" | "complete" | "closed" | "canceled" | "holded" | "payment_review";

export interface Order {
  entity_id: number;
  increment_id: string;
  state: OrderState;
  status: string;
  created_at: string;
  updated_at: string;
  store_id: number;
  customer_id: number | null;
  customer_email: string;
  customer_firstname: string | null;
  customer_lastname: string | null;
  customer_is_guest: number;
  customer_group_id: number;
  coupon_code: string | null;
  applied_rule_ids: string | null;
  discount_amount: number;
  discount_description: string | null;
  subtotal: number;
  shipping_amount: number;
  grand_total: number;
  base_grand_total: number;
  /** Left out (as Magento leaves null fields out of its JSON) until a credit memo refunds something. */
  total_refunded?: number;
  /** The shopper's address at checkout; left out for an order created in the admin. */
  remote_ip?: string;
  order_currency_code: string;
  base_currency_code: string;
  is_virtual: number;
  shipping_description: string | null;
  items: OrderItem[];
  extension_attributes: { shipping_assignments: { shipping: { method: string | null } }[] };
}

export class CheckoutError extends Error {
  override name = "CheckoutError";
}

const COUPON_TYPES = new Set(["NO_COUPON", "SPECIFIC_COUPON", "AUTO"]);
const SIMPLE_ACTIONS = new Set(["by_percent", "by_fixed", "cart_fixed", "buy_x_get_y"]);
const FREE_SHIPPING = new Set(["0", "1", "2"]);
const CONDITION_CLASSES = new Set(
  [
    "Combine",
    "Address",
    "Product",
    "Product\\Combine",
    "Product\\Found",
    "Product\\Subselect",
  ].map((c) => `Magento\\SalesRule\\Model\\Rule\\Condition\\${c}`),
);

/** Magento's REST dates: `Y-m-d H:i:s`, UTC. */
export function magentoDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function checkCondition(condition: Condition | null | undefined, path: string): void {
  if (!condition) return;
  if (!CONDITION_CLASSES.has(condition.condition_type)) {
    throw strict(`${path}.condition_type "${condition.condition_type}" is not a sales rule condition class`);
  }
  if (condition.aggregator_type && !["all", "any"].includes(condition.aggregator_type)) {
    throw strict(`${path}.aggregator_type must be "all" or "any"`);
  }
  (condition.conditions ?? []).forEach((c, i) => checkCondition(c, `${path}.conditions[${i}]`));
}

/** SKUs a Product condition tree restricts the discount to; null when it does not restrict by SKU. */
export function skusOf(condition: Condition | null): string[] | null {
  if (!condition) return null;
  if (condition.attribute_name === "sku") {
    return String(condition.value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  for (const child of condition.conditions ?? []) {
    const found = skusOf(child);
    if (found) return found;
  }
  return null;
}

export interface StoreView {
  id: number;
  code: string;
  name: string;
  website_id: number;
  store_group_id: number;
  is_active: number;
}

export class MagentoStore {
  readonly rules = new Map<number, SalesRule>();
  readonly coupons = new Map<number, Coupon>();
  readonly products = new Map<number, Product>();
  readonly orders = new Map<number, Order>();
  private nextRuleId = 1;
  private nextCouponId = 1;
  private nextProductId = 1;
  private nextOrderId = 1;
  private nextItemId = 1;

  constructor(
    readonly info: { name: string; currency: string; timezone: string; locale: string; views: StoreView[]; baseUrl: string },
    private readonly now: () => number,
  ) {}

  // ---- sales rules -------------------------------------------------------------------------------------------

  saveRule(input: Record<string, unknown>): SalesRule {
    const existing = typeof input.rule_id === "number" ? this.rules.get(input.rule_id) : undefined;
    if (input.rule_id !== undefined && input.rule_id !== null && !existing) {
      throw new MagentoHttpError(404, { message: "No such entity." });
    }
    const base: SalesRule = existing ?? {
      rule_id: this.nextRuleId,
      name: null,
      store_labels: [],
      description: null,
      website_ids: [],
      customer_group_ids: [],
      from_date: null,
      to_date: null,
      uses_per_customer: 0,
      is_active: false,
      condition: null,
      action_condition: null,
      stop_rules_processing: true,
      is_advanced: true,
      product_ids: null,
      sort_order: 0,
      simple_action: null,
      discount_amount: 0,
      discount_qty: null,
      discount_step: 0,
      apply_to_shipping: false,
      times_used: 0,
      is_rss: true,
      coupon_type: "NO_COUPON",
      use_auto_generation: false,
      uses_per_coupon: 0,
      simple_free_shipping: null,
    };
    const merged = { ...base, ...stripUndefined(input), rule_id: base.rule_id } as SalesRule;
    this.validateRule(merged, input);
    if (!existing) this.nextRuleId += 1;
    this.rules.set(merged.rule_id, merged);
    return merged;
  }

  private validateRule(rule: SalesRule, input: Record<string, unknown>): void {
    const problems: string[] = [];
    if (rule.from_date && rule.to_date && rule.from_date.slice(0, 10) > rule.to_date.slice(0, 10)) {
      problems.push("End Date must follow Start Date.");
    }
    if ("website_ids" in input && rule.website_ids.length === 0) problems.push("Please specify a website.");
    if ("customer_group_ids" in input && rule.customer_group_ids.length === 0) problems.push("Please specify Customer Groups.");
    if (problems.length) throw localized(problems.map((p) => `${p}; `).join(""));
    if (!COUPON_TYPES.has(rule.coupon_type)) {
      throw strict(`coupon_type must be NO_COUPON, SPECIFIC_COUPON or AUTO (Magento would save "${rule.coupon_type}" as no type at all)`);
    }
    if (rule.simple_action !== null && !SIMPLE_ACTIONS.has(rule.simple_action)) {
      throw strict(`simple_action must be by_percent, by_fixed, cart_fixed or buy_x_get_y, not "${rule.simple_action}"`);
    }
    if (rule.simple_free_shipping !== null && !FREE_SHIPPING.has(rule.simple_free_shipping)) {
      throw strict(`simple_free_shipping must be "0" (no), "1" (matching items only) or "2" (shipment with matching items)`);
    }
    if (rule.simple_action === "by_percent" && (rule.discount_amount < 0 || rule.discount_amount > 100)) {
      throw strict("a by_percent discount_amount must be between 0 and 100");
    }
    for (const date of [rule.from_date, rule.to_date]) {
      if (date && !/^\d{4}-\d{2}-\d{2}/.test(date)) throw strict(`rule dates are Y-m-d, not "${date}"`);
    }
    checkCondition(rule.condition, "condition");
    checkCondition(rule.action_condition, "action_condition");
  }

  getRule(ruleId: number): SalesRule {
    const rule = this.rules.get(ruleId);
    if (!rule) {
      throw new MagentoHttpError(404, {
        message: 'The rule with the "%1" ID wasn\'t found. Verify the ID and try again.',
        parameters: [ruleId],
      });
    }
    return rule;
  }

  deleteRule(ruleId: number): boolean {
    this.getRule(ruleId);
    this.rules.delete(ruleId);
    for (const [id, coupon] of this.coupons) if (coupon.rule_id === ruleId) this.coupons.delete(id);
    return true;
  }

  // ---- coupons -----------------------------------------------------------------------------------------------

  couponByCode(code: string): Coupon | undefined {
    const key = code.trim().toLowerCase();
    for (const coupon of this.coupons.values()) if (coupon.code.toLowerCase() === key) return coupon;
    return undefined;
  }

  /** CouponRepository::save: the rule decides whether the coupon is allowed and overwrites its limits. */
  saveCoupon(input: Record<string, unknown>): Coupon {
    const couponId = typeof input.coupon_id === "number" ? input.coupon_id : null;
    const existing = couponId ? this.coupons.get(couponId) : undefined;
    if (couponId && !existing) throw new MagentoHttpError(404, { message: "No such entity." });
    const data = { ...(existing ?? {}), ...stripUndefined(input) } as Partial<Coupon>;
    const rule = typeof data.rule_id === "number" ? this.rules.get(data.rule_id) : undefined;
    const wrap = (detail: string) => localized("Error occurred when saving coupon: %1", [detail]);
    if (!rule) throw wrap(`No such entity with rule_id = ${data.rule_id ?? ""}`);
    if (rule.coupon_type === "NO_COUPON") throw wrap("Specified rule does not allow coupons");
    // PHP's loose == : a missing type counts as 0 (manual).
    const type = data.type ?? 0;
    if (rule.use_auto_generation && type === 0) throw wrap("Specified rule only allows auto generated coupons");
    if (!rule.use_auto_generation && type === 1) throw wrap("Specified rule does not allow auto generated coupons");
    if (typeof data.code !== "string" || data.code.trim() === "") throw strict("a coupon needs a code (Magento fails with an SQL error)");
    const clash = this.couponByCode(data.code);
    if (clash && clash.coupon_id !== existing?.coupon_id) {
      throw localized("%1 already exists.", ["Coupon with the same code"]);
    }
    const coupon: Coupon = {
      coupon_id: existing?.coupon_id ?? this.nextCouponId++,
      rule_id: rule.rule_id,
      code: data.code,
      usage_limit: rule.uses_per_coupon,
      usage_per_customer: rule.uses_per_customer,
      times_used: data.times_used ?? 0,
      expiration_date: rule.to_date,
      is_primary: data.is_primary ? true : null,
      created_at: existing?.created_at ?? magentoDateTime(this.now()),
      type: data.type ?? null,
    };
    this.coupons.set(coupon.coupon_id, coupon);
    return coupon;
  }

  getCoupon(couponId: number): Coupon {
    const coupon = this.coupons.get(couponId);
    if (!coupon) throw new MagentoHttpError(404, { message: "No such entity." });
    return coupon;
  }

  /** CouponManagementService::generate, synchronous like Magento's. */
  generateCoupons(spec: { rule_id?: number; format?: string; quantity?: number; length?: number; prefix?: string; suffix?: string; delimiter_at_every?: number; delimiter?: string }): string[] {
    const quantity = spec.quantity ?? 0;
    const length = spec.length ?? 0;
    const format = spec.format || "alphanum";
    const charset = { alphanum: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", alpha: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", num: "0123456789" }[format];
    if (quantity <= 0 || length <= 0 || !charset) {
      throw new MagentoHttpError(400, { message: "One or more input exceptions have occurred." });
    }
    const rule = spec.rule_id !== undefined ? this.rules.get(spec.rule_id) : undefined;
    const wrap = (detail: string) => localized("Error occurred when generating coupons: %1", [detail]);
    if (!rule) throw wrap(`No such entity with rule_id = ${spec.rule_id ?? ""}`);
    if (!rule.use_auto_generation && rule.coupon_type !== "AUTO") throw wrap("Specified rule does not allow automatic coupon generation");
    if (charset.length ** length < quantity * 2) throw wrap("Not enough unique codes for the requested quantity and length");
    const codes: string[] = [];
    while (codes.length < quantity) {
      let body = "";
      for (let i = 0; i < length; i++) {
        if (spec.delimiter_at_every && i > 0 && i % spec.delimiter_at_every === 0) body += spec.delimiter ?? "-";
        body += charset[randomInt(charset.length)];
      }
      const code = `${spec.prefix ?? ""}${body}${spec.suffix ?? ""}`;
      if (this.couponByCode(code)) continue;
      this.saveCoupon({ rule_id: rule.rule_id, code, type: 1 });
      codes.push(code);
    }
    return codes;
  }

  /** CouponManagementService::massDelete, including its quirk: missing_items compares the stored code exactly. */
  massDeleteCoupons(field: "code" | "coupon_id", values: (string | number)[], ignoreInvalid: boolean) {
    const wanted = values.map((v) => String(v).toLowerCase());
    const found = [...this.coupons.values()].filter((c) => wanted.includes(String(field === "code" ? c.code : c.coupon_id).toLowerCase()));
    if (!ignoreInvalid && found.length !== values.length) throw localized("Some coupons are invalid.");
    const remaining = new Set(values.map(String));
    for (const coupon of found) {
      this.coupons.delete(coupon.coupon_id);
      remaining.delete(String(field === "code" ? coupon.code : coupon.coupon_id));
    }
    return { failed_items: [] as string[], missing_items: [...remaining] };
  }

  // ---- catalog -----------------------------------------------------------------------------------------------

  addProduct(input: { sku: string; name?: string; price?: number; typeId?: string; categoryIds?: number[] }): Product {
    const at = magentoDateTime(this.now());
    const product: Product = {
      id: this.nextProductId++,
      sku: input.sku,
      name: input.name ?? input.sku,
      type_id: input.typeId ?? "simple",
      price: input.price ?? 10,
      status: 1,
      attribute_set_id: 4,
      category_ids: input.categoryIds ?? [],
      created_at: at,
      updated_at: at,
    };
    this.products.set(product.id, product);
    return product;
  }

  deleteProduct(id: number): void {
    this.products.delete(id);
  }

  // ---- orders and checkout -----------------------------------------------------------------------------------

  placeOrder(input: PlaceOrderInput): Order {
    const lines = input.lines.map((line) => {
      const product = [...this.products.values()].find((p) => p.sku.toLowerCase() === line.sku.toLowerCase());
      return { sku: line.sku, qty: line.qty ?? 1, price: line.price ?? product?.price ?? 10, product };
    });
    const subtotal = round(lines.reduce((sum, l) => sum + l.qty * l.price, 0));
    const shipping = input.virtual ? 0 : (input.shippingAmount ?? 5);
    let discount = 0;
    let shippingDiscount = 0;
    let coupon: Coupon | undefined;
    let rule: SalesRule | undefined;
    const lineDiscounts = lines.map(() => 0);
    if (input.couponCode) {
      coupon = this.couponByCode(input.couponCode);
      rule = coupon ? this.rules.get(coupon.rule_id) : undefined;
      const today = ymd(this.now());
      const valid =
        coupon &&
        rule &&
        rule.is_active &&
        (!rule.from_date || rule.from_date.slice(0, 10) <= today) &&
        (!rule.to_date || rule.to_date.slice(0, 10) >= today) &&
        (!coupon.usage_limit || coupon.times_used < coupon.usage_limit) &&
        rule.customer_group_ids.includes(input.customer ? (input.customerGroupId ?? 1) : 0);
      if (!valid || !coupon || !rule) throw new CheckoutError(`The coupon code "${input.couponCode}" is not valid.`);
      const skus = skusOf(rule.action_condition)?.map((s) => s.toLowerCase()) ?? null;
      const matching = lines.map((l) => skus === null || skus.includes(l.sku.toLowerCase()));
      const matchingTotal = lines.reduce((sum, l, i) => sum + (matching[i] ? l.qty * l.price : 0), 0);
      if (matchingTotal === 0 && skus !== null) throw new CheckoutError(`The coupon code "${input.couponCode}" is not valid.`);
      lines.forEach((l, i) => {
        if (!matching[i]) return;
        const row = l.qty * l.price;
        if (rule!.simple_action === "by_percent") lineDiscounts[i] = (row * rule!.discount_amount) / 100;
        else if (rule!.simple_action === "by_fixed") lineDiscounts[i] = Math.min(row, l.qty * rule!.discount_amount);
        else if (rule!.simple_action === "cart_fixed") lineDiscounts[i] = (Math.min(rule!.discount_amount, matchingTotal) * row) / matchingTotal;
      });
      discount = round(lineDiscounts.reduce((a, b) => a + b, 0));
      if (rule.simple_free_shipping === "1" || rule.simple_free_shipping === "2") shippingDiscount = shipping;
      coupon.times_used += 1;
      rule.times_used += 1;
    }
    const at = magentoDateTime(this.now());
    const entityId = this.nextOrderId++;
    const customer = input.customer ?? null;
    const order: Order = {
      entity_id: entityId,
      increment_id: String(100000000 + entityId).padStart(9, "0"),
      state: input.state ?? "new",
      status: input.state === "processing" ? "processing" : "pending",
      created_at: at,
      updated_at: at,
      store_id: this.info.views[0]?.id ?? 1,
      customer_id: customer?.id ?? null,
      customer_email: customer?.email ?? input.guestEmail ?? "guest@example.com",
      customer_firstname: customer?.firstname ?? null,
      customer_lastname: customer?.lastname ?? null,
      customer_is_guest: customer ? 0 : 1,
      customer_group_id: customer ? (input.customerGroupId ?? 1) : 0,
      coupon_code: coupon?.code ?? null,
      applied_rule_ids: rule ? String(rule.rule_id) : null,
      discount_amount: -discount,
      discount_description: coupon?.code ?? null,
      subtotal,
      shipping_amount: shipping - shippingDiscount,
      grand_total: round(subtotal - discount + shipping - shippingDiscount),
      base_grand_total: round(subtotal - discount + shipping - shippingDiscount),
      ...(input.createdInAdmin ? {} : { remote_ip: input.remoteIp ?? "203.0.113.7" }),
      order_currency_code: this.info.currency,
      base_currency_code: this.info.currency,
      is_virtual: input.virtual ? 1 : 0,
      shipping_description: input.virtual ? null : (input.shippingMethod === "instore_pickup" ? "In-Store Pickup" : "Flat Rate - Fixed"),
      items: lines.map((l, i) => ({
        item_id: this.nextItemId++,
        order_id: entityId,
        sku: l.sku,
        name: l.product?.name ?? l.sku,
        product_id: l.product?.id ?? null,
        product_type: l.product?.type_id ?? "simple",
        qty_ordered: l.qty,
        price: l.price,
        row_total: round(l.qty * l.price),
        discount_amount: round(lineDiscounts[i] ?? 0),
      })),
      extension_attributes: {
        shipping_assignments: input.virtual ? [] : [{ shipping: { method: input.shippingMethod ?? "flatrate_flatrate" } }],
      },
    };
    this.orders.set(entityId, order);
    return order;
  }

  /**
   * A credit memo refunds `amount`: total_refunded grows, and an order refunded in full is closed (Magento's state
   * for it). updated_at moves, as with any change.
   */
  refundOrder(entityId: number, amount: number): Order {
    const order = this.orders.get(entityId);
    if (!order) throw noSuchEntity("entity_id", entityId);
    order.total_refunded = round((order.total_refunded ?? 0) + amount);
    if (order.total_refunded >= order.grand_total) {
      order.state = "closed";
      order.status = "closed";
    }
    order.updated_at = magentoDateTime(this.now());
    return order;
  }

  /** An order changes (invoiced, shipped, cancelled): Magento bumps updated_at. */
  updateOrder(entityId: number, patch: { state?: OrderState; status?: string }): Order {
    const order = this.orders.get(entityId);
    if (!order) throw noSuchEntity("entity_id", entityId);
    if (patch.state) order.state = patch.state;
    order.status = patch.status ?? (patch.state === "canceled" ? "canceled" : patch.state ?? order.status);
    order.updated_at = magentoDateTime(this.now());
    return order;
  }
}

export interface PlaceOrderInput {
  customer?: { id: number; email: string; firstname?: string; lastname?: string } | null;
  customerGroupId?: number;
  guestEmail?: string;
  lines: { sku: string; qty?: number; price?: number }[];
  couponCode?: string;
  state?: OrderState;
  virtual?: boolean;
  shippingMethod?: string;
  shippingAmount?: number;
  /** Created by staff in the admin: no shopper address is recorded. */
  createdInAdmin?: boolean;
  remoteIp?: string;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function stripUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
