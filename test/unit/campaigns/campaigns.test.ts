import { describe, expect, it } from "vitest";
import { changeCampaignStatus, createCampaign, updateCampaign } from "../../../app/services/campaigns/campaigns.server";
import { processCampaignEntries } from "../../../app/services/campaigns/entries.server";
import { CAMPAIGN_STOPPED_MESSAGE } from "../../../app/services/messages/store.server";
import { sendMessages } from "../../../app/services/messages/send.server";
import { runTask } from "../../../app/services/tasks/run.server";
import { CAMPAIGN_PAUSED_OUTCOME, CAMPAIGN_STOPPED_OUTCOME } from "../../../app/services/tasks/store.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

// Unit tests run without Redis: scheduling a task fails softly (the task sweeper would pick the row up), so these
// tests look at the task rows, which are the truth.

async function setup(options: { members?: number; repeatOnReentry?: boolean; includeExisting?: boolean } = {}) {
  const shop = await createTestShop();
  const customers = await createCustomers(shop, 6);
  const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: `Viewed twice ${Math.random()}`, rules: {} } });
  const pool = await createPoolWithCodes(shop, ["A", "B", "C"]);
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Thanks", channel: "EMAIL", body: "{{promoCode}}" } });
  for (const customerId of customers.slice(0, options.members ?? 2)) await enter(shop, segment.id, customerId);
  const created = await createCampaign(shop.db, shop.id, {
    name: "Come back",
    segmentId: segment.id,
    repeatOnReentry: options.repeatOnReentry ?? false,
    includeExisting: options.includeExisting ?? true,
    actions: [
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
    ],
  });
  if (created.type !== "saved") throw new Error(JSON.stringify(created));
  return { shop, customers, segment, pool, template, campaign: created.campaign };
}

async function enter(shop: TestShop, segmentId: string, customerId: string, products: string[] = []) {
  await shop.db.segmentMembership.upsert({
    where: { segmentId_customerId: { segmentId, customerId } },
    create: { shopId: shop.id, segmentId, customerId, triggeredProducts: products },
    update: {},
  });
  return shop.db.segmentTransition.create({ data: { shopId: shop.id, segmentId, customerId, kind: "ENTER", triggeredProducts: products } });
}

async function exit(shop: TestShop, segmentId: string, customerId: string) {
  await shop.db.segmentMembership.deleteMany({ where: { segmentId, customerId } });
  await shop.db.segmentTransition.create({ data: { shopId: shop.id, segmentId, customerId, kind: "EXIT" } });
}

