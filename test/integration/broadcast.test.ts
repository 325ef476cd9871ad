import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeShopMailers } from "../../app/channels/email/shop-mailer.server";
import { closeQueues } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { broadcastKey, broadcastSource, runBroadcast, startBroadcast } from "../../app/services/campaigns/broadcast.server";
import { changeCampaignStatus } from "../../app/services/campaigns/campaigns.server";
import { saveEmailChannel } from "../../app/services/channels.server";
import { CAMPAIGN_STOPPED_MESSAGE } from "../../app/services/messages/store.server";
import { sendMessages } from "../../app/services/messages/send.server";
import { issueBatch } from "../../app/services/pools/issue.server";
import { saveTemplate } from "../../app/services/templates.server";
import { draftBroadcast } from "../support/broadcasts";
import { createPoolWithCodes } from "../support/pools";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { createTestShop, type TestShop } from "../support/shops";

// Broadcasts on the real PostgreSQL and Redis with the real worker, delivering to a real SMTP server process.
let sink: SmtpSink;
let worker: RunningWorker;

beforeAll(async () => {
  sink = await startSmtpSink();
  worker = await startWorker({ concurrency: 4, schedules: false, log: () => undefined });
});

afterAll(async () => {
  await worker?.close();
  await closeQueues();
  closeShopMailers();
  await sink?.stop();
});

interface Arranged {
  shop: TestShop;
  campaignId: string;
  poolId: string;
  members: string[];
  withoutEmail: string[];
}

async function arrange(options: { members: number; withoutEmail?: number; codes: number; emptyBehavior?: "SKIP_MESSAGE" | "SEND_FALLBACK" | "HOLD_UNTIL_REFILLED" }): Promise<Arranged> {
  const shop = await createTestShop({ name: "Broadcast shop" });
  const saved = await saveEmailChannel(shop.db, shop.id, {
    enabled: true,
    host: "127.0.0.1",
    port: String(sink.port),
    security: "starttls",
    user: "",
    password: "",
    fromAddress: "news@shop.test",
    fromName: "",
  });
  if (saved.type !== "saved") throw new Error("settings");
  const tag = shop.id.slice(0, 8);
  const pool = await createPoolWithCodes(
    shop,
    Array.from({ length: options.codes }, (_, i) => `BC-${tag}-${String(i).padStart(5, "0")}`),
    { name: "Broadcast pool" },
  );
  if (options.emptyBehavior) await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: options.emptyBehavior, fallbackCode: "SORRY-5" } });
  const template = await saveTemplate(shop.db, shop.id, { name: "News", channel: "EMAIL", subject: "News for {{firstName}}", body: "<p>{{firstName}}: {{promoCode}}</p>" });
  if (template.type !== "saved") throw new Error("template");
  const without = options.withoutEmail ?? 0;
  const customers = await shop.db.customer.createManyAndReturn({
    data: Array.from({ length: options.members }, (_, i) => ({
      shopId: shop.id,
      platformId: `gid://shopify/Customer/${i}`,
      email: i < without ? null : `m${i}-${tag}@example.com`,
      firstName: `M${i}`,
    })),
    select: { id: true, email: true },
  });
  const campaign = await draftBroadcast(
    shop,
    customers.map((c) => c.id),
    [
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.template.id },
    ],
  );
  return {
    shop,
    campaignId: campaign.id,
    poolId: pool.id,
    members: customers.map((c) => c.id),
    withoutEmail: customers.filter((c) => !c.email).map((c) => c.id),
  };
}

