import { describe, expect, it } from "vitest";
import { platformFor } from "../../../app/platforms/index.server";
import { PermanentPlatformError } from "../../../app/platforms/errors";
import { redeemableTargets, runRedeemableSync, startRedeemableSync } from "../../../app/services/pools/redeemable.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

const simulator = () => globalThis.__testSimulator!;
const fast = { pollMs: 10, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

async function setup(codes: string[]) {
  const shop = await createTestShop({ seed: true });
  const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
  const discounts = await platform.listDiscounts();
  const discount = discounts.find((d) => d.kind === "DiscountCodeBasic")!;
  const pool = await createPoolWithCodes(shop, codes);
  return { shop, platform, discount, pool };
}

describe("making a pool's codes redeemable at checkout (Shopify)", () => {
  it("GIVEN 600 codes WHEN synced to a discount THEN they are added 250 a call, polled until done, and each is marked", async () => {
    const codes = Array.from({ length: 600 }, (_, i) => `RDM${String(i).padStart(4, "0")}`);
    const { shop, platform, discount, pool } = await setup(codes);
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: discount.id });
    expect(start).toMatchObject({ type: "started", codes: 600 });
    if (start.type !== "started") return;
    expect(await runRedeemableSync(shop.db, start.importId, platform, fast)).toEqual({ added: 600, failed: 0 });

    const calls = simulator().requestLog.filter((e) => e.shop === shop.domain && e.operationName === "RedeemCodesBulkAdd");
    expect(calls).toHaveLength(3);
    expect(await platform.discountOfCode("RDM0599")).toBe(discount.id);
    expect(await shop.db.code.count({ where: { poolId: pool.id, platformRef: discount.id } })).toBe(600);
    expect(await shop.db.codeImport.findFirstOrThrow({ where: { id: start.importId } })).toMatchObject({
      status: "SUCCEEDED",
      itemsDone: 600,
      accepted: 600,
    });
  });

  it("reports the codes Shopify refuses one by one (a code another discount already uses)", async () => {
    const shop = await createTestShop({ seed: true });
    const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "SHOPIFY" });
    const holder = await platform.discountOfCode("WELCOME10");
    const target = (await platform.listDiscounts()).find((d) => d.id !== holder)!;
    expect(holder).not.toBeNull();
    const pool = await createPoolWithCodes(shop, ["FINE1", "WELCOME10", "FINE2"]);
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: target.id });
    if (start.type !== "started") throw new Error(start.type);
    expect(await runRedeemableSync(shop.db, start.importId, platform, fast)).toEqual({ added: 2, failed: 1 });
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { id: start.importId } });
    expect((run.report as { failures: { code: string; reason: string }[] }).failures).toEqual([
      { code: "WELCOME10", reason: expect.stringMatching(/TAKEN/i) },
    ]);
    expect(await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, code: "WELCOME10" } })).toMatchObject({ platformRef: null });
  });

  it("GIVEN the first attempt's answer was lost after Shopify added the codes WHEN the job runs again THEN it recognises them as added", async () => {
    const { shop, platform, discount, pool } = await setup(["LOST1", "LOST2"]);
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: discount.id });
    if (start.type !== "started") throw new Error(start.type);
    simulator().injectFault(shop.domain, { kind: "executeThenFail", status: 502 }, { times: 1, match: { operationName: "RedeemCodesBulkAdd" } });
    await expect(runRedeemableSync(shop.db, start.importId, platform, fast)).rejects.toThrow();
    expect(await runRedeemableSync(shop.db, start.importId, platform, fast)).toEqual({ added: 2, failed: 0 });
    expect(await shop.db.code.count({ where: { poolId: pool.id, platformRef: discount.id } })).toBe(2);
  });

  it("lists the store's discounts for the pool page with how many codes are on one, and says so when the store does not answer", async () => {
    const { shop, platform, discount, pool } = await setup(["LIST1", "LIST2", "LIST3"]);
    const before = await redeemableTargets(shop.db, pool.id);
    expect(before).toMatchObject({ type: "ok", currentDiscountId: null, added: 0, pending: 3 });
    expect(before.type === "ok" && before.discounts.map((d) => d.id)).toContain(discount.id);
    const start = await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: discount.id });
    if (start.type !== "started") throw new Error(start.type);
    await runRedeemableSync(shop.db, start.importId, platform, fast);
    expect(await redeemableTargets(shop.db, pool.id)).toMatchObject({ type: "ok", currentDiscountId: discount.id, added: 3, pending: 0 });
    expect(await startRedeemableSync(shop.db, { shopId: shop.id, poolId: pool.id, discountId: discount.id })).toEqual({ type: "nothing_to_add" });

    const down = async () => ({ listDiscounts: () => Promise.reject(new PermanentPlatformError("Shopify answered 401", "SHOPIFY")) }) as never;
    expect(await redeemableTargets(shop.db, pool.id, down)).toEqual({ type: "platform_error", message: "Shopify answered 401" });
    expect(await redeemableTargets(shop.db, "00000000-0000-4000-8000-000000000000")).toEqual({ type: "pool_not_found" });
  });
});

