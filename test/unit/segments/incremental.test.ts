// Incremental evaluation against a full recompute on randomized histories (embedded database; the integration suite
// plays a longer one on PostgreSQL): whatever order changes, drains and sweeps come in, the memberships end up the
// ones a recompute computes, and the transitions tell the same story as the memberships.
import { describe, expect, it } from "vitest";
import { createTestShop } from "../../support/shops";
import { playHistory } from "./history";

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
