import { describe, expect, it } from "vitest";
import { broadcastKey, runBroadcast, startBroadcast } from "../../../app/services/campaigns/broadcast.server";
import { saveTemplate } from "../../../app/services/templates.server";
import { draftBroadcast } from "../../support/broadcasts";
import { appDiscounts, dynamicPool, dynamicShop, executedCreates, noSleep } from "../dynamic/helpers";

// A broadcast from a dynamic pool creates one discount per recipient on the (simulated) store, through issueCode,
// and a second run of the job creates none.
describe("broadcasting with a dynamic pool", () => {
  it("GIVEN 3 members and a dynamic pool WHEN the broadcast job runs twice THEN each member has one code on the store and one message showing it", async () => {
    const shop = await dynamicShop(3);
    const pool = await dynamicPool(shop, { value: { type: "percentage", percent: 15 }, code: { prefix: "VIP-" } }, "VIP");
    const template = await saveTemplate(shop.db, shop.id, { name: "VIP", channel: "EMAIL", subject: "For you", body: "<p>{{promoCode}}</p>" });
    if (template.type !== "saved") throw new Error("template");
    const campaign = await draftBroadcast(
      shop,
      shop.customers,
      [
        { type: "issue_code", poolId: pool.id },
        { type: "send_message", templateId: template.template.id },
      ],
      "VIP broadcast",
    );
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "started", recipients: 3 });

    const options = { dynamic: { platform: shop.platform, sleep: noSleep }, enqueueSends: false };
    expect(await runBroadcast(shop.db, shop.id, campaign.id, options)).toMatchObject({ type: "done", created: 3, skipped: 0, total: 3 });
    const creates = executedCreates(shop);
    expect(creates).toBe(3);
    expect(await runBroadcast(shop.db, shop.id, campaign.id, options)).toMatchObject({ type: "done", created: 0 });
    expect(executedCreates(shop)).toBe(creates);
    expect(appDiscounts(shop)).toHaveLength(3);

    for (const customerId of shop.customers) {
      const code = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, customerId } });
      expect(code.code).toMatch(/^VIP-/);
      const message = await shop.db.message.findFirstOrThrow({ where: { dedupeKey: broadcastKey(campaign.id, customerId) } });
      expect(message).toMatchObject({ status: "QUEUED", codeId: code.id, body: `<p>${code.code}</p>` });
    }
  });
});
