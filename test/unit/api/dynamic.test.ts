// The REST API for dynamic pools: create one with its settings, issue codes created on the store (optionally for
// the triggering products), replay by idempotency key, platform failures as 503, and revoking through /retire.
import { describe, expect, it } from "vitest";
import * as pools from "../../../app/routes/api.v1.pools";
import * as issue from "../../../app/routes/api.v1.pools.$poolId.issue";
import * as retire from "../../../app/routes/api.v1.pools.$poolId.retire";
import { gid, parseGid, seedDemoShop } from "../../../simulator/shopify";
import { call, createApiShop, errorOf, type ApiShop } from "./helpers";

const simulator = () => globalThis.__testSimulator!;

interface PoolBody {
  id: string;
  kind: string;
  dynamic: Record<string, unknown> | null;
  stats: Record<string, unknown>;
}

async function seededApiShop() {
  const shop = await createApiShop();
  const demo = seedDemoShop(simulator(), { domain: shop.domain });
  return { ...shop, demo, customerNumber: (i: number) => parseGid(demo.customerIds[i]!)!.id };
}

async function createDynamic(shop: ApiShop, dynamic: unknown, name = "Birthday") {
  return call(pools, "POST", "/pools", { key: shop.key, json: { name, kind: "DYNAMIC", dynamic } });
}

function issueCall(shop: ApiShop, poolId: string, body: unknown, key: string) {
  return call(issue, "POST", `/pools/${poolId}/issue`, { key: shop.key, params: { poolId }, json: body, headers: { "idempotency-key": key } });
}

