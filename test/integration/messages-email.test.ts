import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smtpMailer, type Mailer } from "../../app/channels/email/mailer.server";
import { closeShopMailers } from "../../app/channels/email/shop-mailer.server";
import { closeQueues } from "../../app/jobs/enqueue.server";
import { processSendMessages } from "../../app/jobs/processors/messages.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { saveEmailChannel, type EmailChannelInput } from "../../app/services/channels.server";
import { queueMessage } from "../../app/services/messages/deliver.server";
import { messageKey, type SendOptions } from "../../app/services/messages/send.server";
import { sweepMessages } from "../../app/services/messages/sweep.server";
import { saveTemplate } from "../../app/services/templates.server";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { createTestShop, type TestShop } from "../support/shops";

// Email end to end: settings saved (and tested) against a real SMTP server process, queueMessage, the real worker
// sending through the shop's pooled transport, and what the server received.
let sink: SmtpSink;
let refusing: SmtpSink;
let stalling: SmtpSink;
let worker: RunningWorker;
/** What the worker's send job runs with; tests that need a short timeout or a system mailer set it. */
let sendOptions: SendOptions = {};
const systemMailers: Mailer[] = [];

beforeAll(async () => {
  [sink, refusing, stalling] = await Promise.all([startSmtpSink(), startSmtpSink({ SMTP_SINK_REJECT: "all" }), startSmtpSink({ SMTP_SINK_STALL_FIRST: "1" })]);
  worker = await startWorker({
    schedules: false,
    concurrency: 4,
    log: () => undefined,
    processors: { messages: { send: (payload) => processSendMessages(payload, { retryDelayMs: () => 300, ...sendOptions }) } },
  });
});

afterAll(async () => {
  await worker?.close();
  await closeQueues();
  closeShopMailers();
  for (const m of systemMailers) m.close();
  await Promise.all([sink?.stop(), refusing?.stop(), stalling?.stop()]);
});

function smtp(port: number, overrides: Partial<EmailChannelInput> = {}): EmailChannelInput {
  return { enabled: true, host: "127.0.0.1", port: String(port), security: "starttls", user: "", password: "", fromAddress: "offers@shop.test", fromName: "Shop", ...overrides };
}

