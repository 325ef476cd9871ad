import { describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import * as pools from "../../../app/routes/api.v1.pools";
import * as pool from "../../../app/routes/api.v1.pools.$poolId";
import {
  authenticateApiKey,
  createApiKey,
  hashSecret,
  listApiKeys,
  MAX_ACTIVE_API_KEYS,
  parseApiKey,
  revokeApiKey,
} from "../../../app/services/api-keys.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";
import { apiRequest, call, createApiShop, errorOf } from "./helpers";

describe("API keys", () => {
  it("GIVEN a new key THEN the full secret is returned once and only the prefix and a SHA-256 of the secret are stored", async () => {
    const shop = await createTestShop();
    const created = await createApiKey(shop.db, shop.id, "  Zapier  ");
    expect(created.type).toBe("created");
    if (created.type !== "created") return;
    expect(created.secret).toMatch(/^pk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parts = parseApiKey(created.secret)!;
    expect(created.apiKey).toMatchObject({ name: "Zapier", prefix: parts.prefix, active: true, lastUsedAt: null, revokedAt: null });
    expect(created.apiKey.hint).toBe(`pk_${parts.prefix}_…`);

    const row = await shop.db.apiKey.findFirstOrThrow({ where: { id: created.apiKey.id } });
    expect(row.secretHash).toBe(hashSecret(parts.secret));
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    // The secret appears nowhere in the stored row.
    expect(JSON.stringify(row)).not.toContain(parts.secret);

    const listed = await listApiKeys(shop.db);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(parts.secret);
    expect(Object.keys(listed[0]!).sort()).toEqual(["active", "createdAt", "hint", "id", "lastUsedAt", "name", "prefix", "revokedAt"]);
  });

  it("gives two keys different prefixes and secrets, refuses a blank or long name, and caps active keys", async () => {
    const shop = await createTestShop();
    const a = await createApiKey(shop.db, shop.id, "A");
    const b = await createApiKey(shop.db, shop.id, "B");
    expect(a.type === "created" && b.type === "created" && a.secret !== b.secret && a.apiKey.prefix !== b.apiKey.prefix).toBe(true);
    expect(await createApiKey(shop.db, shop.id, "   ")).toMatchObject({ type: "invalid", errors: { name: expect.any(String) } });
    expect(await createApiKey(shop.db, shop.id, "x".repeat(101))).toMatchObject({ type: "invalid" });

    for (let i = 2; i < MAX_ACTIVE_API_KEYS; i++) await createApiKey(shop.db, shop.id, `k${i}`);
    expect(await createApiKey(shop.db, shop.id, "one too many")).toEqual({ type: "limit_reached", limit: MAX_ACTIVE_API_KEYS });
    if (a.type === "created") await revokeApiKey(shop.db, a.apiKey.id);
    expect((await createApiKey(shop.db, shop.id, "after revoking one")).type).toBe("created");
  });

  it("authenticates a Bearer or X-Api-Key key to its shop, and refuses missing, malformed and wrong keys", async () => {
    const shop = await createApiShop();
    const bearer = await authenticateApiKey(apiRequest("GET", "/pools", { key: shop.key }));
    expect(bearer).toMatchObject({ type: "authenticated", shopId: shop.id, keyId: shop.keyId });
    const header = await authenticateApiKey(apiRequest("GET", "/pools", { headers: { "x-api-key": shop.key } }));
    expect(header).toMatchObject({ type: "authenticated", shopId: shop.id });
    const lowerScheme = await authenticateApiKey(apiRequest("GET", "/pools", { headers: { authorization: `bearer ${shop.key}` } }));
    expect(lowerScheme.type).toBe("authenticated");

    expect(await authenticateApiKey(apiRequest("GET", "/pools"))).toEqual({ type: "missing" });
    expect(await authenticateApiKey(apiRequest("GET", "/pools", { key: "not-a-key" }))).toEqual({ type: "invalid" });
    expect(await authenticateApiKey(apiRequest("GET", "/pools", { headers: { authorization: "Basic dXNlcjpwYXNz" } }))).toEqual({
      type: "invalid",
    });
    const { prefix, secret } = parseApiKey(shop.key)!;
    const wrongSecret = `pk_${prefix}_${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    expect(await authenticateApiKey(apiRequest("GET", "/pools", { key: wrongSecret }))).toEqual({ type: "invalid" });
    const unknownPrefix = `pk_${"0".repeat(16)}_${secret}`;
    expect(await authenticateApiKey(apiRequest("GET", "/pools", { key: unknownPrefix }))).toEqual({ type: "invalid" });
  });

  it("answers 401 without a key or with a bad one, with the JSON error shape and WWW-Authenticate", async () => {
    const shop = await createApiShop();
    const missing = await call(pools, "GET", "/pools");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await errorOf(missing)).code).toBe("missing_api_key");
    const bad = await call(pools, "GET", "/pools", { key: `${shop.key}x` });
    expect(bad.status).toBe(401);
    expect((await errorOf(bad)).code).toBe("invalid_api_key");
  });

  it("GIVEN a revoked key THEN requests get 403 at once, and revoking is idempotent", async () => {
    const shop = await createApiShop();
    expect((await call(pools, "GET", "/pools", { key: shop.key })).status).toBe(200);
    const revoked = await revokeApiKey(shop.db, shop.keyId);
    expect(revoked).toMatchObject({ type: "revoked", apiKey: { active: false, revokedAt: expect.any(Date) } });
    const response = await call(pools, "GET", "/pools", { key: shop.key });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("api_key_revoked");

    const again = await revokeApiKey(shop.db, shop.keyId);
    expect(again.type === "revoked" && revoked.type === "revoked" && again.apiKey.revokedAt?.getTime()).toBe(
      revoked.type === "revoked" ? revoked.apiKey.revokedAt?.getTime() : null,
    );
    expect(await revokeApiKey(shop.db, "not-a-uuid")).toEqual({ type: "not_found" });
  });

  it("does not let one shop revoke or list another shop's key", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    expect(await revokeApiKey(b.db, a.keyId)).toEqual({ type: "not_found" });
    expect(await listApiKeys(b.db)).toHaveLength(1);
    expect((await call(pools, "GET", "/pools", { key: a.key })).status).toBe(200);
  });

  it("refuses keys of a shop that uninstalled the app with 403", async () => {
    const shop = await createApiShop();
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    const response = await call(pools, "GET", "/pools", { key: shop.key });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("shop_uninstalled");
  });

  it("records lastUsedAt, at most once a minute", async () => {
    const shop = await createApiShop();
    const t0 = new Date("2030-01-01T00:00:00Z");
    await authenticateApiKey(apiRequest("GET", "/pools", { key: shop.key }), { now: t0 });
    const lastUsed = async () => (await shop.db.apiKey.findFirstOrThrow({ where: { id: shop.keyId } })).lastUsedAt?.toISOString();
    expect(await lastUsed()).toBe(t0.toISOString());
    await authenticateApiKey(apiRequest("GET", "/pools", { key: shop.key }), { now: new Date(t0.getTime() + 30_000) });
    expect(await lastUsed()).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + 61_000);
    await authenticateApiKey(apiRequest("GET", "/pools", { key: shop.key }), { now: later });
    expect(await lastUsed()).toBe(later.toISOString());
  });

  it("GIVEN shop A's key WHEN it asks for shop B's pool THEN 404, exactly as for a pool that does not exist", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolB = await createPoolWithCodes(b, ["B-SECRET-1"], { name: "B's pool" });
    const response = await call(pool, "GET", `/pools/${poolB.id}`, { key: a.key, params: { poolId: poolB.id } });
    expect(response.status).toBe(404);
    const error = await errorOf(response);
    expect(error.code).toBe("pool_not_found");
    expect(JSON.stringify(error)).not.toContain("B's pool");
    const missing = await call(pool, "GET", `/pools/00000000-0000-4000-8000-000000000000`, {
      key: a.key,
      params: { poolId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toEqual(error);
    // And A's list does not show it.
    const list = (await (await call(pools, "GET", "/pools", { key: a.key })).json()) as { pools: unknown[] };
    expect(list.pools).toEqual([]);
  });
});
