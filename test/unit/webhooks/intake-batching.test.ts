// Deliveries arriving together are written in one INSERT (app/services/webhooks.server.ts). What one of them does
// must not change what happens to the others: a malformed body, a shop deleted meanwhile, a duplicate in the batch.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import { receiveWebhook } from "../../../app/services/webhooks.server";
import { createTestShop } from "../../support/shops";

const order = (id: string) => `{"id": ${id}, "created_at": "2026-11-21T10:00:00Z", "line_items": []}`;

function delivery(shopDomain: string, rawBody: string, ids: { webhookId?: string; eventId?: string } = {}) {
  return {
    shopDomain,
    topic: "orders/create",
    webhookId: ids.webhookId ?? randomUUID(),
    eventId: ids.eventId ?? randomUUID(),
    triggeredAt: new Date().toISOString(),
    rawBody,
  };
}

describe("webhook intake in batches", () => {
  it("GIVEN twenty deliveries at once, one of them not JSON THEN nineteen are stored and that one alone is refused", async () => {
    const shop = await createTestShop();
    // One delivery first, so the shop's id is cached and the twenty below are queued in the same turn: one batch.
    await receiveWebhook(delivery(shop.domain, order("1")));
    await shop.db.event.deleteMany();
    const bodies = Array.from({ length: 20 }, (_, i) =>
      i === 7 ? '{"id": 1, "line_items": [' : order(String(9007199254740993n + BigInt(i))),
    );
    const results = await Promise.all(bodies.map((body) => receiveWebhook(delivery(shop.domain, body))));
    expect(results.map((r) => r.type)).toEqual(bodies.map((_, i) => (i === 7 ? "malformed" : "stored")));
    const stored = await shop.db.event.findMany({ orderBy: { id: "asc" }, select: { id: true, payload: true } });
    expect(stored).toHaveLength(19);
    // Ids above 2^53 arrive intact through the batched insert.
    expect(stored.map((e) => (e.payload as { id: string }).id)).toEqual(
      bodies.flatMap((_, i) => (i === 7 ? [] : [(9007199254740993n + BigInt(i)).toString()])),
    );
    const storedIds = results.flatMap((r) => (r.type === "stored" ? [r.eventId] : []));
    expect(storedIds.sort()).toEqual(stored.map((e) => e.id).sort());
  });

  it("GIVEN the same delivery twice in one batch, and again later THEN it is stored once", async () => {
    const shop = await createTestShop();
    const ids = { webhookId: "wh-twice", eventId: "ev-twice" };
    const together = await Promise.all([
      receiveWebhook(delivery(shop.domain, order("5"), ids)),
      receiveWebhook(delivery(shop.domain, order("5"), ids)),
    ]);
    expect(together.map((r) => r.type).sort()).toEqual(["duplicate", "stored"]);
    expect((await receiveWebhook(delivery(shop.domain, order("5"), ids))).type).toBe("duplicate");
    expect(await shop.db.event.count()).toBe(1);
  });

  it("GIVEN a shop deleted after its id was cached WHEN its delivery shares a batch with another shop's THEN it is an unknown shop and the other is stored", async () => {
    const gone = await createTestShop();
    const stays = await createTestShop();
    expect((await receiveWebhook(delivery(gone.domain, order("1")))).type).toBe("stored");
    await prisma.session.deleteMany({ where: { shop: gone.domain } });
    await prisma.shop.delete({ where: { id: gone.id } });
    const [fromGone, fromStays] = await Promise.all([
      receiveWebhook(delivery(gone.domain, order("2"))),
      receiveWebhook(delivery(stays.domain, order("3"))),
    ]);
    expect(fromGone.type).toBe("unknown_shop");
    expect(fromStays.type).toBe("stored");
    expect(await stays.db.event.count()).toBe(1);
    // And the next delivery for it is refused before any insert (the cache forgot it).
    expect((await receiveWebhook(delivery(gone.domain, order("4")))).type).toBe("unknown_shop");
  });

  it("GIVEN a shop it does not know THEN malformed JSON is still told apart from an unknown shop", async () => {
    expect((await receiveWebhook(delivery("nobody.myshopify.com", order("1")))).type).toBe("unknown_shop");
    expect((await receiveWebhook(delivery("nobody.myshopify.com", "{nope"))).type).toBe("malformed");
  });
});
