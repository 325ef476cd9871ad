/**
 * A believable demo store, generated deterministically: the same domain and
 * seed always give the same records, ids and timestamps (timestamps come from
 * a fixed calendar, not the clock), so tests can rely on them.
 *
 * 12 products (4 vendors, 4 product types, 3 collections, 1–3 variants each),
 * 30 customers, 2 code discounts (WELCOME10, SHIPFREE75) and 10 orders, some
 * of which redeemed those codes.
 */
import { placeOrder } from "./checkout";
import type { ShopPlan } from "./cost";
import { gid, hashString } from "./ids";
import type { ShopifySimulator } from "./simulator";
import { COLLECTIONS, FIRST_NAMES, LAST_NAMES, PRODUCTS, TAGS } from "./seed-data";
import type { CustomerRecord, DiscountRecord, EmailMarketingState, ShopStore } from "./store";

export interface DemoSeedOptions {
  readonly domain: string;
  readonly plan?: ShopPlan;
  /** Used when the shop is not registered yet; defaults to a token derived from the domain. */
  readonly accessToken?: string;
  readonly scopes?: readonly string[];
  readonly name?: string;
  /** Varies the generated customers and orders; default 1. */
  readonly seed?: number;
}

export interface DemoShopSummary {
  readonly domain: string;
  readonly accessToken: string;
  readonly store: ShopStore;
  /** Gids, in creation order. */
  readonly productIds: readonly string[];
  readonly variantIds: readonly string[];
  readonly collectionIds: readonly string[];
  readonly customerIds: readonly string[];
  readonly discountIds: readonly string[];
  readonly discountCodes: readonly string[];
  readonly orderIds: readonly string[];
}

