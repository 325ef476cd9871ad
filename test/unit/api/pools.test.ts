import { describe, expect, it } from "vitest";
import * as notFound from "../../../app/routes/api.v1.$";
import * as pools from "../../../app/routes/api.v1.pools";
import * as pool from "../../../app/routes/api.v1.pools.$poolId";
import { issueCode } from "../../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { call, createApiShop, errorOf } from "./helpers";

interface PoolBody {
  id: string;
  name: string;
  kind: string;
  emptyBehavior: string;
  fallbackCode: string | null;
  lowStockThreshold: number | null;
  lowStock: boolean;
  createdAt: string;
  stats: Record<string, unknown> & { daily?: { day: string; count: number }[] };
}

describe("GET, POST /api/v1/pools and GET /api/v1/pools/:poolId", () => {
  it("creates a static pool (201 with Location), then lists it and reads it with its stats", async () => {
    const shop = await createApiShop();
    const created = await call(pools, "POST", "/pools", {
      key: shop.key,
      json: { name: "Welcome 10%", lowStockThreshold: 5, emptyBehavior: "SEND_FALLBACK", fallbackCode: "WELCOME" },
    });
    expect(created.status).toBe(201);
    const { pool: body } = (await created.json()) as { pool: PoolBody };
    expect(created.headers.get("location")).toBe(`/api/v1/pools/${body.id}`);
    expect(body).toMatchObject({ name: "Welcome 10%", kind: "STATIC", emptyBehavior: "SEND_FALLBACK", fallbackCode: "WELCOME", lowStockThreshold: 5, lowStock: false });
    expect(body.stats).toMatchObject({ total: 0, available: 0, percentRemaining: null, daysLeft: null });
    expect(JSON.stringify(body)).not.toContain(shop.id);

    const list = await call(pools, "GET", "/pools", { key: shop.key });
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    const { pools: listed } = (await list.json()) as { pools: PoolBody[] };
    expect(listed.map((p) => p.id)).toEqual([body.id]);
    expect(listed[0]!.stats.daily).toBeUndefined();
  });

  it("lists the pools a page at a time, newest first: a pool created or deleted between pages neither repeats nor hides another", async () => {
    const shop = await createApiShop();
    const base = Date.now() - 3_600_000;
    // Five pools, two created in the same millisecond (the page key falls back on the id between them).
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(await shop.db.pool.create({ data: { shopId: shop.id, name: `P${i}`, createdAt: new Date(base + Math.min(i, 3) * 1000) } }));
    }
    const newestFirst = [...created].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((p) => p.name);
    const page = async (query: string) => {
      const response = await call(pools, "GET", `/pools${query}`, { key: shop.key });
      expect(response.status).toBe(200);
      return (await response.json()) as { pools: PoolBody[]; nextCursor: string | null };
    };
    const first = await page("?limit=2");
    expect(first.pools.map((p) => p.name)).toEqual(newestFirst.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    // Between pages: a new pool (it belongs before the first page), and a deletion on the first page.
    await shop.db.pool.create({ data: { shopId: shop.id, name: "Newer" } });
    await shop.db.pool.update({ where: { id: first.pools[0]!.id }, data: { deletedAt: new Date() } });
    const second = await page(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.pools.map((p) => p.name)).toEqual(newestFirst.slice(2, 4));
    const third = await page(`?limit=2&cursor=${second.nextCursor}`);
    expect(third).toEqual({ pools: [expect.objectContaining({ name: newestFirst[4] })], nextCursor: null });
    expect((await page("")).pools.map((p) => p.name)).toEqual(["Newer", ...newestFirst.slice(1)]);

    for (const [query, field] of [["?limit=0", "limit"], ["?limit=251", "limit"], ["?limit=abc", "limit"], ["?cursor=zz", "cursor"], [`?cursor=${Buffer.from('["x","y"]').toString("base64url")}`, "cursor"]] as const) {
      const refused = await call(pools, "GET", `/pools${query}`, { key: shop.key });
      expect(refused.status, query).toBe(400);
      expect(await errorOf(refused)).toMatchObject({ code: "validation_failed", details: { fields: { [field]: expect.any(String) } } });
    }
  });

  it.each(["0000-01-01T00:00:00.000Z", "-271821-04-20T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "+010000-01-01T00:00:00.000Z"])(
    "GIVEN a cursor whose date, %s, is out of range WHEN listing pools THEN 400 validation_failed names the cursor",
    async (date) => {
      const shop = await createApiShop();
      await shop.db.pool.create({ data: { shopId: shop.id, name: "P" } });
      const cursor = Buffer.from(JSON.stringify([date, "00000000-0000-4000-8000-000000000000"])).toString("base64url");
      const response = await call(pools, "GET", "/pools", { key: shop.key, query: { cursor } });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "validation_failed", details: { fields: { cursor: expect.any(String) } } });
    },
  );

  it("reports total, available, assigned, redeemed, retired, expired, percentRemaining and daysLeft", async () => {
    const shop = await createApiShop();
    const p = await createPoolWithCodes(shop, ["S1", "S2", "S3", "S4", "S5", "S6"], {
      expiresAt: (i) => (i === 5 ? new Date(Date.now() - 60_000) : null),
    });
    const [ada, bob] = await createCustomers(shop, 2);
    await issueCode(shop.db, { shopId: shop.id, poolId: p.id, customerId: ada! });
    await issueCode(shop.db, { shopId: shop.id, poolId: p.id, customerId: bob! });
    await shop.db.code.updateMany({ where: { code: "S2" }, data: { status: "REDEEMED", redeemedAt: new Date() } });
    await shop.db.code.updateMany({ where: { code: "S3" }, data: { status: "RETIRED" } });

    const response = await call(pool, "GET", `/pools/${p.id}`, { key: shop.key, params: { poolId: p.id } });
    expect(response.status).toBe(200);
    const { pool: body } = (await response.json()) as { pool: PoolBody };
    expect(body.stats).toMatchObject({
      total: 6,
      available: 2,
      assigned: 1,
      redeemed: 1,
      retired: 1,
      expired: 1,
      // Of all six codes, retired and expired included: the list shows total and remaining side by side.
      percentRemaining: 33.3,
      issuedLast7Days: 2,
      daysLeft: 7,
    });
    expect(body.stats.daily).toHaveLength(30);
    expect(body.stats.daily!.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), count: 2 });
  });

  it("answers 400 with field details for invalid fields, unknown fields and a fallback missing", async () => {
    const shop = await createApiShop();
    const blank = await call(pools, "POST", "/pools", { key: shop.key, json: { name: "  " } });
    expect(blank.status).toBe(400);
    const blankError = await errorOf(blank);
    expect(blankError).toMatchObject({ code: "validation_failed", details: { fields: { name: "Give the pool a name" } } });

    const fallback = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "X", emptyBehavior: "SEND_FALLBACK" } }));
    expect(fallback.details).toEqual({ fields: { fallbackCode: expect.stringContaining("fallback code is required") } });

    const unknown = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "X", fallback_code: "Y" } }));
    expect(unknown).toMatchObject({ code: "validation_failed", details: { fields: { fallback_code: "Unknown field" } } });

    const badEnum = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "X", emptyBehavior: "EXPLODE" } }));
    expect(Object.keys(badEnum.details!.fields as object)).toEqual(["emptyBehavior"]);

    // The threshold is a JSON number: a string, a boolean or an array that looks like one is refused, not read as one
    // ("" would otherwise arm the alert at zero).
    for (const lowStockThreshold of ["5", "", true, [7], 1.5, -1]) {
      const wrong = await errorOf(await call(pools, "POST", "/pools", { key: shop.key, json: { name: "X", lowStockThreshold } }));
      expect(wrong, JSON.stringify(lowStockThreshold)).toMatchObject({ code: "validation_failed", details: { fields: { lowStockThreshold: expect.any(String) } } });
    }

    const array = await call(pools, "POST", "/pools", { key: shop.key, json: [{ name: "X" }] });
    expect(array.status).toBe(400);
    expect(await shop.db.pool.count()).toBe(0);
  });

  it("answers 400 to malformed JSON, 415 to another content type, 413 to an oversized body", async () => {
    const shop = await createApiShop();
    const malformed = await call(pools, "POST", "/pools", { key: shop.key, headers: { "content-type": "application/json" }, body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe("malformed_json");

    const empty = await call(pools, "POST", "/pools", { key: shop.key, headers: { "content-type": "application/json" }, body: "" });
    expect(empty.status).toBe(400);

    const form = await call(pools, "POST", "/pools", { key: shop.key, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "name=X" });
    expect(form.status).toBe(415);
    expect(await errorOf(form)).toMatchObject({ code: "unsupported_media_type", details: { supported: ["application/json"] } });

    const huge = await call(pools, "POST", "/pools", { key: shop.key, json: { name: "X", description: "d".repeat(1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe("payload_too_large");
  });

  it("answers 409 to a name already used (case-insensitively) in the store, and lets another store use it", async () => {
    const shop = await createApiShop();
    expect((await call(pools, "POST", "/pools", { key: shop.key, json: { name: "Spring" } })).status).toBe(201);
    const taken = await call(pools, "POST", "/pools", { key: shop.key, json: { name: "SPRING" } });
    expect(taken.status).toBe(409);
    expect((await errorOf(taken)).code).toBe("pool_name_taken");
    const elsewhere = await createApiShop();
    expect((await call(pools, "POST", "/pools", { key: elsewhere.key, json: { name: "Spring" } })).status).toBe(201);
  });

  it("answers 404 to a pool id that is not a UUID or is deleted", async () => {
    const shop = await createApiShop();
    const notUuid = await call(pool, "GET", "/pools/abc", { key: shop.key, params: { poolId: "abc" } });
    expect(notUuid.status).toBe(404);
    expect((await errorOf(notUuid)).code).toBe("pool_not_found");
    const p = await createPoolWithCodes(shop, []);
    await shop.db.pool.update({ where: { id: p.id }, data: { deletedAt: new Date() } });
    expect((await call(pool, "GET", `/pools/${p.id}`, { key: shop.key, params: { poolId: p.id } })).status).toBe(404);
  });

  it("answers 405 with Allow to a method the endpoint does not support, and lists methods on OPTIONS", async () => {
    const shop = await createApiShop();
    const p = await createPoolWithCodes(shop, []);
    const del = await call(pool, "DELETE", `/pools/${p.id}`, { key: shop.key, params: { poolId: p.id } });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(await errorOf(del)).toMatchObject({ code: "method_not_allowed", details: { allow: ["GET", "HEAD", "OPTIONS"] } });
    const put = await call(pools, "PUT", "/pools", { key: shop.key, json: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
    const options = await call(pools, "OPTIONS", "/pools");
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
  });

  it("answers HEAD like GET without a body", async () => {
    const shop = await createApiShop();
    const head = await call(pools, "HEAD", "/pools", { key: shop.key });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers a JSON 404 for paths under /api/v1 that are not endpoints", async () => {
    const response = await call(notFound, "GET", "/nope", { params: { "*": "nope" } });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("not_found");
    expect((await call(notFound, "POST", "/pools/x/y", { json: {} })).status).toBe(404);
  });
});