describe("automated campaigns", () => {
  it("GIVEN a draft WHEN it starts with current members included THEN each member gets one run and later entries are read after the cursor", async () => {
    const { shop, customers, segment, campaign } = await setup({ members: 2 });
    const started = await changeCampaignStatus(shop.db, shop.id, campaign.id, "start");
    expect(started).toMatchObject({ type: "changed", runsStarted: 2 });
    // The members' own entries are behind the cursor: reading entries adds nothing.
    expect(await processCampaignEntries(shop.db, shop.id, campaign.id)).toMatchObject({ runsCreated: 0, entriesRead: 0 });

    await enter(shop, segment.id, customers[2]!, ["gid://shopify/Product/7"]);
    expect(await processCampaignEntries(shop.db, shop.id, campaign.id)).toMatchObject({ runsCreated: 1, entriesRead: 1 });
    const tasks = await shop.db.task.findMany({ where: { campaignId: campaign.id }, orderBy: { createdAt: "asc" } });
    expect(tasks.map((t) => t.customerId).sort()).toEqual(customers.slice(0, 3).sort());
    expect(tasks.every((t) => t.status === "PENDING")).toBe(true);
    const newcomer = tasks.find((t) => t.customerId === customers[2]);
    expect(newcomer?.context).toMatchObject({ triggeredProducts: ["gid://shopify/Product/7"], trigger: "segment_entry" });
  });

  it("GIVEN once per customer WHEN a customer leaves and enters again THEN no second run; with repeat on re-entry THEN a second run", async () => {
    for (const repeatOnReentry of [false, true]) {
      const { shop, customers, segment, campaign } = await setup({ members: 0, repeatOnReentry });
      await changeCampaignStatus(shop.db, shop.id, campaign.id, "start");
      await enter(shop, segment.id, customers[0]!);
      await processCampaignEntries(shop.db, shop.id, campaign.id);
      await exit(shop, segment.id, customers[0]!);
      await enter(shop, segment.id, customers[0]!);
      const second = await processCampaignEntries(shop.db, shop.id, campaign.id);
      expect(second.runsCreated).toBe(repeatOnReentry ? 1 : 0);
      expect(await shop.db.task.count({ where: { campaignId: campaign.id } })).toBe(repeatOnReentry ? 2 : 1);
    }
  });

  it("GIVEN 'also run for current members' off WHEN started THEN only later entries get runs", async () => {
    const { shop, customers, segment, campaign } = await setup({ members: 3, includeExisting: false });
    expect(await changeCampaignStatus(shop.db, shop.id, campaign.id, "start")).toMatchObject({ runsStarted: 0 });
    await enter(shop, segment.id, customers[4]!);
    await processCampaignEntries(shop.db, shop.id, campaign.id);
    expect((await shop.db.task.findMany({ where: { campaignId: campaign.id } })).map((t) => t.customerId)).toEqual([customers[4]]);
  });

  it("GIVEN a paused campaign WHEN customers enter THEN nothing starts, and after resuming only later entries run", async () => {
    const { shop, customers, segment, campaign } = await setup({ members: 0 });
    await changeCampaignStatus(shop.db, shop.id, campaign.id, "start");
    await changeCampaignStatus(shop.db, shop.id, campaign.id, "pause");
    await enter(shop, segment.id, customers[0]!);
    expect(await processCampaignEntries(shop.db, shop.id, campaign.id)).toMatchObject({ runsCreated: 0, idle: "not_active" });
    await changeCampaignStatus(shop.db, shop.id, campaign.id, "resume");
    await enter(shop, segment.id, customers[1]!);
    await processCampaignEntries(shop.db, shop.id, campaign.id);
    expect((await shop.db.task.findMany({ where: { campaignId: campaign.id } })).map((t) => t.customerId)).toEqual([customers[1]]);
  });

  it("GIVEN pending runs WHEN the campaign stops THEN they are cancelled and it can't be restarted or edited", async () => {
    const { shop, campaign, segment, pool, template } = await setup({ members: 2 });
    await changeCampaignStatus(shop.db, shop.id, campaign.id, "start");
    const stopped = await changeCampaignStatus(shop.db, shop.id, campaign.id, "stop");
    expect(stopped).toMatchObject({ type: "changed", campaign: { status: "STOPPED" } });
    expect(await shop.db.task.count({ where: { campaignId: campaign.id, status: "CANCELLED" } })).toBe(2);
    expect(await changeCampaignStatus(shop.db, shop.id, campaign.id, "resume")).toMatchObject({ type: "refused" });
    const edit = await updateCampaign(shop.db, campaign.id, {
      name: "x",
      segmentId: segment.id,
      actions: [{ type: "issue_code", poolId: pool.id }, { type: "send_message", templateId: template.id }],
    });
    expect(edit.type).toBe("not_editable");
  });

  it("GIVEN settings pointing at another shop's pool and a deleted segment WHEN saved THEN each field says what is wrong", async () => {
    const { shop, segment, template } = await setup();
    const other = await createTestShop();
    const foreignPool = await createPoolWithCodes(other, ["X"]);
    await shop.db.segment.update({ where: { id: segment.id }, data: { deletedAt: new Date() } });
    const result = await createCampaign(shop.db, shop.id, {
      name: "Bad",
      segmentId: segment.id,
      actions: [{ type: "issue_code", poolId: foreignPool.id }, { type: "send_message", templateId: template.id }],
    });
    expect(result).toEqual({
      type: "invalid",
      errors: { segmentId: "This segment no longer exists", "actions.0.poolId": "This pool no longer exists" },
    });
  });

  it("GIVEN another shop's campaign WHEN this shop tries to start it THEN it is not found", async () => {
    const { campaign } = await setup();
    const intruder = await createTestShop();
    expect(await changeCampaignStatus(intruder.db, intruder.id, campaign.id, "start")).toEqual({ type: "not_found" });
    expect(await processCampaignEntries(intruder.db, intruder.id, campaign.id)).toMatchObject({ idle: "not_found" });
  });
});