/** mulberry32: tiny, fast, good enough for demo data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const DAY = 86_400_000;
const CATALOG_CREATED = Date.UTC(2025, 4, 1);
const DISCOUNTS_START = Date.UTC(2026, 1, 1);
const ORDERS_FROM = Date.UTC(2026, 2, 1);

const handleOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

function seedCatalog(store: ShopStore, random: () => number) {
  const collectionIds = COLLECTIONS.map((title, i) => {
    const id = store.ids.next();
    store.collections.set(id, {
      id,
      title,
      handle: handleOf(title),
      description: `${title} picks from our makers.`,
      productIds: [],
      updatedAt: iso(CATALOG_CREATED + i * DAY),
    });
    return id;
  });
  const productIds = PRODUCTS.map((spec, index) => {
    const id = store.ids.next();
    const created = iso(CATALOG_CREATED + index * 3 * DAY);
    const values = spec.option?.values ?? ["Default Title"];
    const variantIds = values.map((value, position) => {
      const variantId = store.ids.next();
      store.variants.set(variantId, {
        id: variantId,
        productId: id,
        title: value,
        sku: `${handleOf(spec.title).slice(0, 12).toUpperCase()}-${handleOf(value).toUpperCase()}`,
        priceCents: spec.price + position * (spec.option?.step ?? 0),
        compareAtPriceCents: null,
        inventoryQuantity: Math.floor(random() * 80),
        options: [{ name: spec.option?.name ?? "Title", value }],
        position: position + 1,
        createdAt: created,
        updatedAt: created,
      });
      return variantId;
    });
    store.products.set(id, {
      id,
      title: spec.title,
      handle: handleOf(spec.title),
      vendor: spec.vendor,
      productType: spec.type,
      status: "ACTIVE",
      description: `${spec.title} by ${spec.vendor}.`,
      tags: [spec.type.toLowerCase(), handleOf(spec.vendor)],
      variantIds,
      createdAt: created,
      updatedAt: created,
    });
    for (const c of spec.collections) store.collections.get(collectionIds[c] ?? "")?.productIds.push(id);
    return id;
  });
  return { collectionIds, productIds };
}

function seedCustomers(store: ShopStore, random: () => number): string[] {
  const used = new Set<string>();
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const firstName = FIRST_NAMES[i % FIRST_NAMES.length] ?? "Alex";
    let lastName = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)] ?? "Smith";
    while (used.has(`${firstName} ${lastName}`))
      lastName = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)] ?? "Smith";
    used.add(`${firstName} ${lastName}`);
    const tags = TAGS.filter(() => random() < 0.2);
    const roll = random();
    const marketingState: EmailMarketingState =
      roll < 0.6 ? "SUBSCRIBED" : roll < 0.85 ? "NOT_SUBSCRIBED" : "UNSUBSCRIBED";
    const created = iso(CATALOG_CREATED + Math.floor(random() * 300) * DAY);
    const id = store.ids.next();
    const customer: CustomerRecord = {
      id,
      email: `${firstName}.${lastName}@example.com`.toLowerCase(),
      firstName,
      lastName,
      phone: null,
      note: null,
      tags,
      state: random() < 0.3 ? "ENABLED" : "DISABLED",
      verifiedEmail: true,
      numberOfOrders: 0,
      amountSpentCents: 0,
      emailMarketing: {
        marketingState,
        marketingOptInLevel: marketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
        consentUpdatedAt: marketingState === "NOT_SUBSCRIBED" ? null : created,
      },
      createdAt: created,
      updatedAt: created,
    };
    store.customers.set(id, customer);
    ids.push(id);
  }
  return ids;
}

function seedDiscounts(store: ShopStore): { ids: string[]; codes: string[] } {
  const created = iso(DISCOUNTS_START - 7 * DAY);
  const common = {
    endsAt: null,
    usageLimit: null,
    recurringCycleLimit: null,
    tags: [],
    context: { kind: "all" } as const,
    appliesOnOneTimePurchase: true,
    appliesOnSubscription: false,
    codeIds: [],
    startsAt: iso(DISCOUNTS_START),
    createdAt: created,
    updatedAt: created,
  };
  const welcome: DiscountRecord = {
    ...common,
    id: store.ids.next(),
    kind: "basic",
    title: "Welcome 10% off",
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
    minimumRequirement: null,
    value: { kind: "percentage", percentage: 0.1 },
    items: { kind: "all" },
    destination: null,
    maximumShippingPriceCents: null,
  };
  const shipping: DiscountRecord = {
    ...common,
    codeIds: [],
    tags: [],
    id: store.ids.next(),
    kind: "freeShipping",
    title: "Free shipping over $75",
    appliesOncePerCustomer: false,
    combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: false },
    minimumRequirement: { kind: "subtotal", subtotalCents: 7500 },
    value: null,
    items: null,
    destination: { kind: "all" },
    maximumShippingPriceCents: null,
  };
  const codes = ["WELCOME10", "SHIPFREE75"];
  [welcome, shipping].forEach((d, i) => {
    store.discounts.set(d.id, d);
    const redeem = store.addRedeemCode(d, codes[i] ?? "");
    redeem.createdAt = created;
  });
  return { ids: [welcome.id, shipping.id], codes };
}

function seedOrders(
  store: ShopStore,
  random: () => number,
  customerIds: readonly string[],
  productIds: readonly string[],
): string[] {
  const variantOf = (productIndex: number) => {
    const product = store.products.get(productIds[productIndex] ?? "");
    const ids = product?.variantIds ?? [];
    return ids[Math.floor(random() * ids.length)] ?? "";
  };
  // Which orders redeem a code is fixed, so tests can count on it: 3 × WELCOME10 (distinct customers), 3 × SHIPFREE75.
  const plan: readonly (readonly string[])[] = [
    [],
    ["WELCOME10"],
    ["SHIPFREE75"],
    [],
    ["WELCOME10"],
    [],
    [],
    ["WELCOME10", "SHIPFREE75"],
    ["SHIPFREE75"],
    [],
  ];
  const orderIds: string[] = [];
  const customers = [...customerIds];
  plan.forEach((codes, index) => {
    const customerId = customers.splice(Math.floor(random() * customers.length), 1)[0] ?? null;
    const lines = [
      { variantId: variantOf(Math.floor(random() * productIds.length)), quantity: 1 + Math.floor(random() * 2) },
    ];
    // The free-shipping code needs a $75 subtotal: add the rain shell.
    if (codes.includes("SHIPFREE75")) lines.push({ variantId: variantOf(6), quantity: 1 });
    else if (random() < 0.5)
      lines.push({ variantId: variantOf(Math.floor(random() * productIds.length)), quantity: 1 });
    const processedAt = iso(ORDERS_FROM + index * 23 * DAY + Math.floor(random() * 20) * 3_600_000);
    orderIds.push(placeOrder(store, { customerId, lines, discountCodes: codes, processedAt }).id);
  });
  return orderIds;
}

export function seedDemoShop(sim: ShopifySimulator, options: DemoSeedOptions): DemoShopSummary {
  const domain = options.domain;
  const accessToken = sim.hasShop(domain)
    ? sim.accessToken(domain)
    : (options.accessToken ?? `shpat_sim_${hashString(domain).toString(16).padStart(8, "0")}`);
  if (!sim.hasShop(domain)) {
    sim.registerShop({
      domain,
      accessToken,
      plan: options.plan ?? "standard",
      name: options.name ?? "Maple & Moss Outfitters",
      ...(options.scopes ? { scopes: options.scopes } : {}),
    });
  }
  const store = sim.state(domain);
  if (store.products.size > 0 || store.customers.size > 0)
    throw new Error(`shop ${domain} already has data; seed a fresh shop`);
  const random = prng(hashString(`${store.profile.domain}#${options.seed ?? 1}`));
  const { collectionIds, productIds } = seedCatalog(store, random);
  const customerIds = seedCustomers(store, random);
  const discounts = seedDiscounts(store);
  const orderIds = seedOrders(store, random, customerIds, productIds);
  return {
    domain: store.profile.domain,
    accessToken,
    store,
    productIds: productIds.map((id) => gid("Product", id)),
    variantIds: [...store.variants.keys()].map((id) => gid("ProductVariant", id)),
    collectionIds: collectionIds.map((id) => gid("Collection", id)),
    customerIds: customerIds.map((id) => gid("Customer", id)),
    discountIds: discounts.ids.map((id) => gid("DiscountCodeNode", id)),
    discountCodes: discounts.codes,
    orderIds: orderIds.map((id) => gid("Order", id)),
  };
}
