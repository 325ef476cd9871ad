// Migration 20261122100000_segment_local_delivery: segments saved with the builder's old "local" delivery type pick
// "local_delivery", the name orders and scenario limits use; everything else in their rules stays as it was.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRules } from "../../../app/domain/segments/rules";
import { createTestShop } from "../../support/shops";

describe("segment delivery types migration", () => {
  it("GIVEN segments saved with delivery type local (any case) WHEN the migration runs (twice) THEN they pick local_delivery once, in place, and other segments are untouched", async () => {
    const migration = readFileSync("prisma/migrations/20261122100000_segment_local_delivery/migration.sql", "utf8");
    const shop = await createTestShop();
    const placed = (deliveryTypes: string[]) => ({ kind: "placed_order", window: null, sources: ["web"], deliveryTypes });
    const old = await shop.db.segment.create({
      data: {
        shopId: shop.id,
        name: "Local",
        rules: {
          join: "or",
          groups: [
            { join: "and", conditions: [placed(["shipping", "Local", "local_delivery"]), { kind: "marketing_consent", subscribed: true }] },
            { join: "and", conditions: [placed(["local"])] },
          ],
        },
      },
    });
    const untouchedRules = { join: "and", groups: [{ join: "and", conditions: [placed(["pickup"])] }] };
    const other = await shop.db.segment.create({ data: { shopId: shop.id, name: "Pickup", rules: untouchedRules } });

    await shop.db.$executeRawUnsafe(migration);
    await shop.db.$executeRawUnsafe(migration);

    const migrated = await shop.db.segment.findUniqueOrThrow({ where: { id: old.id } });
    expect(migrated.rules).toEqual({
      join: "or",
      groups: [
        { join: "and", conditions: [placed(["shipping", "local_delivery"]), { kind: "marketing_consent", subscribed: true }] },
        { join: "and", conditions: [placed(["local_delivery"])] },
      ],
    });
    expect(parseRules(migrated.rules).ok).toBe(true);
    expect((await shop.db.segment.findUniqueOrThrow({ where: { id: other.id } })).rules).toEqual(untouchedRules);
  });
});
