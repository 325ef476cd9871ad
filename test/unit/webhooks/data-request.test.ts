// customers/data_request: the customer's data gathered once per request id, listed in Settings, downloadable.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import { action as settingsAction, loader as settingsLoader } from "../../../app/routes/app.settings";
import { action as dataRequestRoute } from "../../../app/routes/webhooks.customers.data_request";
import { adminRequest } from "../../support/admin-request";
import { createTestShop, type TestShop } from "../../support/shops";
import { webhookRequest } from "../../support/webhooks";

async function storeEvent(shop: TestShop, topic: string, payload: unknown) {
  const event = await shop.db.event.create({
    data: {
      shopId: shop.id,
      source: "WEBHOOK",
      externalId: `${topic}-${randomUUID()}`,
      topic,
      payload: payload as Prisma.InputJsonValue,
      occurredAt: new Date(),
    },
  });
  return { shopId: shop.id, eventId: event.id.toString() };
}

function dataRequest(shop: TestShop, customerId: number | string, requestId: number, email = "jane@example.com") {
  return {
    shop_id: 954889,
    shop_domain: shop.domain,
    orders_requested: [299938],
    customer: { id: customerId, email, phone: null },
    data_request: { id: requestId },
  };
}

/** Everything a customer can have with us, to check the export leaves none of it out. */
async function customerWithHistory(shop: TestShop) {
  const customer = await shop.db.customer.create({
    data: {
      shopId: shop.id,
      platformId: "gid://shopify/Customer/191167",
      email: "jane@example.com",
      firstName: "Jane",
      tags: ["vip"],
    },
  });
  const other = await shop.db.customer.create({
    data: { shopId: shop.id, platformId: "gid://shopify/Customer/2", email: "other@example.com" },
  });
  const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Welcome" } });
  const code = await shop.db.code.create({
    data: {
      shopId: shop.id,
      poolId: pool.id,
      code: "WELCOME-JANE",
      codeKey: "WELCOME-JANE",
      status: "ASSIGNED",
      customerId: customer.id,
    },
  });
  await shop.db.issuance.create({
    data: { shopId: shop.id, poolId: pool.id, codeId: code.id, customerId: customer.id, source: "api" },
  });
  const order = await shop.db.order.create({
    data: {
      shopId: shop.id,
      platformId: "gid://shopify/Order/1001",
      customerId: customer.id,
      totalPrice: "42.50",
      placedAt: new Date(),
    },
  });
  // An order Shopify names in the request though we never linked it to the customer.
  const unlinked = await shop.db.order.create({
    data: { shopId: shop.id, platformId: "gid://shopify/Order/299938", placedAt: new Date() },
  });
  const othersOrder = await shop.db.order.create({
    data: { shopId: shop.id, platformId: "gid://shopify/Order/5555", customerId: other.id, placedAt: new Date() },
  });
  // Reviews: one Jane wrote, one a review platform sent for the unlinked order alone, and one of someone else.
  await shop.db.review.createMany({
    data: [
      { shopId: shop.id, externalId: "r-jane", customerId: customer.id, orderId: order.id, rating: 5, body: "Jane loves it" },
      { shopId: shop.id, externalId: "r-order", orderId: unlinked.id, rating: 2, body: "Jane's guest review" },
      { shopId: shop.id, externalId: "r-other", customerId: other.id, orderId: othersOrder.id, rating: 4, body: "not Jane's" },
    ],
  });
  await shop.db.redemption.create({
    data: { shopId: shop.id, codeId: code.id, orderId: order.id, customerId: customer.id, amount: "5.00" },
  });
  await shop.db.visitor.create({
    data: { shopId: shop.id, clientId: "browser-jane", customerId: customer.id, linkedAt: new Date() },
  });
  await shop.db.event.create({
    data: {
      shopId: shop.id,
      source: "PIXEL",
      externalId: "view-1",
      topic: "product_viewed",
      clientId: "browser-jane",
      customerId: customer.id,
      productId: "gid://shopify/Product/7001",
      payload: { id: "view-1" },
      occurredAt: new Date(),
    },
  });
  const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: "Big spenders", rules: {} } });
  await shop.db.segmentMembership.create({ data: { shopId: shop.id, segmentId: segment.id, customerId: customer.id } });
  await shop.db.segmentTransition.create({
    data: { shopId: shop.id, segmentId: segment.id, customerId: customer.id, kind: "ENTER" },
  });
  await shop.db.message.create({
    data: {
      shopId: shop.id,
      customerId: customer.id,
      channel: "EMAIL",
      recipient: "jane@example.com",
      subject: "Your code",
      body: "WELCOME-JANE",
      dedupeKey: "m-jane",
    },
  });
  await shop.db.message.create({
    data: {
      shopId: shop.id,
      customerId: other.id,
      channel: "EMAIL",
      recipient: "other@example.com",
      body: "not Jane's",
      dedupeKey: "m-other",
    },
  });
  return customer;
}

