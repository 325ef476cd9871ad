import { describe, expect, it } from "vitest";
import { loopbackServerForFile } from "../../support/loopback-server";
import { signProviderBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../../app/channels/provider/webhook.server";
import { saveProviderChannel } from "../../../app/services/channels.server";
import { queueMessage } from "../../../app/services/messages/deliver.server";
import { messageKey, sendMessages } from "../../../app/services/messages/send.server";
import { saveTemplate } from "../../../app/services/templates.server";
import { createTestShop, type TestShop } from "../../support/shops";

// SMS and push go to a real HTTP server on loopback playing the merchant's provider: it checks the signature with
// the secret the settings page generated, and answers as the test tells it to.
const provider = loopbackServerForFile("/provider");

async function setup(channel: "SMS" | "PUSH") {
  const shop = await createTestShop();
  const saved = await saveProviderChannel(shop.db, shop.id, channel, { enabled: true, url: provider.url, secret: "" });
  if (saved.type !== "saved" || !saved.generatedSecret) throw new Error(`settings not saved: ${JSON.stringify(saved)}`);
  const template = await saveTemplate(shop.db, shop.id, {
    name: `${channel} offer`,
    channel,
    subject: channel === "PUSH" ? "A gift for {{firstName}}" : null,
    body: "Hi {{firstName}}, use {{promoCode}} & save",
  });
  if (template.type !== "saved") throw new Error("template not saved");
  const customer = await shop.db.customer.create({
    data: { shopId: shop.id, platformId: "gid://shopify/Customer/42", email: "ada@example.com", phone: "+15550001111", firstName: "Ada <3" },
  });
  return { shop, secret: saved.generatedSecret, templateId: template.template.id, customerId: customer.id };
}

async function queue(shop: TestShop, templateId: string, customerId: string, key = "task:t1:0") {
  const result = await queueMessage(
    shop.db,
    { shopId: shop.id, customerId, templateId, dedupeKey: key, runCode: { codeId: null, code: "SMS-1", expiresAt: null }, triggeredProducts: [], source: "scenario:s1" },
    { enqueue: false },
  );
  if (result.type !== "queued") throw new Error(`not queued: ${JSON.stringify(result)}`);
  return result.messageId;
}

describe("SMS and push through the provider webhook", () => {
  it("GIVEN an SMS message WHEN the provider accepts THEN it got a signed JSON POST with the phone and text, and the row is SENT with its id", async () => {
    const { shop, secret, templateId, customerId } = await setup("SMS");
    provider.handle((_req, _body, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ id: "sms-991" }));
    });
    const id = await queue(shop, templateId, customerId);
    const report = await sendMessages(shop.db, shop.id, [id], { scheduleRetries: false });
    expect(report).toMatchObject({ claimed: 1, sent: 1, failed: 0, retrying: 0 });
    expect(provider.received).toHaveLength(1);
    const [request] = provider.received;
    const timestamp = request!.headers[TIMESTAMP_HEADER.toLowerCase()] as string;
    expect(request!.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signProviderBody(secret, timestamp, request!.body));
    expect(request!.headers["idempotency-key"]).toBe(messageKey(shop.id, id));
    expect(JSON.parse(request!.body)).toEqual({
      messageId: messageKey(shop.id, id),
      channel: "sms",
      to: "+15550001111",
      body: "Hi Ada <3, use SMS-1 & save",
      shop: shop.domain,
    });
    const row = await shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } });
    expect(row).toMatchObject({ status: "SENT", providerRef: "sms-991", attempts: 1, error: null });
    expect(row.sentAt).toBeInstanceOf(Date);

    // Sent once: the same job again (a redelivered job) claims nothing and posts nothing.
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ claimed: 0, notClaimed: 1 });
    expect(provider.received).toHaveLength(1);
  });

  it("GIVEN a push message WHEN sent THEN the title and the customer's store id go to the provider", async () => {
    const { shop, templateId, customerId } = await setup("PUSH");
    provider.handle((_req, _body, res) => res.end());
    const id = await queue(shop, templateId, customerId);
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ sent: 1 });
    expect(JSON.parse(provider.received[0]!.body)).toMatchObject({ channel: "push", to: "gid://shopify/Customer/42", title: "A gift for Ada <3" });
  });

  it("GIVEN a provider answering 503 with Retry-After WHEN sent THEN the row waits that long, keeps the reason, and goes on the next try", async () => {
    const { shop, templateId, customerId } = await setup("SMS");
    provider.handle((_req, _body, res) => {
      res.statusCode = 503;
      res.setHeader("Retry-After", "1");
      res.end("busy");
    });
    const id = await queue(shop, templateId, customerId);
    const first = await sendMessages(shop.db, shop.id, [id], { scheduleRetries: false });
    expect(first).toMatchObject({ claimed: 1, sent: 0, retrying: 1 });
    let row = await shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } });
    expect(row).toMatchObject({ status: "QUEUED", attempts: 1, error: "Provider answered 503: busy" });
    // Not before its retry time.
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ claimed: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    provider.handle((_req, _body, res) => res.end(JSON.stringify({ id: 7 })));
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ claimed: 1, sent: 1 });
    row = await shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } });
    expect(row).toMatchObject({ status: "SENT", attempts: 2, providerRef: "7", error: null });
    expect(provider.received).toHaveLength(2);
  });

  it("GIVEN a provider that refuses the message WHEN sent THEN it is FAILED with the reason and never retried", async () => {
    const { shop, templateId, customerId } = await setup("SMS");
    provider.handle((_req, _body, res) => {
      res.statusCode = 422;
      res.end("invalid number");
    });
    const id = await queue(shop, templateId, customerId);
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ failed: 1, retrying: 0 });
    await expect(shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } })).resolves.toMatchObject({
      status: "FAILED",
      error: "Provider refused the message (422): invalid number",
    });
  });

  it("GIVEN a provider that keeps failing WHEN the attempts run out THEN the message is FAILED with the last reason", async () => {
    const { shop, templateId, customerId } = await setup("SMS");
    provider.handle((_req, _body, res) => {
      res.statusCode = 500;
      res.end("down");
    });
    const id = await queue(shop, templateId, customerId);
    const options = { maxAttempts: 2, retryDelayMs: () => 0, scheduleRetries: false };
    expect(await sendMessages(shop.db, shop.id, [id], options)).toMatchObject({ retrying: 1 });
    expect(await sendMessages(shop.db, shop.id, [id], options)).toMatchObject({ failed: 1 });
    await expect(shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } })).resolves.toMatchObject({
      status: "FAILED",
      attempts: 2,
      error: "Gave up after 2 attempts: Provider answered 500: down",
    });
    // The settings page shows what went wrong.
    await expect(shop.db.channelSettings.findFirstOrThrow({ where: { channel: "SMS" } })).resolves.toMatchObject({ lastError: "Provider answered 500: down" });
  });

  it("GIVEN no provider set up WHEN an SMS is sent THEN it fails with a clear reason", async () => {
    const shop = await createTestShop();
    const template = await saveTemplate(shop.db, shop.id, { name: "sms", channel: "SMS", subject: null, body: "{{promoCode}}" });
    if (template.type !== "saved") throw new Error("template");
    const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "1", phone: "+15550002222" } });
    const id = await queue(shop, template.template.id, customer.id);
    expect(await sendMessages(shop.db, shop.id, [id])).toMatchObject({ failed: 1 });
    await expect(shop.db.message.findFirstOrThrow({ where: { id: BigInt(id) } })).resolves.toMatchObject({
      status: "FAILED",
      error: "This shop has no SMS provider set up (Settings > Messages)",
    });
    expect(provider.received).toHaveLength(0);
  });

  it("GIVEN another shop's message id WHEN this shop's job is given it THEN nothing is claimed", async () => {
    const { shop, templateId, customerId } = await setup("SMS");
    const other = await createTestShop();
    const id = await queue(shop, templateId, customerId);
    expect(await sendMessages(other.db, other.id, [id])).toMatchObject({ claimed: 0 });
    expect(provider.received).toHaveLength(0);
  });
});
