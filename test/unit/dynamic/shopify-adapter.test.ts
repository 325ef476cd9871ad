// The Shopify adapter's dynamic-code methods against the store simulator, which checks every request against the
// vendored 2026-07 schema and answers with Shopify's userErrors, throttling and injected transport faults.
import { describe, expect, it } from "vitest";
import { PermanentPlatformError, RetriablePlatformError } from "../../../app/platforms/errors";
import { platformFor } from "../../../app/platforms/index.server";
import type { DynamicCodeSpec } from "../../../app/platforms/port";
import { ShopifyAdminClient } from "../../../app/platforms/shopify/admin-client.server";
import { ShopifyPlatform } from "../../../app/platforms/shopify/adapter.server";
import { unauthenticated } from "../../../app/shopify.server";
import { gid, parseGid } from "../../../simulator/shopify";
import { createTestShop } from "../../support/shops";

const simulator = () => globalThis.__testSimulator!;

async function seededShop() {
  const shop = await createTestShop({ seed: true });
  const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
  const store = simulator().state(shop.domain);
  const [customer] = [...store.customers.values()];
  const products = [...store.products.values()];
  const [collection] = [...store.collections.values()];
  return {
    shop,
    platform,
    store,
    customerGid: gid("Customer", customer!.id),
    productGids: products.slice(0, 2).map((p) => gid("Product", p.id)),
    variantGid: gid("ProductVariant", products[3]!.variantIds[0]!),
    collectionGid: gid("Collection", collection!.id),
    log: () => simulator().requestLog.filter((e) => e.shop === shop.domain),
  };
}

let counter = 0;
function spec(overrides: Partial<DynamicCodeSpec> = {}): DynamicCodeSpec {
  counter += 1;
  const code = `DYN${Date.now().toString(36).toUpperCase()}${counter}`;
  return {
    code,
    groupKey: "pool:abc",
    title: `Birthday · ${code}`,
    value: { type: "percentage", percent: 15 },
    target: { type: "order" },
    customerId: null,
    usageLimit: 1,
    oncePerCustomer: false,
    minimumSubtotal: null,
    startsAt: new Date(Date.now() - 1000),
    endsAt: null,
    combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false },
    ...overrides,
  };
}

function discountId(ref: string): string {
  return parseGid(ref)!.id;
}

