// refunds/create: stored at intake like every topic, kept once per refund, whichever of the refund and its order
// is processed first, and results count redeeming orders net of what was refunded (docs/decisions/0026).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import { action as refundsCreate } from "../../../app/routes/webhooks.refunds.create";
import { issueCode } from "../../../app/services/pools/issue.server";
import { redemptionTotals } from "../../../app/services/redemptions.server";
import { results } from "../../../app/services/results.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";
import { webhookRequest } from "../../support/webhooks";

const ORDER = JSON.parse(readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8")) as Record<string, unknown>;
const CUSTOMER = JSON.parse(readFileSync("test/fixtures/shopify/customer.rest-fixture.json", "utf8")) as Record<string, unknown>;
const REFUND_BODY = readFileSync("test/fixtures/shopify/refunds_create.rest-fixture.json", "utf8");
const REFUND = JSON.parse(REFUND_BODY) as Record<string, unknown>;

/** Through the route (HMAC checked, stored before the 200), then the worker's processing of what was stored. */
async function deliver(shop: TestShop, topic: string, body: string, eventId: string = randomUUID()) {
  const response = await refundsCreateOrOrderRoute(topic, webhookRequest({ topic, shop: shop.domain, body, eventId }));
  expect(response.status).toBe(200);
  for (const event of await shop.db.event.findMany({ where: { processedAt: null }, orderBy: { id: "asc" } })) {
    await processWebhook({ shopId: shop.id, eventId: event.id.toString() });
  }
  return response.headers.get("x-webhook-result");
}

async function refundsCreateOrOrderRoute(topic: string, request: Request): Promise<Response> {
  const route =
    topic === "refunds/create"
      ? { action: refundsCreate }
      : await import(`../../../app/routes/webhooks.${topic.replace("/", ".")}.tsx`) as { action: typeof refundsCreate };
  return route.action({ request, params: {}, context: {} } as never);
}

async function redeemingOrder(shop: TestShop, code: string) {
  await deliver(shop, "customers/create", JSON.stringify(CUSTOMER));
  const customer = await shop.db.customer.findFirstOrThrow();
  const pool = await createPoolWithCodes(shop, [code]);
  const campaignId = randomUUID();
  const issued = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer.id, source: `campaign:${campaignId}` });
  expect(issued.type).toBe("issued");
  const order = { ...ORDER, discount_codes: [{ code, amount: "7.50", type: "percentage" }], total_price: "75.00" };
  return { pool, campaignId, order };
}

async function revenue(shop: TestShop, poolId: string, campaignId: string) {
  return {
    pool: (await results(shop.db, shop.id, { type: "pool", id: poolId })).revenue,
    campaign: (await results(shop.db, shop.id, { type: "campaign", id: campaignId })).revenue,
    home: (await results(shop.db, shop.id, { type: "shop" })).revenue,
    totals: (await redemptionTotals(shop.db, shop.id, { poolId })).revenue,
  };
}

const net = (amount: string) => ({ pool: amount, campaign: amount, home: amount, totals: amount });

