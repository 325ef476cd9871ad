import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { prisma } from "../../../app/db.server";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import { createTestShop, type TestShop } from "../../support/shops";

async function storeEvent(shop: TestShop, topic: string, payload: unknown) {
  const event = await shop.db.event.create({
    data: {
      shopId: shop.id,
      source: "WEBHOOK",
      externalId: `${topic}-${Math.random()}`,
      topic,
      payload: payload as Prisma.InputJsonValue,
      occurredAt: new Date(),
    },
  });
  return { shopId: shop.id, eventId: event.id.toString() };
}

const CUSTOMER = JSON.parse(readFileSync("test/fixtures/shopify/customer.rest-fixture.json", "utf8")) as Record<string, unknown>;
const ORDER = JSON.parse(readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8"));

describe("processing stored webhooks", () => {
  it("customers/create upserts the customer, and processing the same event again changes nothing", async () => {
    const shop = await createTestShop();
    const job = await storeEvent(shop, "customers/create", CUSTOMER);
    await processWebhook(job);
    expect(await processWebhook(job)).toEqual({ skipped: "already processed" });
    const customers = await shop.db.customer.findMany();
    expect(customers).toHaveLength(1);
    expect(customers[0]?.email).toBe(CUSTOMER.email);
  });

  it("orders/create records the order with its discount codes and links its customer", async () => {
    const shop = await createTestShop();
    await processWebhook(await storeEvent(shop, "orders/create", ORDER));
    const order = await shop.db.order.findFirstOrThrow({ include: { customer: true } });
    expect(order.platformId).toBe("gid://shopify/Order/1073459981");
    expect(order.discountCodes.length).toBeGreaterThan(0);
    expect(order.customer).not.toBeNull();
  });

  it("GIVEN a tagged customer WHEN an order arrives whose customer carries only id and email THEN the fields it leaves out are kept, not wiped; a field it sends as null is cleared", async () => {
    const shop = await createTestShop();
    const full = { ...CUSTOMER, id: 808, admin_graphql_api_id: "gid://shopify/Customer/808", email: "olivia@example.com", first_name: "Olivia", last_name: "Murphy", tags: "vip, newsletter", phone: "+15550001111", created_at: "2026-01-04T10:00:00Z" };
    await processWebhook(await storeEvent(shop, "customers/create", full));
    const partial = { id: 808, admin_graphql_api_id: "gid://shopify/Customer/808", email: "olivia@example.com" };
    await processWebhook(await storeEvent(shop, "orders/paid", { ...ORDER, id: 9901, customer: partial }));
    expect(await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/808" } })).toMatchObject({
      email: "olivia@example.com",
      firstName: "Olivia",
      lastName: "Murphy",
      tags: ["vip", "newsletter"],
      phone: "+15550001111",
      platformCreatedAt: new Date("2026-01-04T10:00:00Z"),
    });
    await processWebhook(await storeEvent(shop, "customers/update", { ...partial, phone: null }));
    expect(await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/808" } })).toMatchObject({ phone: null, tags: ["vip", "newsletter"] });
  });

  it("GIVEN a customer's newer update already applied WHEN an older customers/update, or an older order's copy of the customer, is processed after it THEN the customer keeps the newer tags and consent; a later update still applies", async () => {
    const shop = await createTestShop();
    const base = { id: 909, admin_graphql_api_id: "gid://shopify/Customer/909", email: "nina@example.com" };
    const version = (updatedAt: string, tags: string, consent: string) => ({
      ...base,
      updated_at: updatedAt,
      tags,
      email_marketing_consent: { state: consent },
    });
    const customer = () => shop.db.customer.findFirstOrThrow({ where: { platformId: base.admin_graphql_api_id } });
    await processWebhook(await storeEvent(shop, "customers/update", version("2026-11-20T10:05:00-05:00", "vip", "subscribed")));
    await processWebhook(await storeEvent(shop, "customers/update", version("2026-11-20T10:00:00-05:00", "", "not_subscribed")));
    await processWebhook(
      await storeEvent(shop, "orders/create", { ...ORDER, id: 9902, customer: version("2026-11-20T10:01:00-05:00", "prospect", "not_subscribed") }),
    );
    expect(await customer()).toMatchObject({ tags: ["vip"], acceptsMarketing: true });
    expect(await shop.db.order.count()).toBe(1);
    await processWebhook(await storeEvent(shop, "customers/update", version("2026-11-20T10:06:00-05:00", "", "unsubscribed")));
    expect(await customer()).toMatchObject({ tags: [], acceptsMarketing: false });
  });

  it("customers/redact deletes the customer with their events and messages, and nothing of another customer", async () => {
    const shop = await createTestShop();
    await processWebhook(await storeEvent(shop, "customers/create", { ...CUSTOMER, id: 1, admin_graphql_api_id: "gid://shopify/Customer/1", email: "gone@example.com" }));
    await processWebhook(await storeEvent(shop, "customers/create", { ...CUSTOMER, id: 2, admin_graphql_api_id: "gid://shopify/Customer/2", email: "stays@example.com" }));
    const gone = await shop.db.customer.findFirstOrThrow({ where: { email: "gone@example.com" } });
    await shop.db.message.create({
      data: { shopId: shop.id, customerId: gone.id, channel: "EMAIL", recipient: "gone@example.com", body: "hi", dedupeKey: "m1" },
    });
    await processWebhook(
      await storeEvent(shop, "customers/redact", { shop_domain: shop.domain, customer: { id: 1 }, orders_to_redact: [] }),
    );
    expect(await shop.db.customer.findMany({ select: { email: true } })).toEqual([{ email: "stays@example.com" }]);
    expect(await shop.db.message.count()).toBe(0);
  });

  it("GIVEN webhooks about a customer, linked, older unlinked, guest, named by order id and still pending WHEN customers/redact is processed THEN no stored payload keeps their personal data, and nothing else changes", async () => {
    const shop = await createTestShop();
    const gone = { id: 1, admin_graphql_api_id: "gid://shopify/Customer/1", email: "gone@example.com", first_name: "Gonzo", phone: "+15550001" };
    const stays = { id: 2, admin_graphql_api_id: "gid://shopify/Customer/2", email: "stays@example.com", first_name: "Stella", phone: "+15550002" };
    const order = (id: number, fields: Record<string, unknown>) => ({
      ...ORDER,
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      ...fields,
    });
    await processWebhook(await storeEvent(shop, "customers/create", { ...CUSTOMER, ...gone }));
    await processWebhook(await storeEvent(shop, "orders/create", order(5001, { email: gone.email, customer: { ...ORDER.customer, ...gone } })));
    // Processed before webhook rows carried their customer: found by what the payload names.
    const older = await storeEvent(shop, "customers/update", { ...CUSTOMER, ...gone, last_name: "Older" });
    await shop.db.event.update({ where: { id: BigInt(older.eventId) }, data: { processedAt: new Date() } });
    // A guest order with the same email (in another case), and an order the request names by id alone.
    await processWebhook(await storeEvent(shop, "orders/create", order(5002, { email: "Gone@Example.com", contact_email: null, customer: null })));
    await processWebhook(await storeEvent(shop, "orders/create", order(5003, { email: null, contact_email: null, customer: null })));
    // Stored, its job waiting for a retry.
    const pending = await storeEvent(shop, "orders/paid", order(5001, { email: gone.email, customer: { ...ORDER.customer, ...gone } }));
    // Another customer's webhooks.
    await processWebhook(await storeEvent(shop, "customers/create", { ...CUSTOMER, ...stays }));
    await processWebhook(await storeEvent(shop, "orders/create", order(6001, { email: stays.email, contact_email: stays.email, customer: { ...ORDER.customer, ...stays } })));

    // Processed webhook rows name the customer they were about.
    const goneRow = await shop.db.customer.findFirstOrThrow({ where: { platformId: gone.admin_graphql_api_id } });
    expect(await shop.db.event.count({ where: { source: "WEBHOOK", customerId: goneRow.id } })).toBe(2);
    const rowsBefore = await shop.db.event.count();

    const redact = await storeEvent(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop.domain,
      customer: { id: gone.id, email: gone.email, phone: gone.phone },
      orders_to_redact: [5003],
    });
    await processWebhook(redact);

    const rows = await shop.db.event.findMany({ orderBy: { id: "asc" }, select: { id: true, topic: true, payload: true, customerId: true, processedAt: true, error: true } });
    const personal = /gone@example\.com|\+15550001|Gonzo/i;
    expect(rows.filter((r) => personal.test(JSON.stringify(r.payload))).map((r) => r.topic)).toEqual([]);
    // Rows stay (a redelivery of the same webhook is still recognised), another customer's untouched.
    expect(rows).toHaveLength(rowsBefore + 1);
    expect(rows.filter((r) => JSON.stringify(r.payload).includes(stays.email)).map((r) => r.topic)).toEqual([
      "customers/create",
      "orders/create",
    ]);
    expect(rows.filter((r) => JSON.stringify(r.payload) === '{"redacted":true}')).toHaveLength(6);
    // The request keeps what its handler reads, without the contact details.
    expect(rows.at(-1)).toMatchObject({
      topic: "customers/redact",
      payload: { shop_domain: shop.domain, customer: { id: 1 }, orders_to_redact: [5003] },
      processedAt: expect.any(Date),
    });
    // The pending job finds its event closed: it neither fails nor brings the customer back.
    expect(rows.find((r) => r.id === BigInt(pending.eventId))).toMatchObject({ error: expect.stringContaining("redacted") });
    expect(await processWebhook(pending)).toEqual({ skipped: "already processed" });
    expect(await shop.db.customer.count({ where: { platformId: gone.admin_graphql_api_id } })).toBe(0);
    expect(await shop.db.customer.count()).toBe(1);
  });

  it.each([
    ["customers/update", (id: number) => ({ ...CUSTOMER, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email: "racer@example.com" })],
    ["orders/paid", (id: number) => ({ ...ORDER, id: 7001, customer: { ...ORDER.customer, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email: "racer@example.com" } })],
  ])(
    "GIVEN a %s job that read its payload WHEN the customer's redaction runs before it writes THEN the customer does not come back",
    async (topic, payloadFor) => {
      const shop = await createTestShop();
      const id = 4242;
      await processWebhook(await storeEvent(shop, "customers/create", { ...CUSTOMER, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email: "racer@example.com" }));
      const job = await storeEvent(shop, topic, payloadFor(id));
      const redact = await storeEvent(shop, "customers/redact", { shop_domain: shop.domain, customer: { id, email: "racer@example.com" }, orders_to_redact: [] });

      // The job has the payload in hand when the redaction runs to its end, and writes afterwards.
      const result = await processWebhook(job, { afterLoad: async () => void (await processWebhook(redact)) });

      expect(result).toMatchObject({ topic, redactedAgain: true });
      expect(await shop.db.customer.count({ where: { platformId: `gid://shopify/Customer/${id}` } })).toBe(0);
      const rows = await shop.db.event.findMany({ where: { topic }, select: { payload: true, processedAt: true, customerId: true } });
      expect(rows).toEqual([{ payload: { redacted: true }, processedAt: expect.any(Date), customerId: null }]);
      if (topic === "orders/paid") expect(await shop.db.order.findFirstOrThrow({ select: { customerId: true } })).toEqual({ customerId: null });
    },
  );

  it("GIVEN a customer redacted before a job started WHEN a later webhook brings them back (a new order) THEN it stays, and a forged request under another shop's name redacts nothing", async () => {
    const shop = await createTestShop();
    const id = 5151;
    const customer = { ...CUSTOMER, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email: "back@example.com" };
    await processWebhook(await storeEvent(shop, "customers/create", customer));
    await processWebhook(await storeEvent(shop, "customers/redact", { shop_domain: shop.domain, customer: { id }, orders_to_redact: [] }));
    // Processed a while ago: the job below starts after it.
    await shop.db.event.updateMany({ where: { topic: "customers/redact" }, data: { processedAt: new Date(Date.now() - 10 * 60_000) } });
    // A body replayed under this shop's header, naming another shop: never processed, never a reason to redact.
    await storeEvent(shop, "customers/redact", { shop_domain: "someone-else.myshopify.com", customer: { id }, orders_to_redact: [] });

    expect(await processWebhook(await storeEvent(shop, "customers/create", customer))).toEqual({ topic: "customers/create" });
    expect(await shop.db.customer.findMany({ select: { email: true } })).toEqual([{ email: "back@example.com" }]);
  });

  it("shop/redact deletes the shop and every row it owns", async () => {
    const shop = await createTestShop();
    await processWebhook(await storeEvent(shop, "customers/create", CUSTOMER));
    await processWebhook(await storeEvent(shop, "shop/redact", { shop_id: 1, shop_domain: shop.domain }));
    expect(await prisma.shop.findUnique({ where: { id: shop.id } })).toBeNull();
    expect(await prisma.customer.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: shop.domain } })).toBe(0);
  });

  it("a privacy payload that names another shop than the one it arrived for deletes and exports nothing", async () => {
    const victim = await createTestShop();
    await processWebhook(await storeEvent(victim, "customers/create", CUSTOMER));
    // A signed body of another shop's request, replayed with this shop's domain in the header.
    for (const [topic, body] of [
      ["shop/redact", { shop_id: 1, shop_domain: "someone-else.myshopify.com" }],
      ["customers/redact", { shop_domain: "someone-else.myshopify.com", customer: { id: CUSTOMER.id }, orders_to_redact: [] }],
      ["customers/data_request", { shop_domain: "someone-else.myshopify.com", customer: { id: CUSTOMER.id }, data_request: { id: 9 } }],
    ] as const) {
      await expect(processWebhook(await storeEvent(victim, topic, body)), topic).rejects.toMatchObject({
        name: "UnrecoverableError",
        message: expect.stringContaining("nothing was deleted or exported"),
      });
    }
    expect(await prisma.shop.findUnique({ where: { id: victim.id } })).not.toBeNull();
    expect(await victim.db.customer.count()).toBe(1);
    expect(await victim.db.dataRequest.count()).toBe(0);
    // The shop's own domain, in any case, is its own request.
    await processWebhook(await storeEvent(victim, "shop/redact", { shop_id: 1, shop_domain: victim.domain.toUpperCase() }));
    expect(await prisma.shop.findUnique({ where: { id: victim.id } })).toBeNull();
  });

  it("app/uninstalled ends the shop's sessions and marks it uninstalled, keeping its data", async () => {
    const shop = await createTestShop();
    await processWebhook(await storeEvent(shop, "app/uninstalled", { id: 1 }));
    expect(await prisma.session.count({ where: { shop: shop.domain } })).toBe(0);
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).not.toBeNull();
  });

  it("a payload it cannot read fails permanently instead of retrying forever", async () => {
    const shop = await createTestShop();
    await expect(processWebhook(await storeEvent(shop, "orders/create", { foo: "bar" }))).rejects.toMatchObject({
      name: "UnrecoverableError",
    });
  });
});
