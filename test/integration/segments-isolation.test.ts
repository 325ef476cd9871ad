// Segments never cross shops, on PostgreSQL: the same segment and the same kind of history in two shops, evaluation
// asked for under the wrong shop, expiry and recompute of one shop, and the transitions campaigns read.
import { describe, expect, it } from "vitest";
import { REASONS } from "../../app/domain/segments/dependencies";
import { computeBatch, loadLiveSegments } from "../../app/services/segments/engine.server";
import { runSegmentExpiry } from "../../app/services/segments/expiry.server";
import { compareWithRecompute } from "../../app/services/segments/recompute.server";
import { drainRequests, pendingRequestCount, recordRequest } from "../../app/services/segments/requests.server";
import { listTransitionsSince } from "../../app/services/segments/transitions.server";
import { listSegments } from "../../app/services/segments/segments.server";
import { createTestShop } from "../support/shops";
import { addCustomer, addEvent, addSegment, DAY, evaluate, members, NOW, only } from "../unit/segments/helpers";

const rules = only({
  kind: "product_activity",
  action: "viewed",
  target: { type: "any" },
  op: "at_least",
  value: 1,
  window: { value: 2, unit: "days" },
});

describe("two shops with segments side by side", () => {
  it("GIVEN the same segment in shops A and B WHEN A's customers view and are evaluated THEN only A's segment changes, whatever ids are passed to which shop", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    const segmentA = await addSegment(a, rules, "Same name");
    const segmentB = await addSegment(b, rules, "Same name");
    const ada = await addCustomer(a);
    const bob = await addCustomer(b);
    await addEvent(a, ada, NOW - DAY);
    await addEvent(b, bob, NOW - DAY);

    // B is asked about A's customer: nothing is recorded, nothing evaluated.
    expect(await recordRequest(b.db, b.id, [ada], REASONS.events)).toBe(0);
    await drainRequests(b.id, { now: () => new Date(NOW) });
    expect(await members(b, segmentB)).toEqual([]);
    // Even the engine itself, handed A's customer under B, finds no such customer.
    const batch = await b.db.$transaction((tx) => computeBatch(tx, b.id, [], [ada], new Date(NOW)));
    expect(batch.customerIds).toEqual([]);
    const underB = await b.db.$transaction(async (tx) =>
      computeBatch(tx, b.id, await loadLiveSegments(tx), [ada, bob], new Date(NOW)),
    );
    expect(underB.customerIds).toEqual([bob]);

    await evaluate(a, [ada], NOW);
    expect(await members(a, segmentA)).toEqual([ada]);
    expect(await members(b, segmentB)).toEqual([]);
    expect(await pendingRequestCount(b.db)).toBe(0);
    expect((await listSegments(b.db)).map((s) => [s.name, s.memberCount])).toEqual([["Same name", 0]]);

    // A's sweep at expiry time exits A's member and leaves B's (evaluated meanwhile) alone.
    await evaluate(b, [bob], NOW);
    await runSegmentExpiry(a.id, { now: new Date(NOW + DAY + 1) });
    expect(await members(a, segmentA)).toEqual([]);
    expect(await members(b, segmentB)).toEqual([bob]);

    // Each shop's transitions are its own, and so is its recompute.
    expect((await listTransitionsSince(a.db)).map((t) => [t.kind, t.customerId])).toEqual([
      ["ENTER", ada],
      ["EXIT", ada],
    ]);
    expect((await listTransitionsSince(b.db)).map((t) => [t.kind, t.customerId])).toEqual([["ENTER", bob]]);
    expect(await compareWithRecompute(b.id, { now: new Date(NOW) })).toMatchObject({
      matches: true,
      customers: 1,
      memberships: 1,
    });
  });

  it("GIVEN transitions read after a cursor WHEN more arrive THEN the next read starts after the cursor, in id order, for the segment asked", async () => {
    const shop = await createTestShop();
    const one = await addSegment(shop, rules, "One");
    const two = await addSegment(shop, only({ kind: "marketing_consent", subscribed: false }), "Two");
    const ada = await addCustomer(shop);
    await addEvent(shop, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "customer");
    expect((await listTransitionsSince(shop.db, { segmentId: one })).map((t) => [t.kind, t.segmentId])).toEqual([
      ["ENTER", one],
    ]);
    const seen = await listTransitionsSince(shop.db);
    expect(seen.map((t) => t.segmentId).sort()).toEqual([one, two].sort());
    const cursor = seen.at(-1)!.id;
    const bob = await addCustomer(shop);
    await evaluate(shop, [bob], NOW, "customer");
    const after = await listTransitionsSince(shop.db, { afterId: cursor });
    expect(after.map((t) => [t.segmentId, t.customerId])).toEqual([[two, bob]]);
    expect(BigInt(after[0]!.id) > BigInt(cursor)).toBe(true);
    expect(await listTransitionsSince(shop.db, { afterId: cursor, segmentId: one })).toEqual([]);
  });
});