describe("broadcasts", () => {
  it("GIVEN a broadcast with two message actions WHEN saved THEN it is refused; with tags, a metafield and Flow THEN it is saved", async () => {
    const { shop, segment, pool, template } = await setup();
    const base = { name: "Black Friday", segmentId: segment.id, repeatOnReentry: false, includeExisting: true };
    const code = { type: "issue_code" as const, poolId: pool.id };
    const message = { type: "send_message" as const, templateId: template.id };
    expect(await createCampaign(shop.db, shop.id, { ...base, actions: [code, message, message] }, "BROADCAST")).toEqual({
      type: "invalid",
      errors: { actions: expect.stringMatching(/one message per member/) },
    });
    const shopifyActions = [
      { type: "add_tags" as const, tags: ["bf-2026"] },
      { type: "write_metafield" as const, namespace: "promo", key: "last_code" },
      { type: "flow_trigger" as const },
    ];
    const saved = await createCampaign(shop.db, shop.id, { ...base, actions: [code, message, ...shopifyActions] }, "BROADCAST");
    expect(saved.type).toBe("saved");
    if (saved.type !== "saved") return;
    expect(await updateCampaign(shop.db, saved.campaign.id, { ...base, actions: [code, message, message] })).toMatchObject({
      type: "invalid",
      errors: { actions: expect.any(String) },
    });
    // An automated campaign may send two messages.
    expect((await createCampaign(shop.db, shop.id, { ...base, actions: [code, message, message] })).type).toBe("saved");
  });
});

