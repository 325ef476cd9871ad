import { describe, expect, it } from "vitest";
import { action as poolAction, loader as poolLoader } from "../../../app/routes/app.pools.$poolId";
import { action as uploadStartAction } from "../../../app/routes/app.pools.$poolId.imports";
import { action as redeemableAction, loader as redeemableLoader } from "../../../app/routes/app.pools.$poolId.redeemable";
import { action as settingsAction } from "../../../app/routes/app.settings";
import { loader as templateLoader } from "../../../app/routes/app.templates.$templateId";
import { adminRequest } from "../../support/admin-request";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

// An id from a URL or a form that is not a UUID is "not found", never a database error (a 500): PostgreSQL refuses
// a malformed uuid outright, so each route checks the shape before it queries.
const MALFORMED = ["-".repeat(36), "not-a-uuid", "0".repeat(36), "12345678-1234-1234-1234-1234567890zz"];

describe("admin routes given ids that are not UUIDs", () => {
  it.each(MALFORMED)("GIVEN the template page for %j THEN 404, not a database error", async (id) => {
    const shop = await createTestShop();
    const answer = await templateLoader({ request: adminRequest(shop, undefined, `/app/templates/${id}`), params: { templateId: id }, context: {} } as never).catch(
      (thrown: unknown) => thrown,
    );
    const status = answer instanceof Response ? answer.status : (answer as { init?: { status?: number } }).init?.status;
    expect(answer).not.toBeInstanceOf(Error);
    expect(status).toBe(404);
  });

  it.each(MALFORMED)("GIVEN Settings asked to export or close the data request %j THEN it answers that the request does not exist", async (id) => {
    const shop = await createTestShop();
    const exported = await settingsAction({ request: adminRequest(shop, { intent: "export", id }), params: {}, context: {} } as never);
    expect(exported).toEqual({ intent: "export", error: "That data request no longer exists." });
    const closed = await settingsAction({ request: adminRequest(shop, { intent: "fulfil", id }), params: {}, context: {} } as never);
    expect(closed).toEqual({ intent: "fulfil", error: "That data request is already closed." });
  });

  it("GIVEN the pool page with a 19-digit cursor past bigint's range THEN the first page, not a database error", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["CUR-1", "CUR-2"]);
    const path = `/app/pools/${pool.id}`;
    const request = new Request(`https://promo-app.test${path}?shop=${shop.domain}&cursor=9999999999999999999`, { headers: adminRequest(shop, undefined, path).headers });
    const page = (await poolLoader({ request, params: { poolId: pool.id }, context: {} } as never)) as { found: boolean; codes?: { rows: unknown[] } };
    expect(page).toMatchObject({ found: true });
  });

  it("GIVEN the pool page searched for a code with a NUL character (%00 in the address) THEN it is searched without it, not a database error", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["NUL-1", "OTHER-2"]);
    const path = `/app/pools/${pool.id}`;
    const request = new Request(`https://promo-app.test${path}?shop=${shop.domain}&q=NUL%00`, { headers: adminRequest(shop, undefined, path).headers });
    const page = (await poolLoader({ request, params: { poolId: pool.id }, context: {} } as never)) as { codes?: { rows: { code: string }[] } };
    expect(page.codes?.rows.map((r) => r.code)).toEqual(["NUL-1"]);
  });

  it.each(["retire-code", "revoke-code"])("GIVEN the pool page asked to %s a 19-digit id past bigint's range THEN nothing changes, not a database error", async (intent) => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["KEEP-1"]);
    const path = `/app/pools/${pool.id}`;
    const answer = await poolAction({ request: adminRequest(shop, { intent, codeId: "9999999999999999999" }, path), params: { poolId: pool.id }, context: {} } as never);
    expect(answer).toEqual(intent === "retire-code" ? { intent, retired: 0 } : { intent, revoked: 0 });
    await expect(shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).resolves.toBe(1);
  });

  it.each(MALFORMED)("GIVEN the pool page's upload and redeemable-at-checkout calls for the pool %j THEN the pool is not found, not a database error", async (id) => {
    const shop = await createTestShop();
    const call = (path: string, form?: Record<string, string>) => ({ request: adminRequest(shop, form, path), params: { poolId: id }, context: {} }) as never;
    const upload = (await uploadStartAction(call(`/app/pools/${id}/imports`, { source: "paste" }))) as Response;
    expect(upload.status).toBe(404);
    await expect(upload.json()).resolves.toEqual({ error: "This pool no longer exists." });
    const targets = (await redeemableLoader(call(`/app/pools/${id}/redeemable`))) as Response;
    expect(targets.status).toBe(404);
    await expect(targets.json()).resolves.toEqual({ type: "pool_not_found" });
    await expect(redeemableAction(call(`/app/pools/${id}/redeemable`, { discountId: "gid://shopify/DiscountCodeNode/1" }))).resolves.toMatchObject({
      type: "refused",
      message: expect.stringMatching(/no longer exists/),
    });
  });
});
