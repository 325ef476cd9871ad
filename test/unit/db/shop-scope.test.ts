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
