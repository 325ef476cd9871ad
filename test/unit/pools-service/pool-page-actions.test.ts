// The pool page's own actions, posted as the embedded admin posts them: deleting a pool with unused codes needs the
// merchant to confirm how many will be retired (the server checks it, whatever the page did), and renaming keeps
// names unique per store among live pools.
import { describe, expect, it } from "vitest";
import { action as poolAction } from "../../../app/routes/app.pools.$poolId";
import { action as uploadAction } from "../../../app/routes/app.pools.$poolId.imports.$importId";
import { startImport } from "../../../app/services/pools/imports.server";
import { createPool } from "../../../app/services/pools/pools.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { queueMessage } from "../../../app/services/messages/deliver.server";
import { saveTemplate } from "../../../app/services/templates.server";
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

  it("GIVEN templates naming a pool WHEN the pool is renamed THEN they are rewritten to the new name in the same save, the page says how many, and their messages still carry a code from it", async () => {
    const shop = await createTestShop();
    const welcome = await createPoolWithCodes(shop, ["W-1", "W-2"], { name: "Welcome" });
    await createPoolWithCodes(shop, [], { name: "Loyalty" });
    const save = async (name: string, subject: string, body: string) => {
      const saved = await saveTemplate(shop.db, shop.id, { name, channel: "EMAIL", subject, body });
      if (saved.type !== "saved") throw new Error(JSON.stringify(saved));
      return saved.template;
    };
    const first = await save("First", "Your {{client.promocode('Welcome')}}", "<p>[{{client.promocode('Welcome')}}]</p>");
    await save("Second", "Again", "<p>{{client.last_promocode(\"welcome\")}}</p>");
    const other = await save("Other", "Hi", "<p>Welcome! {{client.promocode('Loyalty')}}</p>");
    const rename = (name: string) => post(shop, welcome.id, { intent: "update", name, emptyBehavior: "SKIP_MESSAGE", lowStockThreshold: "" });

    expect(await rename("Welcome 2025")).toMatchObject({ intent: "update", saved: true, errors: null, templatesUpdated: 2 });
    const firstNow = await shop.db.messageTemplate.findFirstOrThrow({ where: { id: first.id } });
    expect(firstNow).toMatchObject({ subject: "Your {{client.promocode('Welcome 2025')}}", body: "<p>[{{client.promocode('Welcome 2025')}}]</p>" });
    expect(firstNow.needs).toMatchObject({ initialPools: ["Welcome 2025"] });
    expect((await shop.db.messageTemplate.findFirstOrThrow({ where: { name: "Second" } })).body).toBe("<p>{{client.last_promocode(\"Welcome 2025\")}}</p>");
    expect((await shop.db.messageTemplate.findFirstOrThrow({ where: { id: other.id } })).body).toBe(other.body);

    const [ada] = await createCustomers(shop, 1);
    const queued = await queueMessage(
      shop.db,
      { shopId: shop.id, customerId: ada!, templateId: first.id, dedupeKey: "task:t1:msg:0", runCode: null, triggeredProducts: [], source: "scenario:s1" },
      { enqueue: false },
    );
    if (queued.type !== "queued") throw new Error(JSON.stringify(queued));
    expect((await shop.db.message.findFirstOrThrow({ where: { id: BigInt(queued.messageId) } })).body).toMatch(/^<p>\[W-[12]\]<\/p>$/);

    // A name a placeholder cannot hold is refused while templates name the pool; the templates are left alone.
    expect(await rename("{Welcome}")).toMatchObject({ saved: false, errors: { name: expect.stringContaining("cannot be written in a template") } });
    expect((await shop.db.pool.findFirstOrThrow({ where: { id: welcome.id } })).name).toBe("Welcome 2025");
    // A rename refused for a taken name rewrites nothing either.
    expect(await rename("loyalty")).toMatchObject({ saved: false, errors: { name: expect.stringContaining("already exists") } });
    expect((await shop.db.messageTemplate.findFirstOrThrow({ where: { id: first.id } })).body).toBe("<p>[{{client.promocode('Welcome 2025')}}]</p>");
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