describe("pausing and stopping a campaign with runs under way", () => {
  const DAY_MS = 24 * 60 * 60_000;

  async function started(members = 2) {
    const arranged = await setup({ members });
    expect(await changeCampaignStatus(arranged.shop.db, arranged.shop.id, arranged.campaign.id, "start")).toMatchObject({ runsStarted: members });
    const tasks = await arranged.shop.db.task.findMany({ where: { campaignId: arranged.campaign.id }, orderBy: { id: "asc" } });
    return { ...arranged, tasks };
  }

  it("GIVEN runs that come due while the campaign is paused THEN they wait with no code or message, and they run once it is resumed", async () => {
    const { shop, campaign, tasks } = await started(2);
    await changeCampaignStatus(shop.db, shop.id, campaign.id, "pause");
    for (const task of tasks) expect(await runTask(shop.db, shop.id, task.id)).toEqual({ type: "paused", reason: CAMPAIGN_PAUSED_OUTCOME });
    const waiting = await shop.db.task.findMany({ where: { campaignId: campaign.id } });
    expect(waiting.map((t) => [t.status, t.outcome])).toEqual([
      ["PENDING", CAMPAIGN_PAUSED_OUTCOME],
      ["PENDING", CAMPAIGN_PAUSED_OUTCOME],
    ]);
    // Out of the task sweeper's sight: it would otherwise wake them every few minutes while the campaign is paused.
    expect(waiting.every((t) => t.dueAt.getTime() > Date.now() + 300 * DAY_MS)).toBe(true);
    expect(await shop.db.issuance.count({ where: { customerId: { in: tasks.map((t) => t.customerId!) } } })).toBe(0);
    expect(await shop.db.message.count({ where: { campaignId: campaign.id } })).toBe(0);

    await changeCampaignStatus(shop.db, shop.id, campaign.id, "resume");
    const released = await shop.db.task.findMany({ where: { campaignId: campaign.id } });
    expect(released.every((t) => t.outcome === null && t.dueAt.getTime() <= Date.now())).toBe(true);
    for (const task of tasks) expect(await runTask(shop.db, shop.id, task.id)).toMatchObject({ type: "executed" });
    expect(await shop.db.message.count({ where: { campaignId: campaign.id, status: "QUEUED" } })).toBe(2);
  });

  it("GIVEN messages queued and not sent WHEN the campaign is stopped THEN they are skipped and never sent; one a sender had in flight is recorded as sent", async () => {
    const { shop, campaign, tasks } = await started(2);
    for (const task of tasks) expect(await runTask(shop.db, shop.id, task.id)).toMatchObject({ type: "executed" });
    const [inFlight, waiting] = await shop.db.message.findMany({ where: { campaignId: campaign.id }, orderBy: { id: "asc" } });
    const delivered: string[] = [];
    // The merchant stops the campaign while the first message is with the mail server.
    const mailer = {
      async send(email: { to: string }) {
        await changeCampaignStatus(shop.db, shop.id, campaign.id, "stop");
        delivered.push(email.to);
        return { messageId: "<in-flight@test>" };
      },
      close() {},
    };
    expect(await sendMessages(shop.db, shop.id, [inFlight!.id.toString()], { systemMailer: mailer, scheduleRetries: false })).toMatchObject({ sent: 1 });
    expect(await sendMessages(shop.db, shop.id, [waiting!.id.toString()], { systemMailer: mailer, scheduleRetries: false })).toMatchObject({ claimed: 0 });
    expect(delivered).toEqual([inFlight!.recipient]);
    const rows = await shop.db.message.findMany({ where: { campaignId: campaign.id }, orderBy: { id: "asc" }, select: { status: true, error: true } });
    expect(rows).toEqual([
      { status: "SENT", error: null },
      { status: "SKIPPED", error: CAMPAIGN_STOPPED_MESSAGE },
    ]);
  });

  it("GIVEN a run under way WHEN the campaign is stopped between its code and its message THEN the runner is not cut off mid-step, the message is not queued, and the run ends cancelled", async () => {
    const { shop, campaign, tasks } = await started(1);
    const result = await runTask(shop.db, shop.id, tasks[0]!.id, {
      onStep: async (step) => {
        if (step.type !== "issue_code" || step.phase !== "after") return;
        await changeCampaignStatus(shop.db, shop.id, campaign.id, "stop");
        // The stop leaves the run it does not own to its runner.
        expect(await shop.db.task.findFirstOrThrow({ where: { id: tasks[0]!.id } })).toMatchObject({ status: "PENDING" });
      },
    });
    expect(result).toEqual({ type: "cancelled", reason: CAMPAIGN_STOPPED_OUTCOME });
    expect(await shop.db.message.count({ where: { campaignId: campaign.id } })).toBe(0);
    const task = await shop.db.task.findFirstOrThrow({ where: { id: tasks[0]!.id } });
    expect(task).toMatchObject({ status: "CANCELLED", outcome: CAMPAIGN_STOPPED_OUTCOME });
    // The code it was given stays given, and the task says so.
    expect(task.context).toMatchObject({ steps: { "0": { kind: "code", status: "issued" } } });
  });

  it("GIVEN a run whose customer has no email address THEN no code is spent on them and the skip is counted on the campaign, as the campaign page says (empty pool or no address)", async () => {
    const { shop, campaign, tasks } = await started(1);
    await shop.db.customer.update({ where: { id: tasks[0]!.customerId! }, data: { email: null } });
    const run = await runTask(shop.db, shop.id, tasks[0]!.id);
    expect(run).toMatchObject({ type: "executed", codeId: null });
    expect(run.type === "executed" && run.outcome).toContain("The customer has no email address");
    expect(await shop.db.issuance.count({ where: { customerId: tasks[0]!.customerId! } })).toBe(0);
    expect((await shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).skippedCount).toBe(1);
  });
});
