import { describe, expect, it } from "vitest";
import { scopeArgs, ShopScopeError } from "../../../app/db/shop-scope.server";
import { createTestShop } from "../../support/shops";

describe("shop-scoped database client", () => {
  it("adds the shop to every filter and stamps it on every create", () => {
    expect(scopeArgs("Pool", "findMany", { where: { name: "A" } }, "s1")).toEqual({ where: { name: "A", shopId: "s1" } });
    expect(scopeArgs("Code", "count", {}, "s1")).toEqual({ where: { shopId: "s1" } });
    expect(scopeArgs("Pool", "create", { data: { name: "A" } }, "s1")).toEqual({ data: { name: "A", shopId: "s1" } });
    expect(scopeArgs("Code", "createMany", { data: [{ code: "X" }] }, "s1")).toEqual({ data: [{ code: "X", shopId: "s1" }] });
    expect(scopeArgs("Shop", "findFirst", {}, "s1")).toEqual({ where: { id: "s1" } });
  });

  it("refuses to write a row for another shop or to move a row between shops", () => {
    expect(() => scopeArgs("Pool", "create", { data: { name: "A", shopId: "other" } }, "s1")).toThrow(ShopScopeError);
    expect(() => scopeArgs("Pool", "update", { where: { id: "p" }, data: { shopId: "other" } }, "s1")).toThrow(ShopScopeError);
  });

  it("refuses nested relation writes and the update half of an upsert that would move a row", () => {
    const moves = [
      () => scopeArgs("Pool", "update", { where: { id: "p" }, data: { shop: { connect: { id: "other" } } } }, "s1"),
      () => scopeArgs("Customer", "upsert", { where: { id: "c" }, create: { platformId: "x" }, update: { shopId: "other" } }, "s1"),
      () => scopeArgs("Pool", "create", { data: { name: "A", codes: { create: [{ shopId: "other", code: "X", codeKey: "X" }] } } }, "s1"),
      () => scopeArgs("Customer", "update", { where: { id: "c" }, data: { issuances: { connect: { id: 1n } } } }, "s1"),
      () => scopeArgs("Code", "createMany", { data: [{ code: "X" }, { code: "Y", pool: { connect: { id: "p" } } }] }, "s1"),
      () => scopeArgs("Shop", "update", { where: { id: "s1" }, data: { pools: { create: { name: "A" } } } }, "s1"),
    ];
    for (const move of moves) expect(move).toThrow(ShopScopeError);
    // Scalar lists and JSON values are not relations: they are written as they are.
    expect(scopeArgs("Customer", "update", { where: { id: "c" }, data: { tags: { set: ["vip"] } } }, "s1").data).toEqual({ tags: { set: ["vip"] } });
    expect(scopeArgs("Campaign", "create", { data: { name: "C", actions: [{ type: "add_tags", shop: "x" }] } }, "s1").data).toMatchObject({ shopId: "s1" });
  });

  it("GIVEN shop B's rows WHEN shop A's client tries a nested write or an upsert's update to reach them THEN nothing of B's changes", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    const poolA = await a.db.pool.create({ data: { shopId: a.id, name: "A pool" } });
    const customerA = await a.db.customer.create({ data: { shopId: a.id, platformId: "gid://shopify/Customer/1" } });
    await expect(a.db.pool.update({ where: { id: poolA.id }, data: { shop: { connect: { id: b.id } } } })).rejects.toThrow(ShopScopeError);
    await expect(
      a.db.customer.upsert({ where: { id: customerA.id }, create: { shopId: a.id, platformId: "x" }, update: { shopId: b.id } }),
    ).rejects.toThrow(ShopScopeError);
    expect(await b.db.pool.count()).toBe(0);
    expect(await b.db.customer.count()).toBe(0);
    expect(await a.db.customer.count()).toBe(1);
  });

  it("GIVEN two shops with rows WHEN each reads, updates and deletes through its client THEN it only ever touches its own", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await a.db.pool.create({ data: { shopId: a.id, name: "Shared name" } });
    const poolB = await b.db.pool.create({ data: { shopId: b.id, name: "Shared name" } });

    expect(await a.db.pool.findMany()).toHaveLength(1);
    expect(await a.db.pool.findUnique({ where: { id: poolB.id } })).toBeNull();
    expect((await a.db.shop.findFirstOrThrow()).id).toBe(a.id);

    const updated = await a.db.pool.updateMany({ where: { id: poolB.id }, data: { description: "hijacked" } });
    expect(updated.count).toBe(0);
    await expect(a.db.pool.update({ where: { id: poolB.id }, data: { description: "hijacked" } })).rejects.toThrow();
    expect((await b.db.pool.findUniqueOrThrow({ where: { id: poolB.id } })).description).toBeNull();

    const deleted = await a.db.pool.deleteMany({});
    expect(deleted.count).toBe(1);
    expect(await b.db.pool.count()).toBe(1);
  });
});