describe("dynamic pools through /api/v1", () => {
  it("GIVEN settings WHEN a dynamic pool is created THEN 201 with the settings (defaults filled in) and a pool that never runs out", async () => {
    const shop = await createApiShop();
    const created = await createDynamic(shop, {
      value: { type: "percentage", percent: 15 },
      appliesTo: { type: "triggered_products" },
      expiry: { type: "after", amount: 30, unit: "days" },
    });
    expect(created.status).toBe(201);
    const { pool } = (await created.json()) as { pool: PoolBody };
    expect(pool).toMatchObject({
      kind: "DYNAMIC",
      dynamic: {
        value: { type: "percentage", percent: 15 },
        appliesTo: { type: "triggered_products" },
        usableBy: "issued_customer",
        usageLimit: 1,
        expiry: { type: "after", amount: 30, unit: "days" },
        code: { prefix: "", length: 7, charset: "alphanumeric_upper" },
      },
      stats: { total: 0, pending: 0, percentRemaining: null, daysLeft: null },
    });
    const listed = (await (await call(pools, "GET", "/pools", { key: shop.key })).json()) as { pools: PoolBody[] };
    expect(listed.pools[0]?.dynamic).toEqual(pool.dynamic);
  });

  it("answers 400 with a message per field for bad settings, and refuses settings on a static pool or a dynamic pool without them", async () => {
    const shop = await createApiShop();
    const bad = await createDynamic(shop, { value: { type: "percentage", percent: 150 }, expiry: { type: "fixed", endsAt: "2020-01-01T00:00:00Z" }, usageLimit: 0 });
    expect(bad.status).toBe(400);
    const error = await errorOf(bad);
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual({
      fields: { "dynamic.value.percent": "The percentage can be at most 100", "dynamic.usageLimit": "A code must be usable at least once" },
    });
    const past = await errorOf(await createDynamic(shop, { value: { type: "free_shipping" }, expiry: { type: "fixed", endsAt: "2020-01-01T00:00:00Z" } }));
    expect(past.details).toEqual({ fields: { "dynamic.expiry.endsAt": expect.stringContaining("already passed") } });
    const missing = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "Dyn", kind: "DYNAMIC" } }));
    expect(missing.details).toEqual({ fields: { dynamic: expect.stringContaining("needs its settings") } });
    const onStatic = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "S", dynamic: { value: { type: "free_shipping" } } } }));
    expect(onStatic.details).toEqual({ fields: { dynamic: "Only dynamic pools have these settings" } });
    const unknownField = await errorOf(await createDynamic(shop, { value: { type: "free_shipping" }, colour: "red" }));
    expect(unknownField.details).toEqual({ fields: { "dynamic.colour": "Unknown field" } });
    expect(await shop.db.pool.count()).toBe(0);
  });

  it("GIVEN a dynamic pool WHEN a code is issued with triggered products THEN 201 with a fresh code restricted to them on the store; the same key THEN 200 with the same code", async () => {
    const shop = await seededApiShop();
    const { pool } = (await (await createDynamic(shop, { value: { type: "percentage", percent: 20 }, appliesTo: { type: "triggered_products" } })).json()) as { pool: PoolBody };
    const productNumber = parseGid(shop.demo.productIds[1]!)!.id;
    const body = { customer: { id: shop.customerNumber(0) }, triggeredProducts: [productNumber, shop.demo.variantIds[4]!] };
    const first = await issueCall(shop, pool.id, body, "msg-1");
    expect(first.status).toBe(201);
    const issued = (await first.json()) as { code: string; replayed: boolean; customerId: string; kind: string };
    expect(issued).toMatchObject({ code: expect.stringMatching(/^[A-Z2-9]{7}$/), replayed: false, kind: "INITIAL", customerId: shop.demo.customerIds[0] });
    const discount = simulator().state(shop.domain).discountByCode(issued.code)!;
    expect(discount.items).toEqual({ kind: "products", productIds: [productNumber], variantIds: [parseGid(shop.demo.variantIds[4]!)!.id] });
    expect(discount.context).toEqual({ kind: "customers", customerIds: [shop.customerNumber(0)] });

    const again = await issueCall(shop, pool.id, body, "msg-1");
    expect(again.status).toBe(200);
    expect(((await again.json()) as { code: string }).code).toBe(issued.code);
    expect(simulator().requestLog.filter((e) => e.shop === shop.domain && e.operationName === "DynamicCodeBasicCreate")).toHaveLength(1);

    // The same key for other products: refused, not answered with the code restricted to the first products.
    const otherProducts = await issueCall(shop, pool.id, { ...body, triggeredProducts: [parseGid(shop.demo.productIds[2]!)!.id] }, "msg-1");
    expect(otherProducts.status).toBe(422);
    expect((await errorOf(otherProducts)).code).toBe("idempotency_key_reused");
    // The same products in another order are the same request.
    const reordered = await issueCall(shop, pool.id, { ...body, triggeredProducts: [...body.triggeredProducts].reverse() }, "msg-1");
    expect(reordered.status).toBe(200);
  });

  it("answers 400 to product ids that are not Shopify's and 422 code_not_created when no triggered products are given", async () => {
    const shop = await seededApiShop();
    const { pool } = (await (await createDynamic(shop, { value: { type: "percentage", percent: 20 }, appliesTo: { type: "triggered_products" } })).json()) as { pool: PoolBody };
    const badIds = await errorOf(await issueCall(shop, pool.id, { customer: { id: shop.customerNumber(0) }, triggeredProducts: ["shoe-42"] }, "k1"));
    expect(badIds).toMatchObject({ code: "validation_failed", details: { fields: { triggeredProducts: expect.stringContaining("not a Shopify product id") } } });
    const numbers = await errorOf(await issueCall(shop, pool.id, { customer: { id: shop.customerNumber(0) }, triggeredProducts: [42] }, "k2"));
    expect(numbers.details).toEqual({ fields: { "triggeredProducts.0": expect.stringContaining("as a string") } });
    const none = await issueCall(shop, pool.id, { customer: { id: shop.customerNumber(0) } }, "k3");
    expect(none.status).toBe(422);
    expect(await errorOf(none)).toMatchObject({ code: "code_not_created", details: { reason: "no_triggered_products" } });
    expect(await shop.db.code.count()).toBe(0);
  });

  it("GIVEN the store is down THEN 503 platform_unavailable with Retry-After; retrying with the same key returns the one code created", async () => {
    const shop = await seededApiShop();
    const { pool } = (await (await createDynamic(shop, { value: { type: "fixed_amount", amount: "5" } })).json()) as { pool: PoolBody };
    simulator().injectFault(shop.domain, { kind: "status", status: 503 }, { times: 4, match: { rootField: "discountCodeBasicCreate" } });
    const body = { customer: { id: shop.customerNumber(2) } };
    const down = await issueCall(shop, pool.id, body, "flaky-1");
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await errorOf(down)).toMatchObject({ code: "platform_unavailable" });
    expect(await shop.db.code.findFirstOrThrow({})).toMatchObject({ status: "PENDING" });

    const retry = await issueCall(shop, pool.id, body, "flaky-1");
    expect(retry.status).toBe(200);
    const { code } = (await retry.json()) as { code: string };
    expect(await shop.db.code.findFirstOrThrow({})).toMatchObject({ status: "ASSIGNED", code });
    expect(simulator().state(shop.domain).isCodeTaken(code)).toBe(true);
  }, 20_000);

  it("revokes dynamic codes through /retire: the store stops accepting them and they are retired; allUnused is refused", async () => {
    const shop = await seededApiShop();
    const { pool } = (await (await createDynamic(shop, { value: { type: "free_shipping" }, usableBy: "anyone" })).json()) as { pool: PoolBody };
    const { code } = (await (await issueCall(shop, pool.id, { customer: { id: gid("Customer", shop.customerNumber(1)) } }, "r-1")).json()) as { code: string };
    const response = await call(retire, "POST", `/pools/${pool.id}/retire`, { key: shop.key, params: { poolId: pool.id }, json: { codes: [code, "NOT-MINE"] } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ retired: 1, skipped: [{ code: "NOT-MINE", reason: "not_in_pool" }] });
    const store = simulator().state(shop.domain);
    expect(store.discountStatus(store.discountByCode(code)!)).toBe("EXPIRED");
    expect(await shop.db.code.findFirstOrThrow({ where: { code } })).toMatchObject({ status: "RETIRED" });
    const all = await call(retire, "POST", `/pools/${pool.id}/retire`, { key: shop.key, params: { poolId: pool.id }, json: { allUnused: true } });
    expect(all.status).toBe(409);
  });
});