async function waitForFinish(shop: TestShop, campaignId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const campaign = await shop.db.campaign.findFirstOrThrow({ where: { id: campaignId } });
    if (campaign.finishedAt || Date.now() > deadline) return campaign;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Codes given to more than one customer, and customers given more than one code, by this broadcast. */
async function duplicates(shop: TestShop, campaignId: string) {
  const rows = await shop.db.issuance.findMany({ where: { source: broadcastSource(campaignId) }, select: { customerId: true, codeId: true } });
  const perCode = new Map<string, number>();
  const perCustomer = new Map<string, number>();
  for (const r of rows) {
    perCode.set(String(r.codeId), (perCode.get(String(r.codeId)) ?? 0) + 1);
    perCustomer.set(r.customerId, (perCustomer.get(r.customerId) ?? 0) + 1);
  }
  return {
    issuances: rows.length,
    codesTwice: [...perCode.values()].filter((n) => n > 1).length,
    customersTwice: [...perCustomer.values()].filter((n) => n > 1).length,
  };
}

function received(shop: TestShop) {
  const tag = shop.id.slice(0, 8);
  return sink.messages.filter((m) => m.to.some((to) => to.endsWith(`-${tag}@example.com`)));
}

describe("broadcasts", () => {
  it("GIVEN 250 members (10 without email) WHEN the broadcast is sent THEN each reachable member gets one email with their own code, and the skips are counted", async () => {
    const { shop, campaignId, members, withoutEmail } = await arrange({ members: 250, withoutEmail: 10, codes: 300 });
    expect(await startBroadcast(shop.db, shop.id, campaignId)).toEqual({ type: "started", recipients: 250 });
    // A second click while it runs only makes sure the job is there.
    expect(await startBroadcast(shop.db, shop.id, campaignId)).toEqual({ type: "resumed" });
    const campaign = await waitForFinish(shop, campaignId);
    expect(campaign).toMatchObject({ status: "ACTIVE", recipientsTotal: 250, recipientsDone: 250, skippedCount: 10 });
    expect(campaign.finishedAt).toBeInstanceOf(Date);

    await sink.waitFor(240);
    const mails = received(shop);
    expect(mails).toHaveLength(240);
    const codes = mails.map((m) => /BC-[0-9a-f]{8}-\d{5}/.exec(m.data)?.[0]);
    expect(new Set(codes).size).toBe(240);
    expect(await duplicates(shop, campaignId)).toEqual({ issuances: 240, codesTwice: 0, customersTwice: 0 });
    // Each message's code is the one issued to its recipient.
    const sample = await shop.db.message.findFirstOrThrow({ where: { campaignId, customerId: members[42] }, include: { customer: true } });
    const code = await shop.db.code.findFirstOrThrow({ where: { id: sample.codeId! } });
    expect(code.customerId).toBe(members[42]);
    expect(sample.body).toContain(code.code);
    await expect(shop.db.message.findMany({ where: { customerId: { in: withoutEmail } }, select: { status: true, error: true } })).resolves.toEqual(
      withoutEmail.map(() => ({ status: "SKIPPED", error: "The customer has no email address" })),
    );
    expect(await startBroadcast(shop.db, shop.id, campaignId)).toEqual({ type: "already_finished" });
  });

  it("GIVEN a broadcast job that died after issuing codes, and runs racing each other WHEN it runs again THEN nobody gets a second code or a second message", async () => {
    const { shop, campaignId, poolId, members } = await arrange({ members: 400, codes: 450 });
    await shop.db.campaign.update({ where: { id: campaignId }, data: { status: "ACTIVE", startedAt: new Date(), recipientsTotal: 400 } });
    // The first run issued codes to the first 120 members (same batch key), then was killed before storing messages.
    const ordered = [...members].sort();
    const early = await issueBatch(shop.db, { shopId: shop.id, poolId, customerIds: ordered.slice(0, 120), source: broadcastSource(campaignId), batchKey: broadcastSource(campaignId) });
    const earlyCodes = new Map(early.issued.map((i) => [i.customerId, i.code]));
    // Three runs at once (a retried job and two sweeps): one holds the broadcast, the others leave at once rather
    // than race it for codes (a batch finding the codes locked would take the pool as used up and skip members).
    const runs = await Promise.all([1, 2, 3].map(() => runBroadcast(shop.db, shop.id, campaignId, { chunkSize: 40, enqueueSends: false })));
    expect(runs.filter((r) => r.type === "done")).toEqual([expect.objectContaining({ created: 400, skipped: 0 })]);
    expect(runs.filter((r) => r.type === "not_running")).toEqual([
      { type: "not_running", reason: "Another run is sending this broadcast" },
      { type: "not_running", reason: "Another run is sending this broadcast" },
    ]);
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaignId } })).resolves.toMatchObject({ runToken: null, runLeaseUntil: null });
    expect(await runBroadcast(shop.db, shop.id, campaignId, { chunkSize: 40, enqueueSends: false })).toMatchObject({ type: "done", created: 0 });

    expect(await duplicates(shop, campaignId)).toEqual({ issuances: 400, codesTwice: 0, customersTwice: 0 });
    expect(await shop.db.code.count({ where: { poolId, status: "AVAILABLE" } })).toBe(50);
    const messages = await shop.db.message.findMany({ where: { campaignId }, select: { customerId: true, dedupeKey: true, body: true } });
    expect(messages).toHaveLength(400);
    expect(new Set(messages.map((m) => m.customerId)).size).toBe(400);
    for (const [customerId, code] of earlyCodes) {
      expect(messages.find((m) => m.dedupeKey === broadcastKey(campaignId, customerId))?.body).toContain(code);
    }

    // Sending them (twice over, as a redelivered job would) delivers each once, and finishes the broadcast.
    const ids = (await shop.db.message.findMany({ where: { campaignId }, select: { id: true } })).map((m) => m.id.toString());
    await Promise.all([sendMessages(shop.db, shop.id, ids, { scheduleRetries: false }), sendMessages(shop.db, shop.id, ids, { scheduleRetries: false })]);
    await sink.waitFor(400);
    await new Promise((r) => setTimeout(r, 300));
    const ids2 = received(shop).map((m) => /^Message-ID: (<[^>]+>)/im.exec(m.data)?.[1]);
    expect(ids2).toHaveLength(400);
    expect(new Set(ids2).size).toBe(400);
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaignId } })).resolves.toMatchObject({ recipientsDone: 400 });
  });

  it("GIVEN a pool with fewer codes than members, set to skip WHEN broadcast THEN the rest are skipped and counted, and the broadcast finishes", async () => {
    const { shop, campaignId } = await arrange({ members: 60, codes: 45, emptyBehavior: "SKIP_MESSAGE" });
    await startBroadcast(shop.db, shop.id, campaignId);
    const campaign = await waitForFinish(shop, campaignId);
    expect(campaign).toMatchObject({ recipientsTotal: 60, recipientsDone: 60, skippedCount: 15 });
    expect(await shop.db.message.count({ where: { campaignId, status: "SKIPPED", error: 'Pool "Broadcast pool" is empty' } })).toBe(15);
    expect(await shop.db.message.count({ where: { campaignId, status: "SENT" } })).toBe(45);
  });

  it("GIVEN a pool with fewer codes than members, set to hold WHEN broadcast THEN the rest wait, and get their message once the pool is refilled", async () => {
    const { shop, campaignId, poolId } = await arrange({ members: 30, codes: 20, emptyBehavior: "HOLD_UNTIL_REFILLED" });
    await shop.db.campaign.update({ where: { id: campaignId }, data: { status: "ACTIVE", startedAt: new Date(), recipientsTotal: 30 } });
    expect(await runBroadcast(shop.db, shop.id, campaignId, { enqueueSends: false, heldRetryMs: 3_600_000 })).toMatchObject({ type: "done", created: 20, held: 10 });
    expect(await shop.db.message.count({ where: { campaignId } })).toBe(20);
    await shop.db.code.createMany({ data: Array.from({ length: 10 }, (_, i) => ({ shopId: shop.id, poolId, code: `REFILL-${i}`, codeKey: `REFILL-${i}` })) });
    expect(await runBroadcast(shop.db, shop.id, campaignId, { enqueueSends: false })).toMatchObject({ type: "done", created: 10, held: 0, total: 30 });
    expect(await shop.db.message.count({ where: { campaignId, body: { contains: "REFILL-" } } })).toBe(10);
    expect(await duplicates(shop, campaignId)).toMatchObject({ issuances: 30, codesTwice: 0, customersTwice: 0 });
  });

  it("GIVEN a lease held by a run that died WHEN a run finds it THEN it waits out a live lease and takes over one that ran out", async () => {
    const { shop, campaignId } = await arrange({ members: 20, codes: 20 });
    const dead = "00000000-0000-4000-8000-000000000001";
    await shop.db.campaign.update({
      where: { id: campaignId },
      data: { status: "ACTIVE", startedAt: new Date(), recipientsTotal: 20, runToken: dead, runLeaseUntil: new Date(Date.now() + 60_000) },
    });
    expect(await runBroadcast(shop.db, shop.id, campaignId, { enqueueSends: false })).toEqual({ type: "not_running", reason: "Another run is sending this broadcast" });
    expect(await shop.db.message.count({ where: { campaignId } })).toBe(0);

    await shop.db.campaign.update({ where: { id: campaignId }, data: { runLeaseUntil: new Date(Date.now() - 1000) } });
    expect(await runBroadcast(shop.db, shop.id, campaignId, { enqueueSends: false })).toMatchObject({ type: "done", created: 20, skipped: 0 });
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaignId } })).resolves.toMatchObject({ runToken: null, recipientsTotal: 20 });
  });

  it("GIVEN a run that stalled past its lease while another took over WHEN it carries on THEN it stops before its next chunk", async () => {
    const { shop, campaignId } = await arrange({ members: 30, codes: 30 });
    await shop.db.campaign.update({ where: { id: campaignId }, data: { status: "ACTIVE", startedAt: new Date(), recipientsTotal: 30 } });
    // The stalled run's log is the moment its first chunk is done: another run takes the lease over there.
    const takeOver = () =>
      shop.db.campaign.updateMany({ where: { id: campaignId }, data: { runToken: "00000000-0000-4000-8000-000000000002", runLeaseUntil: new Date(Date.now() + 60_000) } });
    let chunks = 0;
    const slow = runBroadcast(shop.db, shop.id, campaignId, {
      chunkSize: 10,
      enqueueSends: false,
      log: () => undefined,
      leaseMs: 60_000,
      onChunk: async () => {
        if (++chunks === 1) await takeOver();
      },
    });
    expect(await slow).toEqual({ type: "not_running", reason: "Another run took this broadcast over" });
    expect(await shop.db.message.count({ where: { campaignId } })).toBe(10);
  });

  it("GIVEN a broadcast whose first chunk is queued WHEN the merchant stops it THEN the run ends and the queued emails are skipped, none sent", async () => {
    const { shop, campaignId } = await arrange({ members: 30, codes: 30 });
    await shop.db.campaign.update({ where: { id: campaignId }, data: { status: "ACTIVE", startedAt: new Date(), recipientsTotal: 30 } });
    const run = await runBroadcast(shop.db, shop.id, campaignId, {
      chunkSize: 10,
      enqueueSends: false,
      log: () => undefined,
      onChunk: async () => {
        await changeCampaignStatus(shop.db, shop.id, campaignId, "stop");
      },
    });
    expect(run).toEqual({ type: "not_running", reason: "The broadcast is stopped" });
    const messages = await shop.db.message.findMany({ where: { campaignId }, select: { id: true, status: true, error: true } });
    expect(messages).toHaveLength(10);
    expect(new Set(messages.map((m) => `${m.status}: ${m.error}`))).toEqual(new Set([`SKIPPED: ${CAMPAIGN_STOPPED_MESSAGE}`]));
    expect(await sendMessages(shop.db, shop.id, messages.map((m) => m.id.toString()))).toMatchObject({ claimed: 0, sent: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(received(shop)).toHaveLength(0);
  });

  it("GIVEN a stopped broadcast WHEN its job runs THEN it starts nothing new", async () => {
    const { shop, campaignId } = await arrange({ members: 10, codes: 10 });
    await shop.db.campaign.update({ where: { id: campaignId }, data: { status: "STOPPED", startedAt: new Date(), recipientsTotal: 10 } });
    expect(await runBroadcast(shop.db, shop.id, campaignId)).toEqual({ type: "not_running", reason: "The broadcast is stopped" });
    expect(await shop.db.message.count({ where: { campaignId } })).toBe(0);
    expect(await startBroadcast(shop.db, shop.id, campaignId)).toEqual({ type: "refused", message: "This broadcast was stopped" });
  });
});
