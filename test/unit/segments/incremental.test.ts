// Incremental evaluation against a full recompute on randomized histories (embedded database; the integration suite
// plays a longer one on PostgreSQL): whatever order changes, drains and sweeps come in, the memberships end up the
// ones a recompute computes, and the transitions tell the same story as the memberships.
import { readFileSync } from "node:fs";
import type { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import type { RulesInput } from "../../../app/domain/segments/rules";
import { processPixelBatch } from "../../../app/jobs/processors/events.server";
import { processWebhook } from "../../../app/jobs/processors/process-webhook.server";
import * as issueRoute from "../../../app/routes/api.v1.pools.$poolId.issue";
import { processMagentoEvent } from "../../../app/services/magento/events.server";
import { receivePixelBatch } from "../../../app/services/pixel/ingest.server";
import { compareWithRecompute } from "../../../app/services/segments/recompute.server";
import { drainRequests } from "../../../app/services/segments/requests.server";
import { createSegment } from "../../../app/services/segments/segments.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";
import { call, createApiShop } from "../api/helpers";
import { playHistory } from "./history";

const allowAll = { check: () => Promise.resolve({ type: "allowed" as const }) };
const ORDER = JSON.parse(
  readFileSync("test/fixtures/shopify/orders_create.with_discount_percentage.rest-fixture.json", "utf8"),
) as { customer: Record<string, unknown> } & Record<string, unknown>;

describe("incremental evaluation equals a full recompute", () => {
  for (const seed of [1, 2, 3]) {
    it(`GIVEN randomized history #${seed} WHEN it is played change by change THEN the memberships equal a full recompute's`, async () => {
      const shop = await createTestShop();
      const outcome = await playHistory(shop, { seed, customers: 12, steps: 160 });
      expect(outcome.comparison.examples).toEqual([]);
      expect(outcome.comparison).toMatchObject({
        matches: true,
        customers: 12,
        missing: 0,
        unexpected: 0,
        different: 0,
      });
      // The history did move people in and out, or the comparison would prove little.
      expect(outcome.members).toBeGreaterThan(10);
      expect(outcome.transitions).toBeGreaterThan(outcome.members);
      // Every membership is the last word of its transitions: entries minus exits per (segment, customer).
      const transitions = await shop.db.segmentTransition.groupBy({
        by: ["segmentId", "customerId", "kind"],
        _count: true,
      });
      const balance = new Map<string, number>();
      for (const t of transitions) {
        const key = `${t.segmentId}:${t.customerId}`;
        balance.set(key, (balance.get(key) ?? 0) + (t.kind === "ENTER" ? t._count : -t._count));
      }
      const memberships = await shop.db.segmentMembership.findMany({ select: { segmentId: true, customerId: true } });
      expect(
        [...balance.entries()]
          .filter(([, n]) => n === 1)
          .map(([k]) => k)
          .sort(),
      ).toEqual(memberships.map((m) => `${m.segmentId}:${m.customerId}`).sort());
      expect([...balance.values()].every((n) => n === 0 || n === 1)).toBe(true);
      const counts = await shop.db.segment.findMany({ select: { id: true, memberCount: true } });
      for (const s of counts) expect(s.memberCount).toBe(memberships.filter((m) => m.segmentId === s.id).length);
    }, 120_000);
  }
});

// What the randomized histories take for granted: each producer reports a change of the customer row (a customer
// created, tags, consent or created date changed) with the `customer` reason, whatever else it reports.
describe("producers that create or change a customer report it", () => {
  const one = (condition: RulesInput["groups"][number]["conditions"][number]): RulesInput => ({
    join: "and",
    groups: [{ join: "and", conditions: [condition] }],
  });
  const customerSegments: RulesInput[] = [
    one({ kind: "marketing_consent", subscribed: false }),
    one({ kind: "customer_tags", match: "any", tags: ["vip"] }),
    one({ kind: "customer_created", op: "within_last", days: 3650 }),
  ];

  async function withCustomerSegments(shop: TestShop) {
    for (const [n, rules] of customerSegments.entries()) {
      const created = await createSegment(shop.db, shop.id, { name: `Customer ${n}`, rules });
      if (created.type !== "saved") throw new Error(`segment ${n}: ${JSON.stringify(created)}`);
    }
  }

  async function settled(shop: TestShop) {
    await new Promise((resolve) => setImmediate(resolve));
    await drainRequests(shop.id);
    const comparison = await compareWithRecompute(shop.id);
    expect(comparison.examples).toEqual([]);
    expect(comparison).toMatchObject({ matches: true, missing: 0, unexpected: 0, different: 0 });
    return comparison;
  }

  it("GIVEN segments on customer fields WHEN the pixel names a customer never seen THEN the new customer is evaluated against them", async () => {
    const shop = await createTestShop();
    await withCustomerSegments(shop);
    const batch = {
      v: 1,
      shop: shop.domain,
      accountId: shop.id,
      events: [
        {
          id: "pixel-new-customer",
          name: "product_viewed",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          clientId: "browser-new",
          customerId: "777",
          products: [{ id: "1" }],
        },
      ],
    };
    expect(await receivePixelBatch(JSON.stringify(batch), { limiter: allowAll })).toMatchObject({ type: "accepted" });
    const ids = (await shop.db.event.findMany({ select: { id: true } })).map((e) => e.id.toString());
    await processPixelBatch({ shopId: shop.id, eventIds: ids });
    await settled(shop);
    expect(await shop.db.segmentMembership.count()).toBe(2); // not subscribed, created in the last 10 years
  });

  it("GIVEN segments on customer fields WHEN the API issues a code to a customer never seen THEN the new customer is evaluated against them", async () => {
    const shop = await createApiShop();
    await withCustomerSegments(shop);
    const pool = await createPoolWithCodes(shop, ["API-NEW-1"]);
    const response = await call(issueRoute, "POST", `/pools/${pool.id}/issue`, {
      key: shop.key,
      params: { poolId: pool.id },
      json: { customer: { id: "4401", email: "new@example.com" } },
      headers: { "idempotency-key": "api-new-customer" },
    });
    expect(response.status).toBe(201);
    await settled(shop);
    expect(await shop.db.segmentMembership.count()).toBe(2); // not subscribed, created in the last 10 years
  });

  it("GIVEN a tag segment WHEN an orders webhook carries a customer tagged vip THEN the customer enters it", async () => {
    const shop = await createTestShop();
    await withCustomerSegments(shop);
    const body = { ...ORDER, customer: { ...ORDER.customer, tags: "vip" } };
    const event = await shop.db.event.create({
      data: {
        shopId: shop.id,
        source: "WEBHOOK",
        externalId: "order-vip",
        topic: "orders/create",
        payload: body as Prisma.InputJsonValue,
        occurredAt: new Date(),
      },
    });
    await processWebhook({ shopId: shop.id, eventId: event.id.toString() });
    await settled(shop);
    const vip = await shop.db.segment.findFirstOrThrow({ where: { name: "Customer 1" } });
    expect(await shop.db.segmentMembership.count({ where: { segmentId: vip.id } })).toBe(1);
  });

  it("GIVEN segments on customer fields WHEN a Magento view or order names a customer never seen THEN the new customer is evaluated against them", async () => {
    const shop = await createTestShop({ platform: "MAGENTO" });
    await withCustomerSegments(shop);
    const payloads = [
      {
        id: "m-view",
        type: "product.viewed",
        occurred_at: new Date(Date.now() - 60_000).toISOString(),
        data: { product: { id: 3, sku: "MUG" }, customer_id: "12", visitor_id: "v-12" },
      },
      {
        id: "m-order",
        type: "order.placed",
        occurred_at: new Date(Date.now() - 60_000).toISOString(),
        data: {
          order: {
            entity_id: 41,
            state: "new",
            created_at: "2026-11-21 10:00:00",
            updated_at: "2026-11-21 10:00:00",
            customer_id: 13,
            customer_is_guest: 0,
            grand_total: 10,
            items: [{ sku: "MUG", product_id: 3, qty_ordered: 1 }],
          },
        },
      },
    ];
    for (const payload of payloads) {
      const event = await shop.db.event.create({
        data: {
          shopId: shop.id,
          source: "MAGENTO",
          externalId: payload.id,
          topic: payload.type,
          payload: payload as unknown as Prisma.InputJsonValue,
          occurredAt: new Date(payload.occurred_at),
        },
      });
      expect(await processMagentoEvent(shop.db, shop.id, event.id.toString())).toMatchObject({ type: "processed" });
    }
    await settled(shop);
    expect(await shop.db.segmentMembership.count()).toBe(4); // two customers, each not subscribed and new
  });
});
