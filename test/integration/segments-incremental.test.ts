// The randomized history on PostgreSQL, longer than the unit suite's: incremental evaluation, interleaved with
// drains and expiry sweeps, ends with the memberships a full recompute computes.
import { describe, expect, it } from "vitest";
import { createTestShop } from "../support/shops";
import { playHistory } from "../unit/segments/history";

describe("incremental evaluation equals a full recompute on PostgreSQL", () => {
  for (const seed of [21, 22]) {
    it(`GIVEN randomized history #${seed} with 40 customers and 500 changes WHEN played THEN memberships equal a recompute's`, async () => {
      const shop = await createTestShop();
      const outcome = await playHistory(shop, { seed, customers: 40, steps: 500 });
      expect(outcome.comparison.examples).toEqual([]);
      expect(outcome.comparison).toMatchObject({ matches: true, customers: 40 });
      expect(outcome.members).toBeGreaterThan(40);
    }, 180_000);
  }
});
