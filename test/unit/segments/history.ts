// A randomized shop history for checking that incremental evaluation ends where a full recompute would: customers
// view, add to cart, order, cancel, get tagged, subscribe, receive and redeem codes over ten days, each change
// reported the way producers report it (requestSegmentEvaluation's reasons), drains and expiry sweeps interleaved
// at random, against segments of every kind. A seeded generator makes a failure reproducible.
import { REASONS, type Reason } from "../../../app/domain/segments/dependencies";
import type { RulesInput } from "../../../app/domain/segments/rules";
import {
  recomputeSegment,
  compareWithRecompute,
  type RecomputeComparison,
} from "../../../app/services/segments/recompute.server";
import { drainRequests, recordRequest } from "../../../app/services/segments/requests.server";
import { runSegmentExpiry } from "../../../app/services/segments/expiry.server";
import { createSegment } from "../../../app/services/segments/segments.server";
import type { TestShop } from "../../support/shops";
import {
  addCustomer,
  addEvent,
  addIssuedCode,
  addOrder,
  addPool,
  addProduct,
  collectionGid,
  DAY,
  HOUR,
  NOW,
  productGid,
} from "./helpers";

export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

function historySegments(pools: [string, string]): RulesInput[] {
  const days = (value: number) => ({ value, unit: "days" as const });
  const hours = (value: number) => ({ value, unit: "hours" as const });
  const one = (condition: RulesInput["groups"][number]["conditions"][number]): RulesInput => ({
    join: "and",
    groups: [{ join: "and", conditions: [condition] }],
  });
  return [
    one({
      kind: "product_activity",
      action: "viewed",
      target: { type: "any" },
      op: "at_least",
      value: 2,
      window: days(2),
    }),
    one({
      kind: "product_activity",
      action: "viewed",
      target: { type: "any" },
      op: "exactly",
      value: 2,
      window: hours(36),
      groupByRecord: true,
    }),
    one({
      kind: "product_activity",
      action: "viewed",
      target: { type: "collections", ids: [collectionGid(1)] },
      op: "more_than",
      value: 1,
      window: days(3),
    }),
    one({
      kind: "product_activity",
      action: "added_to_cart",
      target: { type: "vendors", values: ["Acme"] },
      op: "at_least",
      value: 1,
      window: hours(30),
    }),
    one({
      kind: "product_activity",
      action: "viewed",
      target: { type: "product_types", values: ["Shoes"] },
      op: "less_than",
      value: 2,
      window: days(1),
    }),
    one({
      kind: "product_activity",
      action: "viewed",
      target: { type: "products", ids: [productGid(1), productGid(2)] },
      op: "at_least",
      value: 1,
      window: null,
    }),
    one({ kind: "order_count", op: "at_least", value: 2, window: days(4) }),
    one({ kind: "total_spent", op: "more_than", amount: 50, window: days(3) }),
    one({ kind: "days_since_last_order", op: "at_least", days: 2 }),
    one({ kind: "placed_order", window: days(2), sources: ["pos"] }),
    one({ kind: "customer_created", op: "within_last", days: 5 }),
    one({ kind: "codes_issued", poolId: null, op: "at_least", value: 2, window: days(3) }),
    one({ kind: "redeemed_from_pool", poolId: pools[0], has: true, window: days(2) }),
    {
      join: "or",
      groups: [
        {
          join: "and",
          conditions: [
            { kind: "customer_tags", match: "any", tags: ["vip"] },
            {
              kind: "product_activity",
              action: "viewed",
              target: { type: "any" },
              op: "at_least",
              value: 1,
              window: days(1),
            },
          ],
        },
        {
          join: "or",
          conditions: [
            { kind: "marketing_consent", subscribed: true },
            { kind: "issued_from_pool", poolId: pools[1], has: false, window: days(2) },
          ],
        },
      ],
    },
  ];
}

export interface HistoryOutcome {
  comparison: RecomputeComparison;
  steps: number;
  members: number;
  transitions: number;
}