describe("Shopify adapter: creating dynamic codes", () => {
  it("GIVEN a percentage code for one customer on triggered products WHEN created THEN Shopify holds one discount with exactly those settings", async () => {
    const { platform, store, customerGid, productGids, variantGid } = await seededShop();
    const endsAt = new Date(Date.now() + 7 * 86_400_000);
    const s = spec({
      customerId: customerGid,
      target: { type: "products", productIds: productGids, variantIds: [variantGid] },
      usageLimit: 2,
      oncePerCustomer: true,
      minimumSubtotal: "40.00",
      endsAt,
      combinesWith: { productDiscounts: false, orderDiscounts: true, shippingDiscounts: true },
    });
    const result = await platform.createDynamicCode(s);
    expect(result).toEqual({ type: "created", platformRef: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/) });
    if (result.type !== "created") return;
    const discount = store.discounts.get(discountId(result.platformRef))!;
    expect(discount).toMatchObject({
      kind: "basic",
      title: s.title,
      usageLimit: 2,
      appliesOncePerCustomer: true,
      endsAt: endsAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      combinesWith: { productDiscounts: false, orderDiscounts: true, shippingDiscounts: true },
      context: { kind: "customers", customerIds: [parseGid(customerGid)!.id] },
      minimumRequirement: { kind: "subtotal", subtotalCents: 4000 },
      value: { kind: "percentage", percentage: 0.15 },
      items: { kind: "products", productIds: productGids.map((g) => parseGid(g)!.id), variantIds: [parseGid(variantGid)!.id] },
    });
    expect(store.discountCodes(discount).map((c) => c.code)).toEqual([s.code]);
    expect(await platform.findCode(s.code.toLowerCase())).toEqual({ platformRef: result.platformRef });
  });

  it("creates a fixed amount off a collection, a whole-order code for anyone, and free shipping with discountCodeFreeShippingCreate", async () => {
    const { platform, store, collectionGid, customerGid, log } = await seededShop();
    const fixed = await platform.createDynamicCode(spec({ value: { type: "fixed_amount", amount: "12.50" }, target: { type: "collections", collectionIds: [collectionGid] } }));
    const anyone = await platform.createDynamicCode(spec({ value: { type: "percentage", percent: 12.5 } }));
    const shipping = await platform.createDynamicCode(spec({ value: { type: "free_shipping" }, customerId: customerGid }));
    const byRef = (r: typeof fixed) => (r.type === "created" ? store.discounts.get(discountId(r.platformRef)) : undefined);
    expect(byRef(fixed)).toMatchObject({
      value: { kind: "amount", amountCents: 1250, appliesOnEachItem: false },
      items: { kind: "collections", collectionIds: [parseGid(collectionGid)!.id] },
    });
    expect(byRef(anyone)).toMatchObject({ value: { kind: "percentage", percentage: 0.125 }, items: { kind: "all" }, context: { kind: "all" } });
    expect(byRef(shipping)).toMatchObject({ kind: "freeShipping", destination: { kind: "all" }, context: { kind: "customers" } });
    expect(log().map((e) => e.operationName)).toEqual(["DynamicCodeBasicCreate", "DynamicCodeBasicCreate", "DynamicCodeFreeShippingCreate"]);
  });

  it("turns userErrors into typed results: code taken, product gone, customer gone, invalid value", async () => {
    const { platform, productGids, customerGid } = await seededShop();
    expect(await platform.createDynamicCode(spec({ code: "WELCOME10" }))).toEqual({ type: "code_taken" });
    expect(
      await platform.createDynamicCode(spec({ target: { type: "products", productIds: [productGids[0]!, "gid://shopify/Product/999999999"], variantIds: [] } })),
    ).toEqual({ type: "target_gone", ids: ["gid://shopify/Product/999999999"] });
    expect(
      await platform.createDynamicCode(spec({ target: { type: "collections", collectionIds: ["424242"] } })),
    ).toEqual({ type: "target_gone", ids: ["424242"] });
    expect(await platform.createDynamicCode(spec({ customerId: "gid://shopify/Customer/1" }))).toEqual({ type: "customer_gone" });
    const invalid = await platform.createDynamicCode(spec({ customerId: customerGid, value: { type: "fixed_amount", amount: "0" } }));
    expect(invalid).toEqual({ type: "invalid", message: expect.stringMatching(/customerGets\.value\.discountAmount\.amount: Amount must be greater than 0/) });
    const ended = await platform.createDynamicCode(spec({ endsAt: new Date(Date.now() - 60_000) }));
    expect(ended).toEqual({ type: "invalid", message: expect.stringContaining("endsAt") });
    expect(await platform.createDynamicCode(spec({ value: { type: "free_shipping" }, target: { type: "products", productIds: productGids, variantIds: [] } }))).toMatchObject({
      type: "invalid",
    });
  });

  it("findCode adopts only a discount this app made for that one code, never the merchant's own", async () => {
    const { platform, store } = await seededShop();
    expect(await platform.findCode("WELCOME10")).toBeNull();
    expect(await platform.findCode("NO-SUCH-CODE")).toBeNull();
    const created = await platform.createDynamicCode(spec({ code: "MINE-0001" }));
    if (created.type !== "created") throw new Error(created.type);
    expect(await platform.findCode("MINE-0001")).toEqual({ platformRef: created.platformRef });
    // A second code added to the same discount makes it a multi-code discount: not one of ours any more.
    store.addRedeemCode(store.discounts.get(discountId(created.platformRef))!, "MINE-0002");
    expect(await platform.findCode("MINE-0001")).toBeNull();
  });

  it("revokes by deactivating: the discount ends now, keeps its code, and revoking again (or after a delete in Shopify) succeeds", async () => {
    const { platform, store, shop } = await seededShop();
    const created = await platform.createDynamicCode(spec({ code: "REVOKE-ME1" }));
    if (created.type !== "created") throw new Error(created.type);
    await platform.revokeCode(created.platformRef);
    const discount = store.discounts.get(discountId(created.platformRef))!;
    expect(store.discountStatus(discount)).toBe("EXPIRED");
    expect(store.isCodeTaken("REVOKE-ME1")).toBe(true);
    await expect(platform.revokeCode(created.platformRef)).resolves.toBeUndefined();
    store.deleteDiscount(discount.id);
    await expect(platform.revokeCode(created.platformRef)).resolves.toBeUndefined();
    expect(simulator().requestLog.filter((e) => e.shop === shop.domain && e.operationName === "DynamicCodeDeactivate")).toHaveLength(3);
  });
});

