// The pool page's own actions, posted as the embedded admin posts them: deleting a pool with unused codes needs the
// merchant to confirm how many will be retired (the server checks it, whatever the page did), and renaming keeps
// names unique per store among live pools.
import { describe, expect, it } from "vitest";
import { action as poolAction } from "../../../app/routes/app.pools.$poolId";
import { action as uploadAction } from "../../../app/routes/app.pools.$poolId.imports.$importId";
import { startImport } from "../../../app/services/pools/imports.server";
import { createPool } from "../../../app/services/pools/pools.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { adminRequest, sessionToken } from "../../support/admin-request";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

async function post(shop: TestShop, poolId: string, form: Record<string, string>): Promise<unknown> {
  try {
    return await poolAction({ request: adminRequest(shop, form, `/app/pools/${poolId}`), params: { poolId }, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("the pool page's actions", () => {
  it("GIVEN a pool with unused codes WHEN delete is posted without the count, or with another count THEN nothing changes; with the count THEN unused codes are retired and given ones stay", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["A-GIVEN", "B-UNUSED", "C-UNUSED"], { name: "Summer" });
    const [ada] = await createCustomers(shop, 1);
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! })).toMatchObject({ issued: { code: "A-GIVEN" } });

    const unconfirmed: Record<string, string>[] = [{ intent: "delete" }, { intent: "delete", confirmUnused: "5" }, { intent: "delete", confirmUnused: "abc" }];
    for (const form of unconfirmed) {
      expect(await post(shop, pool.id, form), JSON.stringify(form)).toEqual({ intent: "delete", type: "needs_confirmation", unused: 2 });
    }
    expect(await shop.db.pool.findFirstOrThrow({ where: { id: pool.id } })).toMatchObject({ deletedAt: null });
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).toBe(2);

    const deleted = (await post(shop, pool.id, { intent: "delete", confirmUnused: "2" })) as Response;
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toContain("retired=2");
    expect((await shop.db.pool.findFirstOrThrow({ where: { id: pool.id } })).deletedAt).not.toBeNull();
    expect(await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true, status: true }, orderBy: { code: "asc" } })).toEqual([
      { code: "A-GIVEN", status: "ASSIGNED" },
      { code: "B-UNUSED", status: "RETIRED" },
      { code: "C-UNUSED", status: "RETIRED" },
    ]);
    // A deleted pool's name can be used again.
    expect(await createPool(shop.db, shop.id, { name: "summer" })).toMatchObject({ type: "saved" });
  });

  it("GIVEN two pools WHEN one is renamed THEN the new name is saved, and another live pool's name (in any case) is refused on the field", async () => {
    const shop = await createTestShop();
    const first = await createPoolWithCodes(shop, [], { name: "Welcome" });
    await createPoolWithCodes(shop, [], { name: "Loyalty" });
    const rename = (name: string) => post(shop, first.id, { intent: "update", name, emptyBehavior: "SKIP_MESSAGE", lowStockThreshold: "" });

    expect(await rename("Welcome back")).toMatchObject({ intent: "update", saved: true, errors: null });
    expect((await shop.db.pool.findFirstOrThrow({ where: { id: first.id } })).name).toBe("Welcome back");
    expect(await rename("LOYALTY")).toMatchObject({ intent: "update", saved: false, errors: { name: expect.stringContaining("already exists") } });
    expect((await shop.db.pool.findFirstOrThrow({ where: { id: first.id } })).name).toBe("Welcome back");
  });

  it("GIVEN a run the worker owns (a generation, a redeemable sync) WHEN a file is posted to it as an upload THEN it is refused and no code is added; an upload run takes it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, [], { name: "Runs" });
    const send = async (source: string) => {
      const run = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source });
      const request = new Request(`https://promo-app.test/app/pools/${pool.id}/imports/${run.id}?shop=${shop.domain}`, {
        method: "POST",
        headers: { authorization: `Bearer ${sessionToken(shop)}` },
        body: "SNEAKED-IN-1\nSNEAKED-IN-2\n",
      });
      const response = (await uploadAction({ request, params: { poolId: pool.id, importId: run.id }, context: {} } as never)) as Response;
      return { status: response.status, body: (await response.json()) as { type: string } };
    };

    for (const source of ["generate", "redeemable", "json"]) {
      expect(await send(source), source).toEqual({ status: 409, body: { type: "error", message: expect.stringContaining("already sent") } });
    }
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(0);
    expect(await send("paste")).toMatchObject({ status: 200, body: { type: "done" } });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(2);
  });
});
