import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueCode } from "../../../app/services/pools/issue.server";
import { recordRedemptions } from "../../../app/services/redemptions.server";
import { results } from "../../../app/services/results.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

describe("results", () => {
  it("GIVEN codes issued by a campaign, one redeemed and messages sent WHEN results are read THEN each scope counts its own", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["R-1", "R-2", "R-3", "R-4"]);
    const customers = await createCustomers(shop, 4);
    const campaign = await shop.db.campaign.create({ data: { shopId: shop.id, name: "C" } });
    const scenarioId = randomUUID();
    const issued = [];
    for (const [i, customerId] of customers.entries()) {
      const source = i < 3 ? `campaign:${campaign.id}` : `scenario:${scenarioId}`;
      const result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId, source });
      if (result.type !== "issued") throw new Error("expected a code");
      issued.push(result.issued);
    }
    // A reissue is not a second code issued.
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[0]!, reissue: true, source: `campaign:${campaign.id}` });
    const order = await shop.db.order.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Order/1", customerId: customers[0]!, totalPrice: "99.50", placedAt: new Date() },
    });
    await recordRedemptions(shop.db, shop.id, {
      orderId: order.id,
      customerId: customers[0]!,
      orderTotal: "99.50",
      placedAt: order.placedAt,
      codes: [{ code: issued[0]!.code, amount: "10" }],
    });
    await shop.db.message.createMany({
      data: [
        { shopId: shop.id, campaignId: campaign.id, channel: "EMAIL", recipient: "a@x", body: "b", dedupeKey: "m1", status: "SENT" },
        { shopId: shop.id, campaignId: campaign.id, channel: "EMAIL", recipient: "b@x", body: "b", dedupeKey: "m2", status: "FAILED" },
      ],
    });

    const forCampaign = await results(shop.db, shop.id, { type: "campaign", id: campaign.id });
    expect(forCampaign).toMatchObject({ issued: 3, delivered: 1, redeemed: 1, revenue: "99.50" });
    expect(forCampaign.redemptionRate).toBeCloseTo(1 / 3);
    expect(forCampaign.daily).toHaveLength(30);
    expect(forCampaign.daily.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), issued: 3, redeemed: 1 });

    expect(await results(shop.db, shop.id, { type: "scenario", id: scenarioId })).toMatchObject({ issued: 1, redeemed: 0, revenue: "0", redemptionRate: 0 });
    expect(await results(shop.db, shop.id, { type: "pool", id: pool.id })).toMatchObject({ issued: 4, redeemed: 1 });
    expect(await results(shop.db, shop.id, { type: "shop" })).toMatchObject({ issued: 4, delivered: 1, redeemed: 1 });
  });

  it("GIVEN another shop's activity WHEN this shop reads its results THEN it sees none of it", async () => {
    const mine = await createTestShop();
    const other = await createTestShop();
    const pool = await createPoolWithCodes(other, ["O-1"]);
    const [customer] = await createCustomers(other, 1);
    await issueCode(other.db, { shopId: other.id, poolId: pool.id, customerId: customer!, source: "campaign:x" });
    expect(await results(mine.db, mine.id, { type: "shop" })).toMatchObject({ issued: 0, delivered: 0, redeemed: 0, redemptionRate: null });
  });
});