describe("Shopify adapter: throttling, transport failures and lost responses", () => {
  it("GIVEN a burst of 125 creates against a full bucket (room for 100) THEN the last ones wait for the restore and Shopify never answers THROTTLED", async () => {
    const { platform, log } = await seededShop();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 125 }, () => platform.createDynamicCode(spec())));
    expect(results.every((r) => r.type === "created")).toBe(true);
    expect(log().filter((e) => e.errorCodes.includes("THROTTLED"))).toEqual([]);
    expect(log().filter((e) => e.executed)).toHaveLength(125);
    // 125 mutations of 10 points against 1,000 points restoring at 100/s: the last 25 wait about 2.5 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it("GIVEN a bucket drained behind the client's back THEN the THROTTLED answer (never executed) is waited out and retried, creating one code", async () => {
    const { platform, shop, store, log } = await seededShop();
    await platform.findCode("WARM-UP");
    simulator().setAvailablePoints(shop.domain, 0);
    const s = spec();
    expect(await platform.createDynamicCode(s)).toMatchObject({ type: "created" });
    const attempts = log().filter((e) => e.operationName === "DynamicCodeBasicCreate");
    expect(attempts[0]?.errorCodes).toContain("THROTTLED");
    expect(attempts.filter((e) => e.executed)).toHaveLength(1);
    expect(store.isCodeTaken(s.code)).toBe(true);
  });

  it("GIVEN a 429 THEN the client waits and retries (Shopify ran nothing); GIVEN a 503 THEN a retriable error reaches the caller and nothing was created", async () => {
    const { platform, shop, store } = await seededShop();
    simulator().injectFault(shop.domain, { kind: "status", status: 429, retryAfterSeconds: 0 }, { match: { rootField: "discountCodeBasicCreate" } });
    const first = spec();
    expect(await platform.createDynamicCode(first)).toMatchObject({ type: "created" });
    simulator().injectFault(shop.domain, { kind: "status", status: 503 }, { match: { rootField: "discountCodeBasicCreate" } });
    const second = spec();
    await expect(platform.createDynamicCode(second)).rejects.toBeInstanceOf(RetriablePlatformError);
    expect(store.isCodeTaken(second.code)).toBe(false);
  });

  it("GIVEN the response is lost after Shopify created the code (502) THEN a retriable error is thrown, and findCode shows the code exists", async () => {
    const { platform, shop, store } = await seededShop();
    simulator().injectFault(shop.domain, { kind: "executeThenFail", status: 502 }, { match: { rootField: "discountCodeBasicCreate" } });
    const s = spec();
    await expect(platform.createDynamicCode(s)).rejects.toBeInstanceOf(RetriablePlatformError);
    const found = await platform.findCode(s.code);
    expect(found?.platformRef).toMatch(/DiscountCodeNode/);
    expect(store.discountCodes(store.discountByCode(s.code)!)).toHaveLength(1);
    // Creating it again is refused as taken: never a second discount.
    expect(await platform.createDynamicCode(s)).toEqual({ type: "code_taken" });
  });

  it("GIVEN Shopify never answers THEN the request times out as a retriable error, whether or not the code was created", async () => {
    const { shop, store } = await seededShop();
    const { admin } = await unauthenticated.admin(shop.domain);
    const platform = new ShopifyPlatform(new ShopifyAdminClient(shop.domain, admin.graphql, { timeoutMs: 300 }));
    simulator().injectFault(shop.domain, { kind: "timeout" }, { match: { rootField: "discountCodeBasicCreate" } });
    const hung = spec();
    const started = Date.now();
    await expect(platform.createDynamicCode(hung)).rejects.toBeInstanceOf(RetriablePlatformError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(store.isCodeTaken(hung.code)).toBe(false);

    simulator().injectFault(shop.domain, { kind: "executeThenTimeout" }, { match: { rootField: "discountCodeBasicCreate" } });
    const lost = spec();
    await expect(platform.createDynamicCode(lost)).rejects.toBeInstanceOf(RetriablePlatformError);
    expect(await platform.findCode(lost.code)).not.toBeNull();
  });

  it("reports a revoked token on create as a permanent error", async () => {
    const { shop } = await seededShop();
    const { prisma } = await import("../../../app/db.server");
    await prisma.session.update({ where: { id: `offline_${shop.domain}` }, data: { accessToken: "shpat_revoked" } });
    const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
    await expect(platform.createDynamicCode(spec())).rejects.toBeInstanceOf(PermanentPlatformError);
  });
});
