import { describe, expect, it } from "vitest";
import { queueMessage, type MessageRequest } from "../../../app/services/messages/deliver.server";
import { saveTemplate } from "../../../app/services/templates.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

// queueMessage on PGlite: codes issued for the template's own placeholders, rendering, the stored row, and every
// way a message is not queued (duplicate, skipped, held). Sending is tested in send.test.ts and the integration tests.

async function template(shop: TestShop, body: string, options: { channel?: string; subject?: string | null; name?: string } = {}) {
  const result = await saveTemplate(shop.db, shop.id, {
    name: options.name ?? `T ${Math.random().toString(36).slice(2, 8)}`,
    channel: options.channel ?? "EMAIL",
    subject: options.subject === undefined ? "Your code" : options.subject,
    body,
  });
  if (result.type !== "saved") throw new Error(`template not saved: ${JSON.stringify(result)}`);
  return result.template;
}

async function customer(shop: TestShop, data: { email?: string | null; phone?: string | null; firstName?: string | null; lastName?: string | null } = {}) {
  const row = await shop.db.customer.create({
    data: {
      shopId: shop.id,
      platformId: `gid://shopify/Customer/${Math.random().toString(36).slice(2)}`,
      email: data.email === undefined ? "ada@example.com" : data.email,
      phone: data.phone ?? null,
      firstName: data.firstName === undefined ? "Ada" : data.firstName,
      lastName: data.lastName === undefined ? "Lovelace" : data.lastName,
    },
  });
  return row.id;
}

function request(shop: TestShop, customerId: string, templateId: string, overrides: Partial<MessageRequest> = {}): MessageRequest {
  return {
    shopId: shop.id,
    customerId,
    templateId,
    dedupeKey: `task:${Math.random().toString(36).slice(2)}:1`,
    runCode: { codeId: null, code: "RUN-CODE-1", expiresAt: new Date("2027-01-31T12:00:00Z") },
    triggeredProducts: [],
    source: "scenario:s1",
    ...overrides,
  };
}

async function stored(shop: TestShop, messageId: string) {
  return shop.db.message.findFirstOrThrow({ where: { id: BigInt(messageId) } });
}

