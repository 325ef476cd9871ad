import { describe, expect, it } from "vitest";
import { runBroadcast, startBroadcast } from "../../../app/services/campaigns/broadcast.server";
import { saveTemplate } from "../../../app/services/templates.server";
import { draftBroadcast } from "../../support/broadcasts";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

// A broadcast whose template names a pool that no longer exists (deleted, or renamed outside the pool page) never
// sends a message with a blank code: it is refused at the start, and a pool gone after the start skips every
// message with the reason, counted on the campaign, before the run's codes are issued.
async function arrange(shop: TestShop) {
  const members = await createCustomers(shop, 3);
  const run = await createPoolWithCodes(shop, ["RUN-1", "RUN-2", "RUN-3"], { name: "Run" });
  const bonus = await createPoolWithCodes(shop, ["BONUS-1", "BONUS-2", "BONUS-3"], { name: "Bonus" });
  const template = await saveTemplate(shop.db, shop.id, {
    name: "Bonus",
    channel: "EMAIL",
    subject: "For you",
    body: "<p>{{promoCode}} and [{{client.promocode('Bonus')}}]</p>",
  });
  if (template.type !== "saved") throw new Error("template");
  const campaign = await draftBroadcast(shop, members, [
    { type: "issue_code", poolId: run.id },
    { type: "send_message", templateId: template.template.id },
  ]);
  return { run, bonus, campaign };
}

const REASON = 'The template names the pool "Bonus", which no longer exists (renamed or deleted): edit the template';

describe("a broadcast whose template names a missing pool", () => {
  it("GIVEN the template's pool was deleted after the template was saved WHEN the broadcast is started THEN it is refused with the pool's name", async () => {
    const shop = await createTestShop();
    const { bonus, campaign } = await arrange(shop);
    await shop.db.pool.update({ where: { id: bonus.id }, data: { deletedAt: new Date() } });
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "refused", message: REASON });
  });

  it("GIVEN a started broadcast whose template's pool is renamed before its job runs WHEN it runs THEN every message is skipped with the reason and counted, and no code is issued", async () => {
    const shop = await createTestShop();
    const { run, bonus, campaign } = await arrange(shop);
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "started", recipients: 3 });
    await shop.db.pool.update({ where: { id: bonus.id }, data: { name: "Bonus 2025" } });

    expect(await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false })).toMatchObject({ type: "done", created: 0, skipped: 3 });
    const messages = await shop.db.message.findMany({ where: { campaignId: campaign.id }, select: { status: true, error: true, body: true } });
    expect(messages).toEqual(Array(3).fill({ status: "SKIPPED", error: REASON, body: "" }));
    expect(await shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).toMatchObject({ skippedCount: 3 });
    expect(await shop.db.code.count({ where: { poolId: { in: [run.id, bonus.id] }, status: "AVAILABLE" } })).toBe(6);
  });
});
