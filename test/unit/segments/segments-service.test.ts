// Creating, editing and deleting segments: names unique per shop among live segments (any case), field errors, an
// edit that changes the rules recomputes every customer (entries and exits), a delete that takes the members away,
// and the admin's reads.
import { describe, expect, it } from "vitest";
import { recomputeSegment } from "../../../app/services/segments/recompute.server";
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  segmentLiveStatus,
  segmentMembersSample,
  updateSegment,
} from "../../../app/services/segments/segments.server";
import { createTestShop } from "../../support/shops";
import { addCustomer, addEvent, addProduct, DAY, members, NOW, only, productGid, transitionsOf } from "./helpers";

const viewedAtLeast = (value: number) =>
  only({ kind: "product_activity", action: "viewed", target: { type: "any" }, op: "at_least", value, window: null });

describe("creating and editing segments", () => {
  it("GIVEN a segment WHEN another with the same name in another case is created THEN it is refused; another shop may use the name", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    expect(await createSegment(shop.db, shop.id, { name: "Window shoppers", rules: viewedAtLeast(1) })).toMatchObject({
      type: "saved",
    });
    expect(await createSegment(shop.db, shop.id, { name: "window SHOPPERS", rules: viewedAtLeast(2) })).toEqual({
      type: "name_taken",
    });
    expect(await createSegment(other.db, other.id, { name: "Window shoppers", rules: viewedAtLeast(1) })).toMatchObject(
      { type: "saved" },
    );
  });

  it("GIVEN a deleted segment WHEN a new one takes its name THEN it is allowed, and the deleted one is gone from the list", async () => {
    const shop = await createTestShop();
    const first = await createSegment(shop.db, shop.id, { name: "Regulars", rules: viewedAtLeast(3) });
    if (first.type !== "saved") throw new Error(first.type);
    expect(await deleteSegment(shop.db, first.segment.id)).toEqual({ type: "deleted", name: "Regulars" });
    expect(await deleteSegment(shop.db, first.segment.id)).toEqual({ type: "not_found" });
    expect(await createSegment(shop.db, shop.id, { name: "Regulars", rules: viewedAtLeast(5) })).toMatchObject({
      type: "saved",
    });
    expect((await listSegments(shop.db)).map((s) => s.name)).toEqual(["Regulars"]);
  });

  it("GIVEN an empty name and broken rules WHEN saved THEN the errors name the fields", async () => {
    const shop = await createTestShop();
    const result = await createSegment(shop.db, shop.id, {
      name: "  ",
      rules: {
        join: "and",
        groups: [{ join: "and", conditions: [{ kind: "total_spent", op: "at_least", amount: -5 }] }],
      },
    });
    expect(result).toEqual({
      type: "invalid",
      errors: { name: "Give the segment a name", "rules.groups.0.conditions.0.amount": "Use 0 or more" },
    });
    expect(await shop.db.segment.count()).toBe(0);
  });

  it("GIVEN a product named by its title instead of picked WHEN saved THEN it is refused with the value named; a typed id is kept as the GID events carry", async () => {
    const shop = await createTestShop();
    const viewed = (ids: string[], type: "products" | "collections" = "products") =>
      only({ kind: "product_activity", action: "viewed", target: { type, ids }, op: "more_than", value: 1, window: null });
    expect(await createSegment(shop.db, shop.id, { name: "Runners", rules: viewed([productGid(3), "Trail Runner"]) })).toEqual({
      type: "invalid",
      errors: { "rules.groups.0.conditions.0.target": "“Trail Runner” is not a product id: pick a product from the list, or type its id (a number or gid://shopify/Product/…)" },
    });
    expect(await createSegment(shop.db, shop.id, { name: "Summer", rules: viewed(["gid://shopify/Product/5"], "collections") })).toMatchObject({
      type: "invalid",
      errors: { "rules.groups.0.conditions.0.target": expect.stringContaining("is not a collection id") },
    });
    const saved = await createSegment(shop.db, shop.id, { name: "Runners", rules: viewed(["7001", productGid(3)]) });
    if (saved.type !== "saved") throw new Error(saved.type);
    expect((saved.segment.rules as { groups: { conditions: { target: { ids: string[] } }[] }[] }).groups[0]!.conditions[0]!.target.ids).toEqual([
      "gid://shopify/Product/7001",
      productGid(3),
    ]);
  });

  it("GIVEN members WHEN the rules are edited THEN the version moves on, the recompute lets out who no longer matches and takes in who now does", async () => {
    const shop = await createTestShop();
    const once = await addCustomer(shop);
    const thrice = await addCustomer(shop);
    await addEvent(shop, once, NOW - DAY);
    for (let i = 1; i <= 3; i++) await addEvent(shop, thrice, NOW - i * DAY);
    const created = await createSegment(shop.db, shop.id, { name: "Active", rules: viewedAtLeast(1) });
    if (created.type !== "saved") throw new Error(created.type);
    const id = created.segment.id;
    expect(await recomputeSegment(shop.id, id, 1, { now: () => new Date(NOW) })).toEqual({
      type: "done",
      customers: 2,
      entered: 2,
      exited: 0,
    });
    expect(await members(shop, id)).toEqual([once, thrice].sort());
    expect((await getSegment(shop.db, id))?.recomputing).toBe(false);

    // A rename alone keeps the version (nothing to recompute).
    expect(
      await updateSegment(shop.db, shop.id, id, { name: "Active shoppers", rules: viewedAtLeast(1) }),
    ).toMatchObject({ type: "saved", recompute: false });
    const edited = await updateSegment(shop.db, shop.id, id, { name: "Active shoppers", rules: viewedAtLeast(3) });
    expect(edited).toMatchObject({ type: "saved", recompute: true, segment: { version: 2, recomputedAt: null } });
    // A recompute started for the old version stops; the new version's finishes.
    expect(await recomputeSegment(shop.id, id, 1, { now: () => new Date(NOW) })).toEqual({ type: "stale" });
    expect(await recomputeSegment(shop.id, id, 2, { now: () => new Date(NOW) })).toEqual({
      type: "done",
      customers: 2,
      entered: 0,
      exited: 1,
    });
    expect(await members(shop, id)).toEqual([thrice]);
    expect((await transitionsOf(shop, id)).map((t) => t.kind)).toEqual(["ENTER", "ENTER", "EXIT"]);
    expect(await segmentLiveStatus(shop.db, id)).toEqual({ memberCount: 1, recomputing: false, pending: 0 });
  });

  it("GIVEN a segment with members WHEN deleted THEN its memberships go and its count reads zero, its transitions stay", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    await addEvent(shop, ada, NOW - DAY);
    const created = await createSegment(shop.db, shop.id, { name: "Gone soon", rules: viewedAtLeast(1) });
    if (created.type !== "saved") throw new Error(created.type);
    await recomputeSegment(shop.id, created.segment.id, 1, { now: () => new Date(NOW) });
    await deleteSegment(shop.db, created.segment.id);
    expect(await shop.db.segmentMembership.count()).toBe(0);
    expect(await shop.db.segmentTransition.count()).toBe(1);
    expect(await getSegment(shop.db, created.segment.id)).toBeNull();
    expect(await recomputeSegment(shop.id, created.segment.id, 1)).toEqual({ type: "stale" });
  });
});

describe("reading segments for the admin", () => {
  it("GIVEN members with triggered products WHEN the sample is read THEN it shows the newest entries with product titles", async () => {
    const shop = await createTestShop();
    await addProduct(shop, productGid(1), { title: "Trail Backpack" });
    const ada = await addCustomer(shop, { email: "ada@example.com" });
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(1) });
    const created = await createSegment(shop.db, shop.id, { name: "Backpackers", rules: viewedAtLeast(1) });
    if (created.type !== "saved") throw new Error(created.type);
    await recomputeSegment(shop.id, created.segment.id, 1, { now: () => new Date(NOW) });
    const sample = await segmentMembersSample(shop.db, created.segment.id);
    expect(sample).toEqual([
      expect.objectContaining({
        customerId: ada,
        email: "ada@example.com",
        triggeredProducts: [{ id: productGid(1), title: "Trail Backpack" }],
      }),
    ]);
    expect((await listSegments(shop.db))[0]).toMatchObject({
      name: "Backpackers",
      memberCount: 1,
      description: "Viewed any product at least 1 time",
      recomputing: false,
    });
  });
});