describe("queueMessage", () => {
  it("GIVEN a template with every placeholder syntax WHEN queued THEN each renders its value and the row is QUEUED for the customer's email", async () => {
    const shop = await createTestShop({ name: "Demo Shop" });
    const summer = await createPoolWithCodes(shop, ["SUMMER-1", "SUMMER-2"], { name: "Summer" });
    const winter = await createPoolWithCodes(shop, ["WINTER-1"], { name: "Winter" });
    const ada = await customer(shop);
    // Ada got a Winter code earlier: last_promocode shows it again.
    await shop.db.code.updateMany({ where: { poolId: winter.id }, data: { status: "ASSIGNED", customerId: ada } });
    const winterCode = await shop.db.code.findFirstOrThrow({ where: { poolId: winter.id } });
    await shop.db.issuance.create({ data: { shopId: shop.id, poolId: winter.id, codeId: winterCode.id, customerId: ada } });
    const t = await template(
      shop,
      [
        "a={{promoCode}}",
        "b={$dynamic_discount_code}",
        "c=$!data.get('promocode')",
        "d={{client.promocode('Summer')}}",
        "e={{client.last_promocode('Winter')}}",
        "f={{userName}}/{{firstName}}/{{lastName}}/{{email}}/{{shopName}}/{{codeExpiresAt}}",
        "g={{#triggeredProducts}}[{{product.title}}|{{product.vendor}}]{{/triggeredProducts}}",
      ].join("\n"),
      { subject: "Hi {{firstName}}, {{promoCode}} inside" },
    );
    const result = await queueMessage(
      shop.db,
      request(shop, ada, t.id, { triggeredProducts: [{ id: "p1", title: "Hat", vendor: "Hatters" }, { id: "p2", title: "Scarf" }] }),
    );
    expect(result.type).toBe("queued");
    if (result.type !== "queued") return;
    const row = await stored(shop, result.messageId);
    expect(row).toMatchObject({ status: "QUEUED", channel: "EMAIL", recipient: "ada@example.com", subject: "Hi Ada, RUN-CODE-1 inside", attempts: 0 });
    // A body without markup is plain text: sent as HTML with its line breaks kept.
    expect(row.body.split("<br>\n")).toEqual([
      "a=RUN-CODE-1",
      "b=RUN-CODE-1",
      "c=RUN-CODE-1",
      "d=SUMMER-1",
      "e=WINTER-1",
      "f=Ada Lovelace/Ada/Lovelace/ada@example.com/Demo Shop/2027-01-31",
      "g=[Hat|Hatters][Scarf|]",
    ]);
    // The Summer code is now Ada's, issued under a key derived from the message's dedupe key.
    await expect(shop.db.code.findFirstOrThrow({ where: { code: "SUMMER-1" } })).resolves.toMatchObject({ status: "ASSIGNED", customerId: ada });
    const issuance = await shop.db.issuance.findFirstOrThrow({ where: { poolId: summer.id } });
    expect(issuance.idempotencyKey).toContain(row.dedupeKey);
    expect(issuance.source).toBe("scenario:s1");
  });

  it("GIVEN values with markup WHEN rendered for email THEN they are escaped and the template's own HTML is not", async () => {
    const shop = await createTestShop({ name: `Tom & Jerry's` });
    const t = await template(shop, `<p>Hello <b>{{firstName}}</b> from {{shopName}}: {{promoCode}}</p>`);
    const ada = await customer(shop, { firstName: `<img src=x onerror="alert(1)">` });
    const result = await queueMessage(shop.db, request(shop, ada, t.id, { runCode: { codeId: null, code: `A<B>&"C"`, expiresAt: null } }));
    if (result.type !== "queued") throw new Error(result.type);
    const row = await stored(shop, result.messageId);
    expect(row.body).toBe(`<p>Hello <b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</b> from Tom &amp; Jerry&#39;s: A&lt;B&gt;&amp;&quot;C&quot;</p>`);
  });

  it("GIVEN an SMS template WHEN queued THEN values are not HTML-escaped and the phone is the recipient", async () => {
    const shop = await createTestShop();
    const t = await template(shop, "Hi {{firstName}} & co: {{promoCode}}", { channel: "SMS", subject: null });
    const bob = await customer(shop, { firstName: "Bob <3", phone: "+15550001111" });
    const result = await queueMessage(shop.db, request(shop, bob, t.id));
    if (result.type !== "queued") throw new Error(result.type);
    await expect(stored(shop, result.messageId)).resolves.toMatchObject({ channel: "SMS", recipient: "+15550001111", subject: null, body: "Hi Bob <3 & co: RUN-CODE-1" });
  });

  it("GIVEN the same dedupe key twice WHEN queued THEN the second answers duplicate and no second code is issued", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["P-1", "P-2", "P-3"], { name: "Promo" });
    const t = await template(shop, "{{client.promocode('Promo')}}");
    const ada = await customer(shop);
    const req = request(shop, ada, t.id);
    const [first, second] = await Promise.all([queueMessage(shop.db, req), queueMessage(shop.db, req)]);
    const third = await queueMessage(shop.db, req);
    const results = [first, second, third];
    expect(results.filter((r) => r.type === "queued")).toHaveLength(1);
    expect(results.filter((r) => r.type === "duplicate")).toHaveLength(2);
    expect(await shop.db.message.count()).toBe(1);
    expect(await shop.db.code.count({ where: { status: "ASSIGNED" } })).toBe(1);
  });

  it("GIVEN a customer with no email WHEN an email is queued THEN it is skipped with the reason, stored, and skipped again when asked twice", async () => {
    const shop = await createTestShop();
    const t = await template(shop, "{{promoCode}}");
    const nobody = await customer(shop, { email: null });
    const req = request(shop, nobody, t.id);
    expect(await queueMessage(shop.db, req)).toEqual({ type: "skipped", reason: "The customer has no email address" });
    expect(await queueMessage(shop.db, req)).toEqual({ type: "skipped", reason: "The customer has no email address" });
    await expect(shop.db.message.findMany()).resolves.toMatchObject([{ status: "SKIPPED", error: "The customer has no email address" }]);
  });

  it("GIVEN an empty pool set to skip WHEN its placeholder is queued THEN the message is skipped and says which pool", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, [], { name: "Empty" });
    const t = await template(shop, "{{client.promocode('Empty')}}");
    const ada = await customer(shop);
    expect(await queueMessage(shop.db, request(shop, ada, t.id))).toEqual({ type: "skipped", reason: 'Pool "Empty" is empty' });
    await expect(shop.db.message.count({ where: { status: "SKIPPED" } })).resolves.toBe(1);
  });

  it("GIVEN an empty pool with a fallback code WHEN queued THEN the fallback code goes out", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, [], { name: "Fallback" });
    await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: "SEND_FALLBACK", fallbackCode: "SORRY-10" } });
    const t = await template(shop, "Use {{client.promocode('Fallback')}}");
    const result = await queueMessage(shop.db, request(shop, await customer(shop), t.id));
    if (result.type !== "queued") throw new Error(result.type);
    await expect(stored(shop, result.messageId)).resolves.toMatchObject({ body: "Use SORRY-10", codeId: null });
  });

  it("GIVEN an empty pool set to hold WHEN queued THEN nothing is stored, and once refilled the same request is queued with a code", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, [], { name: "Hold" });
    await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: "HOLD_UNTIL_REFILLED" } });
    const t = await template(shop, "{{client.promocode('Hold')}}");
    const req = request(shop, await customer(shop), t.id);
    expect(await queueMessage(shop.db, req)).toEqual({ type: "held", reason: 'Pool "Hold" is empty: held until it is refilled' });
    expect(await shop.db.message.count()).toBe(0);
    await shop.db.code.create({ data: { shopId: shop.id, poolId: pool.id, code: "LATE-1", codeKey: "LATE-1" } });
    const result = await queueMessage(shop.db, req);
    if (result.type !== "queued") throw new Error(result.type);
    const row = await stored(shop, result.messageId);
    expect(row.body).toBe("LATE-1");
    expect(row.codeId).toBe((await shop.db.code.findFirstOrThrow({ where: { code: "LATE-1" } })).id);
  });

  it("GIVEN a template whose pool was deleted WHEN queued THEN it is skipped with a reason naming the pool, and no code is issued for it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["GONE-1"], { name: "Gone" });
    const summer = await createPoolWithCodes(shop, ["SUMMER-1"], { name: "Summer" });
    const t = await template(shop, "Code: [{{client.promocode('Summer')}}] [{{client.promocode('Gone')}}] and {{promoCode}}");
    await shop.db.pool.update({ where: { id: pool.id }, data: { deletedAt: new Date() } });
    const req = request(shop, await customer(shop), t.id);
    const reason = 'The template names the pool "Gone", which no longer exists (renamed or deleted): edit the template';
    expect(await queueMessage(shop.db, req)).toEqual({ type: "skipped", reason });
    await expect(shop.db.message.findFirstOrThrow({ where: { dedupeKey: req.dedupeKey } })).resolves.toMatchObject({ status: "SKIPPED", body: "", error: reason });
    // Summer is checked with Gone before anything is issued: the skipped message took no code.
    await expect(shop.db.code.count({ where: { poolId: { in: [pool.id, summer.id] }, status: "AVAILABLE" } })).resolves.toBe(2);
  });

  it("GIVEN a template whose pool was renamed without rewriting it WHEN queued THEN it is skipped (never sent with a blank code) with the old name in the reason", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["W-1"], { name: "Welcome" });
    const t = await template(shop, "<p>Your code: [{{client.last_promocode('Welcome')}}]</p>");
    await shop.db.pool.update({ where: { id: pool.id }, data: { name: "Welcome 2025" } });
    const result = await queueMessage(shop.db, request(shop, await customer(shop), t.id));
    expect(result).toEqual({ type: "skipped", reason: expect.stringContaining('the pool "Welcome", which no longer exists') });
    expect(await shop.db.message.count({ where: { status: "QUEUED" } })).toBe(0);
  });

  it("GIVEN a template that shows the run's code WHEN the run issued none THEN it is skipped rather than sent without it", async () => {
    const shop = await createTestShop();
    const t = await template(shop, "Your code: {{promoCode}}");
    expect(await queueMessage(shop.db, request(shop, await customer(shop), t.id, { runCode: null }))).toEqual({
      type: "skipped",
      reason: "The template shows the run's code, but this run issued none",
    });
  });

  it("GIVEN a customer who never got a code from a pool WHEN last_promocode is rendered THEN it is empty and no code is issued", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["L-1"], { name: "Loyal" });
    const t = await template(shop, "[{{client.last_promocode('Loyal')}}]");
    const result = await queueMessage(shop.db, request(shop, await customer(shop), t.id));
    if (result.type !== "queued") throw new Error(result.type);
    await expect(stored(shop, result.messageId)).resolves.toMatchObject({ body: "[]" });
    await expect(shop.db.code.count({ where: { status: "AVAILABLE" } })).resolves.toBe(1);
  });

  it("GIVEN a deleted template or customer WHEN queued THEN it is skipped with the reason", async () => {
    const shop = await createTestShop();
    const t = await template(shop, "{{promoCode}}");
    const [someone] = await createCustomers(shop, 1);
    expect(await queueMessage(shop.db, request(shop, someone!, "00000000-0000-4000-8000-000000000000"))).toEqual({
      type: "skipped",
      reason: "The message template was deleted",
    });
    expect(await queueMessage(shop.db, request(shop, "00000000-0000-4000-8000-000000000001", t.id))).toEqual({
      type: "skipped",
      reason: "The customer no longer exists",
    });
  });

  it("GIVEN another shop's template WHEN queued for this shop THEN it is not found", async () => {
    const [shop, other] = await Promise.all([createTestShop(), createTestShop()]);
    const foreign = await template(other, "{{promoCode}}");
    expect(await queueMessage(shop.db, request(shop, await customer(shop), foreign.id))).toMatchObject({ type: "skipped", reason: "The message template was deleted" });
  });
});