describe("customers/data_request", () => {
  it("GIVEN a customer with history WHEN Shopify asks for their data THEN the export holds all of it and nothing of anyone else", async () => {
    const shop = await createTestShop();
    await customerWithHistory(shop);
    await processWebhook(await storeEvent(shop, "customers/data_request", dataRequest(shop, 191167, 9999)));

    const request = await shop.db.dataRequest.findFirstOrThrow();
    expect(request).toMatchObject({
      requestId: "9999",
      platformCustomerId: "gid://shopify/Customer/191167",
      email: "jane@example.com",
      fulfilledAt: null,
    });
    const data = request.export as Record<string, unknown> & Record<string, { length: number }>;
    expect(data.customer).toMatchObject({ email: "jane@example.com", firstName: "Jane", tags: ["vip"] });
    expect(data.customer).not.toHaveProperty("shopId");
    expect(
      (data.orders as unknown as { platformId: string; totalPrice: string }[]).map((o) => o.platformId).sort(),
    ).toEqual(["gid://shopify/Order/1001", "gid://shopify/Order/299938"]);
    expect((data.codes as unknown as { code: string; pool: { name: string } }[])[0]).toMatchObject({
      code: "WELCOME-JANE",
      pool: { name: "Welcome" },
    });
    expect(data.issuances).toHaveLength(1);
    expect(data.redemptions).toHaveLength(1);
    expect(data.visitors).toEqual([expect.objectContaining({ clientId: "browser-jane" })]);
    expect(data.events).toEqual([
      expect.objectContaining({ topic: "product_viewed", productId: "gid://shopify/Product/7001" }),
    ]);
    expect(data.segmentMemberships).toEqual([expect.objectContaining({ segment: { name: "Big spenders" } })]);
    expect(data.segmentTransitions).toEqual([
      expect.objectContaining({ kind: "ENTER", segment: { name: "Big spenders" } }),
    ]);
    expect(data.messages).toEqual([expect.objectContaining({ body: "WELCOME-JANE" })]);
    expect((data.reviews as unknown as { body: string; order: { platformId: string } }[]).map((r) => [r.body, r.order.platformId]).sort()).toEqual([
      ["Jane loves it", "gid://shopify/Order/1001"],
      ["Jane's guest review", "gid://shopify/Order/299938"],
    ]);
    expect(JSON.stringify(data)).not.toContain("other@example.com");
    expect(JSON.stringify(data)).not.toContain("not Jane's");
    expect(data.eventsTruncated).toBe(false);
  });

  it("GIVEN the same request delivered twice (new webhook id, same data_request id) THEN one request, assembled once", async () => {
    const shop = await createTestShop();
    await customerWithHistory(shop);
    await processWebhook(await storeEvent(shop, "customers/data_request", dataRequest(shop, 191167, 4242)));
    const first = await shop.db.dataRequest.findFirstOrThrow();
    await shop.db.message.create({
      data: {
        shopId: shop.id,
        customerId: (await shop.db.customer.findFirstOrThrow({ where: { email: "jane@example.com" } })).id,
        channel: "EMAIL",
        recipient: "x",
        body: "later",
        dedupeKey: "m-later",
      },
    });
    await processWebhook(await storeEvent(shop, "customers/data_request", dataRequest(shop, 191167, 4242)));
    const requests = await shop.db.dataRequest.findMany();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.export).toEqual(first.export);
  });

  it("GIVEN an assembled export WHEN Shopify then asks to redact the customer THEN the export goes with the rest", async () => {
    const shop = await createTestShop();
    await customerWithHistory(shop);
    await processWebhook(await storeEvent(shop, "customers/data_request", dataRequest(shop, 191167, 5150)));
    await processWebhook(await storeEvent(shop, "customers/data_request", dataRequest(shop, 2, 5151, "other@example.com")));
    expect(await shop.db.dataRequest.count()).toBe(2);
    await processWebhook(
      await storeEvent(shop, "customers/redact", { shop_domain: shop.domain, customer: { id: 191167 }, orders_to_redact: [] }),
    );
    expect((await shop.db.dataRequest.findMany()).map((r) => r.requestId)).toEqual(["5151"]);
    expect(await shop.db.customer.count({ where: { platformId: "gid://shopify/Customer/191167" } })).toBe(0);
  });

  it("GIVEN reviews the customer wrote and a review on an order of theirs with no customer linked WHEN Shopify asks to redact them, naming that order THEN both reviews go and another customer's stays", async () => {
    const shop = await createTestShop();
    await customerWithHistory(shop);
    await processWebhook(
      await storeEvent(shop, "customers/redact", { shop_domain: shop.domain, customer: { id: 191167 }, orders_to_redact: [299938] }),
    );
    expect((await shop.db.review.findMany({ select: { externalId: true } })).map((r) => r.externalId)).toEqual(["r-other"]);
  });

  it("GIVEN a customer we hold nothing on THEN the request is still recorded, with an export that says so", async () => {
    const shop = await createTestShop();
    await processWebhook(
      await storeEvent(shop, "customers/data_request", dataRequest(shop, "9007199254740993", 77, "nobody@example.com")),
    );
    const request = await shop.db.dataRequest.findFirstOrThrow();
    expect(request.platformCustomerId).toBe("gid://shopify/Customer/9007199254740993");
    expect(request.export).toMatchObject({ customer: null, events: [], orders: [] });
  });

  it("GIVEN a signed data_request webhook WHEN delivered and processed THEN Settings lists it and downloads its JSON, until marked sent", async () => {
    const shop = await createTestShop();
    await customerWithHistory(shop);
    const body = JSON.stringify(dataRequest(shop, 191167, 31337));
    const response = await dataRequestRoute({
      request: webhookRequest({ topic: "customers/data_request", shop: shop.domain, body }),
      params: {},
      context: {},
    } as never);
    expect(response.status).toBe(200);
    const stored = await shop.db.event.findFirstOrThrow({ where: { topic: "customers/data_request" } });
    await processWebhook({ shopId: shop.id, eventId: stored.id.toString() });

    const page = (await settingsLoader({ request: adminRequest(shop), params: {}, context: {} } as never)) as {
      dataRequests: { id: string; requestId: string; ready: boolean; email: string | null }[];
    };
    expect(page.dataRequests).toEqual([
      expect.objectContaining({ requestId: "31337", ready: true, email: "jane@example.com" }),
    ]);
    const id = page.dataRequests[0]!.id;

    const download = (await settingsAction({
      request: adminRequest(shop, { intent: "export", id }),
      params: {},
      context: {},
    } as never)) as {
      fileName: string;
      json: string;
    };
    expect(download.fileName).toBe("customer-data-request-31337.json");
    expect(JSON.parse(download.json)).toMatchObject({
      customer: { email: "jane@example.com" },
      request: { platformCustomerId: "gid://shopify/Customer/191167" },
    });

    // Another shop's admin cannot download it.
    const other = await createTestShop();
    const foreign = await settingsAction({
      request: adminRequest(other, { intent: "export", id }),
      params: {},
      context: {},
    } as never);
    expect(foreign).toMatchObject({ intent: "export", error: expect.stringContaining("no longer exists") });

    expect(
      await settingsAction({ request: adminRequest(shop, { intent: "fulfil", id }), params: {}, context: {} } as never),
    ).toMatchObject({ done: true });
    const after = (await settingsLoader({ request: adminRequest(shop), params: {}, context: {} } as never)) as {
      dataRequests: unknown[];
    };
    expect(after.dataRequests).toEqual([]);
    expect((await shop.db.dataRequest.findFirstOrThrow()).fulfilledAt).not.toBeNull();
  });
});
