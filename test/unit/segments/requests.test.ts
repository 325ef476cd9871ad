// requestSegmentEvaluation and the drain: requests are stored before anything else (Redis is down in unit tests),
// a burst for the same customers is evaluated once, a change only re-evaluates the segments it can affect, ids of
// unknown customers or of another shop are ignored. A request arriving during an evaluation needs two connections:
// test/integration/segments-worker.test.ts.
import { describe, expect, it } from "vitest";
import { REASONS } from "../../../app/domain/segments/dependencies";
import { drainRequests, pendingRequestCount, recordRequest } from "../../../app/services/segments/requests.server";
import { onSegmentEntries } from "../../../app/services/segments/transitions.server";
import { requestSegmentEvaluation } from "../../../app/services/segments/triggers.server";
import { createTestShop } from "../../support/shops";
import { addCustomer, addEvent, addOrder, addSegment, DAY, HOUR, members, NOW, only, transitionsOf } from "./helpers";

const anyView = only({
  kind: "product_activity",
  action: "viewed",
  target: { type: "any" },
  op: "at_least",
  value: 1,
  window: { value: 7, unit: "days" },
});

describe("requesting evaluations", () => {
  it("GIVEN Redis is down WHEN a producer requests an evaluation THEN the request is stored and resolves; the drain evaluates it later", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, anyView);
    await addEvent(shop, ada, Date.now() - HOUR);
    await requestSegmentEvaluation(shop.id, [ada], "events");
    expect(await pendingRequestCount(shop.db)).toBe(1);
    const drained = await drainRequests(shop.id);
    expect(drained).toMatchObject({ ran: true, customers: 1, entered: 1, remaining: false });
    expect(await members(shop, segment)).toEqual([ada]);
    expect(await pendingRequestCount(shop.db)).toBe(0);
  });

  it("GIVEN a burst of 40 requests for the same two customers WHEN the drain runs THEN each customer is evaluated once and enters once", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const segment = await addSegment(shop, anyView);
    for (let i = 0; i < 20; i++) {
      await addEvent(shop, i % 2 ? ada : bob, NOW - i * 60_000);
      await recordRequest(shop.db, shop.id, [ada, bob], REASONS.events);
    }
    expect(await pendingRequestCount(shop.db)).toBe(2);
    const drained = await drainRequests(shop.id, { now: () => new Date(NOW) });
    expect(drained).toMatchObject({ batches: 1, customers: 2, entered: 2 });
    expect((await transitionsOf(shop, segment)).length).toBe(2);
  });

  it("GIVEN a segment about orders and one about views WHEN only a view is reported THEN only the view segment is evaluated for it", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const views = await addSegment(shop, anyView);
    const orders = await addSegment(shop, only({ kind: "placed_order", window: { value: 30, unit: "days" } }));
    await addEvent(shop, ada, NOW - HOUR);
    await addOrder(shop, ada, NOW - DAY);
    await recordRequest(shop.db, shop.id, [ada], REASONS.events);
    await drainRequests(shop.id, { now: () => new Date(NOW) });
    // The order is stored but nobody reported it yet: the orders segment was not touched.
    expect(await members(shop, views)).toEqual([ada]);
    expect(await members(shop, orders)).toEqual([]);
    await recordRequest(shop.db, shop.id, [ada], REASONS.orders);
    await drainRequests(shop.id, { now: () => new Date(NOW) });
    expect(await members(shop, orders)).toEqual([ada]);
  });

  it("GIVEN ids that are not customers of this shop WHEN they are requested THEN they are ignored, and another shop's customer is never evaluated here", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const theirs = await addCustomer(other);
    await addEvent(other, theirs, NOW - HOUR);
    const segment = await addSegment(shop, anyView);
    const recorded = await recordRequest(
      shop.db,
      shop.id,
      [theirs, "not-a-uuid", "00000000-0000-4000-8000-000000000000"],
      REASONS.events,
    );
    expect(recorded).toBe(0);
    expect(await pendingRequestCount(shop.db)).toBe(0);
    expect(await pendingRequestCount(other.db)).toBe(0);
    await drainRequests(shop.id, { now: () => new Date(NOW) });
    expect(await shop.db.segmentMembership.count({ where: { segmentId: segment } })).toBe(0);
  });

  it("GIVEN a listener for entries (campaigns) WHEN a drain lets customers in THEN it hears which segments gained members, after the commit, and nothing when none did", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, anyView);
    const heard: { shopId: string; segmentIds: string[]; committed: number }[] = [];
    const stop = onSegmentEntries(async (shopId, segmentIds) => {
      heard.push({
        shopId,
        segmentIds,
        committed: await shop.db.segmentTransition.count({ where: { segmentId: { in: segmentIds } } }),
      });
    });
    try {
      await recordRequest(shop.db, shop.id, [ada], REASONS.events);
      await drainRequests(shop.id, { now: () => new Date(NOW) });
      expect(heard).toEqual([]);
      await addEvent(shop, ada, NOW - HOUR);
      await recordRequest(shop.db, shop.id, [ada], REASONS.events);
      await drainRequests(shop.id, { now: () => new Date(NOW) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heard).toEqual([{ shopId: shop.id, segmentIds: [segment], committed: 1 }]);
    } finally {
      stop();
    }
  });

  it("GIVEN several producers in the same moment WHEN they request evaluations THEN one stored request per customer carries every reason, and each call resolves once stored", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    await Promise.all([
      requestSegmentEvaluation(shop.id, [ada], "events"),
      requestSegmentEvaluation(shop.id, [ada, bob], "orders"),
      requestSegmentEvaluation(shop.id, [bob, "not-a-customer"], "events"),
    ]);
    const rows = await shop.db.segmentRequest.findMany({ select: { customerId: true, reasons: true } });
    expect(rows.sort((x, y) => (x.customerId < y.customerId ? -1 : 1))).toEqual(
      [
        { customerId: ada, reasons: REASONS.events | REASONS.orders },
        { customerId: bob, reasons: REASONS.events | REASONS.orders },
      ].sort((x, y) => (x.customerId < y.customerId ? -1 : 1)),
    );
  });
});