describe("refunds/create", () => {
  it("GIVEN an order that redeemed a code we issued WHEN a partial refund is delivered twice (same event) and again as a new event THEN it counts once: pool, campaign, Home and totals show the revenue net of the successful refund transaction, and the code stays redeemed", async () => {
    const shop = await createTestShop();
    const { pool, campaignId, order } = await redeemingOrder(shop, "NET-1");
    await deliver(shop, "orders/create", JSON.stringify(order));
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("75.00"));

    expect(await deliver(shop, "refunds/create", REFUND_BODY, "refund-event")).toBe("stored");
    expect(await deliver(shop, "refunds/create", REFUND_BODY, "refund-event")).toBe("duplicate");
    // Shopify may send the same refund under another event id (a resend): the refund's own id keeps it once.
    expect(await deliver(shop, "refunds/create", REFUND_BODY)).toBe("stored");

    const stored = await shop.db.orderRefund.findMany();
    expect(stored.map((r) => [r.platformId, r.orderPlatformId, r.amount.toFixed(2), r.currency])).toEqual([
      ["gid://shopify/Refund/929361465", "gid://shopify/Order/1073459981", "30.00", "USD"],
    ]);
    expect((await shop.db.order.findFirstOrThrow()).refundedTotal.toFixed(2)).toBe("30.00");
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("45.00"));
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "NET-1" } })).toMatchObject({ status: "REDEEMED" });
    expect(await results(shop.db, shop.id, { type: "pool", id: pool.id })).toMatchObject({ redeemed: 1 });
    // The refund's event is closed and linked to the order's customer, so customers/redact finds it.
    const event = await shop.db.event.findFirstOrThrow({ where: { topic: "refunds/create" }, orderBy: { id: "asc" } });
    expect(event.processedAt).not.toBeNull();
    expect(event.customerId).toBe((await shop.db.order.findFirstOrThrow()).customerId);
  });

  it("GIVEN refunds/create processed before the order it refunds WHEN the order arrives THEN results count the order net from the start", async () => {
    const shop = await createTestShop();
    const { pool, campaignId, order } = await redeemingOrder(shop, "EARLY-1");
    await deliver(shop, "refunds/create", REFUND_BODY);
    expect(await shop.db.order.count()).toBe(0);
    await deliver(shop, "orders/paid", JSON.stringify(order));
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("45.00"));
  });

  it("GIVEN a full refund THEN the order earns nothing in results, but the code stays used: redeemed and counted as a redemption", async () => {
    const shop = await createTestShop();
    const { pool, campaignId, order } = await redeemingOrder(shop, "FULL-1");
    await deliver(shop, "orders/create", JSON.stringify(order));
    const full = { ...REFUND, id: 929361466, admin_graphql_api_id: "gid://shopify/Refund/929361466", transactions: [{ kind: "refund", status: "success", amount: "75.00", currency: "USD" }] };
    await deliver(shop, "refunds/create", JSON.stringify(full));
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("0.00"));
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "FULL-1" } })).toMatchObject({ status: "REDEEMED" });
    expect(await results(shop.db, shop.id, { type: "campaign", id: campaignId })).toMatchObject({ issued: 1, redeemed: 1 });
    expect(await redemptionTotals(shop.db, shop.id, { poolId: pool.id })).toMatchObject({ redemptions: 1 });
  });

  it("GIVEN a refund listed in a later order payload WHEN its refunds/create is processed too (in either order) THEN it is counted once", async () => {
    const shop = await createTestShop();
    const { pool, campaignId, order } = await redeemingOrder(shop, "LISTED-1");
    await deliver(shop, "orders/create", JSON.stringify(order));
    // Listed in its order, a refund need not repeat the order's id.
    await deliver(shop, "orders/paid", JSON.stringify({ ...order, financial_status: "partially_refunded", refunds: [{ ...REFUND, order_id: undefined }] }));
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("45.00"));
    await deliver(shop, "refunds/create", REFUND_BODY);
    expect(await shop.db.orderRefund.count()).toBe(1);
    expect(await revenue(shop, pool.id, campaignId)).toEqual(net("45.00"));
  });

  it("GIVEN a guest order's refund (its note may name the shopper) WHEN customers/redact names the order THEN the refund's stored webhook is scrubbed too", async () => {
    const shop = await createTestShop();
    await deliver(shop, "orders/create", JSON.stringify({ ...ORDER, customer: null }));
    await deliver(shop, "refunds/create", REFUND_BODY);
    const redact = await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: "redact-1",
        topic: "customers/redact",
        payload: { shop_domain: shop.domain, customer: { id: 1 }, orders_to_redact: [1073459981] },
        occurredAt: new Date(),
      },
    });
    await processWebhook({ shopId: shop.id, eventId: redact.id.toString() });
    const refundEvent = await shop.db.event.findFirstOrThrow({ where: { topic: "refunds/create" } });
    expect(refundEvent.payload).toEqual({ redacted: true });
  });
});