/** Plays `steps` random changes for `customers` customers, then compares the incremental memberships with a recompute. */
export async function playHistory(
  shop: TestShop,
  options: { seed: number; customers: number; steps: number },
): Promise<HistoryOutcome> {
  const rnd = seeded(options.seed);
  const start = NOW - 10 * DAY;
  for (let p = 1; p <= 12; p++) {
    await addProduct(shop, productGid(p), {
      vendor: p % 3 === 0 ? "Acme" : "Other",
      productType: p % 4 === 0 ? "Shoes" : "Hats",
      collectionIds: [collectionGid(p % 3), collectionGid(7)],
    });
  }
  const pools: [string, string] = [await addPool(shop), await addPool(shop)];
  const customers: string[] = [];
  for (let i = 0; i < options.customers; i++) {
    customers.push(
      await addCustomer(shop, {
        tags: rnd.next() < 0.3 ? ["vip"] : [],
        acceptsMarketing: rnd.next() < 0.5,
        platformCreatedAt: start - rnd.int(10) * DAY,
        ordersCount: rnd.int(2),
      }),
    );
  }
  // Segments first, backfilled as their recompute job would, at the start of the history.
  for (const [n, rules] of historySegments(pools).entries()) {
    const created = await createSegment(shop.db, shop.id, { name: `History ${n}`, rules });
    if (created.type !== "saved") throw new Error(`segment ${n}: ${JSON.stringify(created)}`);
    await recomputeSegment(shop.id, created.segment.id, 1, { now: () => new Date(start) });
  }

  let t = start;
  const report = (customerId: string, reason: Reason) => recordRequest(shop.db, shop.id, [customerId], REASONS[reason]);
  for (let step = 0; step < options.steps; step++) {
    t += rnd.int(3 * HOUR);
    const c = rnd.pick(customers);
    const roll = rnd.next();
    if (roll < 0.4) {
      await addEvent(shop, c, t - rnd.int(2 * HOUR), { productId: productGid(1 + rnd.int(12)) });
      await report(c, "events");
    } else if (roll < 0.47) {
      await addEvent(shop, c, t, {
        topic: "collection_viewed",
        productId: null,
        collectionId: collectionGid(rnd.int(3)),
      });
      await report(c, "events");
    } else if (roll < 0.55) {
      await addEvent(shop, c, t, { topic: "product_added_to_cart", productId: productGid(1 + rnd.int(12)) });
      await report(c, "events");
    } else if (roll < 0.67) {
      await addOrder(shop, c, t, {
        total: `${10 + rnd.int(40)}.00`,
        sourceName: rnd.pick(["web", "pos"]),
        deliveryType: rnd.pick(["shipping", "pickup"]),
      });
      await report(c, "orders");
    } else if (roll < 0.7) {
      const order = await shop.db.order.findFirst({ where: { customerId: c, cancelledAt: null } });
      if (order) await shop.db.order.update({ where: { id: order.id }, data: { cancelledAt: new Date(t) } });
      await report(c, "orders");
    } else if (roll < 0.76) {
      await shop.db.customer.update({
        where: { id: c },
        data: { tags: rnd.next() < 0.5 ? ["vip"] : [], acceptsMarketing: rnd.next() < 0.5 },
      });
      await report(c, "customer");
    } else if (roll < 0.86) {
      await addIssuedCode(shop, rnd.pick(pools), c, t);
      await report(c, "codes");
    } else if (roll < 0.9) {
      const code = await shop.db.code.findFirst({ where: { customerId: c, status: "ASSIGNED" } });
      if (code)
        await shop.db.code.update({ where: { id: code.id }, data: { status: "REDEEMED", redeemedAt: new Date(t) } });
      await report(c, "codes");
    } else if (roll < 0.97) {
      await drainRequests(shop.id, { now: () => new Date(t) });
    } else {
      await runSegmentExpiry(shop.id, { now: new Date(t) });
    }
  }
  // The end of the history: the last requests drained and the minute sweep run, as the worker would.
  await drainRequests(shop.id, { now: () => new Date(t) });
  await runSegmentExpiry(shop.id, { now: new Date(t) });
  const comparison = await compareWithRecompute(shop.id, { now: new Date(t) });
  return {
    comparison,
    steps: options.steps,
    members: await shop.db.segmentMembership.count(),
    transitions: await shop.db.segmentTransition.count(),
  };
}
