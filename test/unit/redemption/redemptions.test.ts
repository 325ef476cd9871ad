import { describe, expect, it } from "vitest";
import { issueCode } from "../../../app/services/pools/issue.server";
import { recordRedemptions, redemptionTotals } from "../../../app/services/redemptions.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

async function order(shop: TestShop, customerId: string | null, total: string) {
  return shop.db.order.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Order/${Math.random()}`, customerId, totalPrice: total, placedAt: new Date() },
  });
}

describe("redemption", () => {
  it("GIVEN an issued code WHEN an order uses it in another case THEN it is redeemed once, with the order and amount", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SAVE-ABC", "SAVE-DEF"]);
    const [ada] = await createCustomers(shop, 1);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, source: "campaign:c1" });
    const placed = await order(shop, ada!, "120.00");
    const input = { orderId: placed.id, customerId: ada!, orderTotal: "120.00", placedAt: placed.placedAt, codes: [{ code: "save-abc", amount: "12.00" }] };

    const first = await recordRedemptions(shop.db, shop.id, input);
    const again = await recordRedemptions(shop.db, shop.id, input);

    expect(first).toMatchObject([{ code: "SAVE-ABC", issuedTo: ada, firstTime: true }]);
    expect(again).toMatchObject([{ code: "SAVE-ABC", firstTime: false }]);
    expect(await shop.db.redemption.count()).toBe(1);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "SAVE-ABC" } })).toMatchObject({ status: "REDEEMED" });
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "SAVE-DEF" } })).toMatchObject({ status: "AVAILABLE" });
    expect(await redemptionTotals(shop.db, shop.id, { poolId: pool.id })).toEqual({ redemptions: 1, revenue: "120.00", discount: "12.00" });
    expect(await redemptionTotals(shop.db, shop.id, { source: "campaign:c1" })).toMatchObject({ redemptions: 1 });
    expect(await redemptionTotals(shop.db, shop.id, { source: "campaign:other" })).toMatchObject({ redemptions: 0, revenue: "0" });
  });

  it("GIVEN codes nobody issued and foreign codes WHEN an order uses them THEN only our codes are recorded", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["OURS-1"]);
    const placed = await order(shop, null, "50.00");
    const result = await recordRedemptions(shop.db, shop.id, {
      orderId: placed.id,
      customerId: null,
      orderTotal: "50.00",
      placedAt: placed.placedAt,
      codes: [{ code: "OURS-1", amount: null }, { code: "SOMEONE-ELSES", amount: "5" }, { code: "  ", amount: null }],
    });
    expect(result.map((r) => r.code)).toEqual(["OURS-1"]);
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "OURS-1" } })).toMatchObject({ status: "REDEEMED" });
  });

  it("GIVEN two shops with the same code WHEN shop A's order uses it THEN shop B's code is untouched", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    await createPoolWithCodes(a, ["SHARED-1"]);
    await createPoolWithCodes(b, ["SHARED-1"]);
    const placed = await order(a, null, "10.00");
    await recordRedemptions(a.db, a.id, { orderId: placed.id, customerId: null, orderTotal: "10.00", placedAt: placed.placedAt, codes: [{ code: "SHARED-1", amount: "1" }] });
    expect(await b.db.code.findFirstOrThrow({ where: { code: "SHARED-1" } })).toMatchObject({ status: "AVAILABLE" });
    expect(await b.db.redemption.count()).toBe(0);
  });

  it("GIVEN one order using two of our codes WHEN totals are summed THEN its revenue counts once", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["TWO-1", "TWO-2"]);
    const placed = await order(shop, null, "80.00");
    await recordRedemptions(shop.db, shop.id, {
      orderId: placed.id,
      customerId: null,
      orderTotal: "80.00",
      placedAt: placed.placedAt,
      codes: [{ code: "TWO-1", amount: "5" }, { code: "TWO-2", amount: "3" }],
    });
    expect(await redemptionTotals(shop.db, shop.id)).toEqual({ redemptions: 2, revenue: "80.00", discount: "8.00" });
  });
});