async function setup(port: number | null, body = "<p>Hi {{firstName}}, your code is <b>{{promoCode}}</b></p>") {
  const shop = await createTestShop({ name: "Tom & Jerry's" });
  if (port !== null) {
    const saved = await saveEmailChannel(shop.db, shop.id, smtp(port));
    if (saved.type !== "saved") throw new Error(`settings: ${JSON.stringify(saved)}`);
  }
  const template = await saveTemplate(shop.db, shop.id, { name: "Welcome", channel: "EMAIL", subject: "{{firstName}}, a code from {{shopName}}", body });
  if (template.type !== "saved") throw new Error("template");
  const customer = await shop.db.customer.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Customer/${Date.now()}`, email: `ada-${shop.id.slice(0, 8)}@example.com`, firstName: "Ada <3" },
  });
  return { shop, templateId: template.template.id, customerId: customer.id, email: customer.email! };
}

async function queue(shop: TestShop, templateId: string, customerId: string, code = "WELCOME-10") {
  const result = await queueMessage(shop.db, {
    shopId: shop.id,
    customerId,
    templateId,
    dedupeKey: `task:${customerId}:0`,
    runCode: { codeId: null, code, expiresAt: null },
    triggeredProducts: [],
    source: "scenario:s1",
  });
  if (result.type !== "queued") throw new Error(`not queued: ${JSON.stringify(result)}`);
  return result.messageId;
}

async function settled(shop: TestShop, id: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } });
    if (row.status !== "QUEUED" || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("email messages", () => {
  it("GIVEN a shop's SMTP settings WHEN a message is queued THEN the worker delivers it once, escaped, with its stable Message-ID", async () => {
    sendOptions = {};
    const { shop, templateId, customerId, email } = await setup(sink.port);
    const id = await queue(shop, templateId, customerId, `A&B<1>`);
    const row = await settled(shop, id);
    expect(row).toMatchObject({ status: "SENT", attempts: 1, error: null, providerRef: `<${messageKey(shop.id, id)}@promo-codes.app>` });
    const mails = (await sink.waitFor(1)).filter((m) => m.to.includes(email));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe("Ada <3, a code from Tom & Jerry's");
    expect(mail!.data).toMatch(new RegExp(`^Message-ID: <${messageKey(shop.id, id).replaceAll(".", "\\.")}@promo-codes\\.app>`, "im"));
    expect(mail!.data).toMatch(/^From: "?Shop"? <offers@shop\.test>/im);
    // The HTML part escapes the values; the text part reads as plain text.
    const decoded = mail!.data.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(decoded).toContain("<p>Hi Ada &lt;3, your code is <b>A&amp;B&lt;1&gt;</b></p>");
    expect(decoded).toContain("Hi Ada <3, your code is A&B<1>");
  });

  it("GIVEN a server that answers 550 WHEN the message is sent THEN it is FAILED with the reason and not retried", async () => {
    sendOptions = {};
    const { shop, templateId, customerId } = await setup(null);
    // Saving would test the login (which this server allows) but the server refuses every message.
    const saved = await saveEmailChannel(shop.db, shop.id, smtp(refusing.port));
    expect(saved.type).toBe("saved");
    const id = await queue(shop, templateId, customerId);
    const row = await settled(shop, id);
    expect(row.status).toBe("FAILED");
    expect(row.error).toContain("SMTP server refused the message (550)");
    await new Promise((r) => setTimeout(r, 1000));
    await expect(shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } })).resolves.toMatchObject({ status: "FAILED", attempts: 1 });
  });

  it("GIVEN a server that times out once WHEN the message is sent THEN it is retried and delivered exactly once", async () => {
    sendOptions = { smtpTimeoutMs: 700 };
    const { shop, templateId, customerId, email } = await setup(stalling.port);
    const id = await queue(shop, templateId, customerId);
    const row = await settled(shop, id, 20_000);
    expect(row).toMatchObject({ status: "SENT", attempts: 2 });
    expect(stalling.stalled()).toBe(1);
    const received = (await stalling.waitFor(1)).filter((m) => m.to.includes(email));
    expect(received).toHaveLength(1);
    expect(received[0]!.data).toContain(`Message-ID: <${messageKey(shop.id, id)}@promo-codes.app>`);
  });

  it("GIVEN a shop without SMTP settings WHEN the app has a system mailer THEN the message goes through it; without one it FAILS with the reason", async () => {
    const system = smtpMailer(sink.url, "Promo Codes <no-reply@promo.test>");
    systemMailers.push(system);
    sendOptions = { systemMailer: system };
    const viaSystem = await setup(null);
    const id = await queue(viaSystem.shop, viaSystem.templateId, viaSystem.customerId);
    expect(await settled(viaSystem.shop, id)).toMatchObject({ status: "SENT" });
    const mail = (await sink.waitFor(1)).find((m) => m.to.includes(viaSystem.email));
    expect(mail?.from).toBe("no-reply@promo.test");

    sendOptions = { systemMailer: null };
    const nowhere = await setup(null);
    const failed = await settled(nowhere.shop, await queue(nowhere.shop, nowhere.templateId, nowhere.customerId));
    expect(failed).toMatchObject({
      status: "FAILED",
      error: "This shop has no SMTP settings (Settings > Messages), and the app has no system mailer (SMTP_URL) to send with instead",
    });
  });

  it("GIVEN a queued message whose job Redis lost WHEN the sweep runs THEN it is enqueued again and delivered once", async () => {
    sendOptions = {};
    const { shop, templateId, customerId, email } = await setup(sink.port);
    const result = await queueMessage(
      shop.db,
      { shopId: shop.id, customerId, templateId, dedupeKey: `task:${customerId}:lost`, runCode: { codeId: null, code: "LOST-1", expiresAt: null }, triggeredProducts: [], source: "scenario:s1" },
      { enqueue: false },
    );
    if (result.type !== "queued") throw new Error(result.type);
    // Still inside the grace period: the sweep leaves it to the job that may yet come.
    expect(await sweepMessages(shop.db, shop.id)).toMatchObject({ requeued: 0 });
    await shop.db.message.updateMany({ where: { id: BigInt(result.messageId) }, data: { createdAt: new Date(Date.now() - 5 * 60_000) } });
    expect(await sweepMessages(shop.db, shop.id)).toMatchObject({ requeued: 1 });
    expect(await settled(shop, result.messageId)).toMatchObject({ status: "SENT", attempts: 1 });
    await sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it("GIVEN SMTP settings for a port nothing listens on WHEN saved THEN the real connection test fails and nothing is stored", async () => {
    const shop = await createTestShop();
    const result = await saveEmailChannel(shop.db, shop.id, smtp(1));
    expect(result.type).toBe("connection_failed");
    if (result.type === "connection_failed") expect(result.message).toMatch(/ECONNREFUSED|connect/);
    expect(await shop.db.channelSettings.count()).toBe(0);
  });
});
