// Product activity conditions on the embedded database: viewed / added to cart, any product, picked products, a
// collection (by the product's collections or a collection page view), a vendor, a product type; more than / at
// least / exactly; windows; grouped by record; the triggered products entries and exits carry.
import { describe, expect, it } from "vitest";
import { createTestShop } from "../../support/shops";
import {
  addCustomer,
  addEvent,
  addProduct,
  addSegment,
  collectionGid,
  DAY,
  evaluate,
  expireAt,
  HOUR,
  memberCount,
  members,
  membership,
  NOW,
  only,
  productGid,
  transitionsOf,
  variantGid,
} from "./helpers";

const days = (value: number) => ({ value, unit: "days" as const });
const hours = (value: number) => ({ value, unit: "hours" as const });

describe("viewed any product, at least N times within a window", () => {
  it("GIVEN a segment of 2+ views in 7 days WHEN a customer's second view arrives THEN they enter with the viewed products, and leave when the older view turns 7 days old", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "at_least",
        value: 2,
        window: days(7),
      }),
    );

    await addEvent(shop, ada, NOW - 3 * DAY, { productId: productGid(1) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([]);

    await addEvent(shop, ada, NOW - HOUR, { productId: productGid(2) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    const entered = await membership(shop, segment, ada);
    // Two views leave the window when the older one (3 days ago) turns 7 days old.
    expect(entered?.expiresAt?.getTime()).toBe(NOW - 3 * DAY + 7 * DAY);
    expect(await transitionsOf(shop, segment)).toEqual([
      { kind: "ENTER", customerId: ada, products: [productGid(2), productGid(1)] },
    ]);
    expect(await memberCount(shop, segment)).toBe(1);

    // The sweep a minute before the expiry changes nothing; the one after it exits Ada, carrying her products.
    await expireAt(shop, NOW + 4 * DAY - 60_000);
    expect(await members(shop, segment)).toEqual([ada]);
    await expireAt(shop, NOW + 4 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
    expect((await transitionsOf(shop, segment)).at(-1)).toEqual({
      kind: "EXIT",
      customerId: ada,
      products: [productGid(2), productGid(1)],
    });
    expect(await memberCount(shop, segment)).toBe(0);
  });

  it("GIVEN a member whose views keep coming WHEN their first expiry passes THEN the sweep keeps them and moves the expiry to their latest views", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "at_least",
        value: 1,
        window: days(7),
      }),
    );
    await addEvent(shop, ada, NOW - 6 * DAY);
    await evaluate(shop, [ada], NOW);
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + DAY);

    await addEvent(shop, ada, NOW + 12 * HOUR);
    await evaluate(shop, [ada], NOW + 12 * HOUR);
    await expireAt(shop, NOW + DAY + 1);
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 12 * HOUR + 7 * DAY);
    expect((await transitionsOf(shop, segment)).map((t) => t.kind)).toEqual(["ENTER"]);
  });

  it("GIVEN a window in hours WHEN the view is older than the window THEN it does not count", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "at_least",
        value: 1,
        window: hours(24),
      }),
    );
    await addEvent(shop, ada, NOW - 23 * HOUR);
    await addEvent(shop, bob, NOW - 25 * HOUR);
    await evaluate(shop, [ada, bob], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    await expireAt(shop, NOW + HOUR + 1);
    expect(await members(shop, segment)).toEqual([]);
  });
});

describe("count operators", () => {
  it("GIVEN more than 2 views WHEN a customer has 2, then 3 THEN they enter only at 3", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "more_than",
        value: 2,
        window: null,
      }),
    );
    await addEvent(shop, ada, NOW - 3 * HOUR);
    await addEvent(shop, ada, NOW - 2 * HOUR);
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([]);
    await addEvent(shop, ada, NOW - HOUR);
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    // All-time counts never expire.
    expect((await membership(shop, segment, ada))?.expiresAt).toBeNull();
  });

  it("GIVEN exactly 2 views in 7 days WHEN a third arrives THEN the customer exits, and re-enters on schedule once the oldest view ages out", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "exactly",
        value: 2,
        window: days(7),
      }),
    );
    await addEvent(shop, ada, NOW - 5 * DAY);
    await addEvent(shop, ada, NOW - 2 * DAY);
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    // Two views in the window until the older leaves, 2 days from now.
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 2 * DAY);

    await addEvent(shop, ada, NOW - HOUR);
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([]);
    // Not a member, but due back when the view of 5 days ago leaves the window.
    expect(
      (await shop.db.segmentRecheck.findFirst({ where: { segmentId: segment, customerId: ada } }))?.dueAt.getTime(),
    ).toBe(NOW + 2 * DAY);

    await expireAt(shop, NOW + 2 * DAY + 1);
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await transitionsOf(shop, segment)).map((t) => t.kind)).toEqual(["ENTER", "EXIT", "ENTER"]);
    // And out again when the second view leaves too (2 days ago + 7 days).
    await expireAt(shop, NOW + 5 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN viewed exactly 0 times (never) WHEN a customer with no views is evaluated THEN they are in, and their first view takes them out", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "products", ids: [productGid(7)] },
        op: "exactly",
        value: 0,
        window: null,
      }),
    );
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([ada]);
    expect(await transitionsOf(shop, segment)).toEqual([{ kind: "ENTER", customerId: ada, products: [] }]);
    await addEvent(shop, ada, NOW, { productId: productGid(7) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([]);
  });
});

describe("targets", () => {
  it("GIVEN picked products WHEN customers view other products or one of them THEN only the latter enters, triggered by that product", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "products", ids: [productGid(10), productGid(11)] },
        op: "at_least",
        value: 1,
        window: days(30),
      }),
    );
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(10) });
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(99) });
    await addEvent(shop, bob, NOW - DAY, { productId: productGid(12) });
    await evaluate(shop, [ada, bob], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.triggeredProducts).toEqual([productGid(10)]);
    await expireAt(shop, NOW + 29 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN a collection WHEN a customer views a product in it, or the collection page THEN both count; products of other collections do not", async () => {
    const shop = await createTestShop();
    await addProduct(shop, productGid(1), { collectionIds: [collectionGid(5), collectionGid(6)] });
    await addProduct(shop, productGid(2), { collectionIds: [collectionGid(7)] });
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const cy = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "collections", ids: [collectionGid(5)] },
        op: "at_least",
        value: 1,
        window: days(7),
      }),
    );
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(1) });
    await addEvent(shop, bob, NOW - DAY, {
      topic: "collection_viewed",
      productId: null,
      collectionId: collectionGid(5),
    });
    await addEvent(shop, cy, NOW - DAY, { productId: productGid(2) });
    await evaluate(shop, [ada, bob, cy], NOW);
    expect(await members(shop, segment)).toEqual([ada, bob].sort());
    // A collection page is not a product: Bob's entry carries none, Ada's carries the product she viewed.
    expect((await membership(shop, segment, ada))?.triggeredProducts).toEqual([productGid(1)]);
    expect((await membership(shop, segment, bob))?.triggeredProducts).toEqual([]);
    await expireAt(shop, NOW + 6 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN a vendor (brand) and a product type, compared without regard to case WHEN customers view products THEN each segment takes the right ones", async () => {
    const shop = await createTestShop();
    await addProduct(shop, productGid(1), { vendor: "Northwind Goods", productType: "Backpacks" });
    await addProduct(shop, productGid(2), { vendor: "Harbor Lane", productType: "Kitchen" });
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const byVendor = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "vendors", values: ["northwind goods"] },
        op: "at_least",
        value: 1,
        window: days(2),
      }),
    );
    const byType = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "product_types", values: ["KITCHEN"] },
        op: "at_least",
        value: 1,
        window: days(2),
      }),
    );
    await addEvent(shop, ada, NOW - HOUR, { productId: productGid(1) });
    await addEvent(shop, bob, NOW - HOUR, { productId: productGid(2) });
    await evaluate(shop, [ada, bob], NOW);
    expect(await members(shop, byVendor)).toEqual([ada]);
    expect(await members(shop, byType)).toEqual([bob]);
    expect((await membership(shop, byType, bob))?.triggeredProducts).toEqual([productGid(2)]);
    await expireAt(shop, NOW + 2 * DAY);
    expect(await members(shop, byVendor)).toEqual([]);
    expect(await members(shop, byType)).toEqual([]);
  });

  it("GIVEN added to cart WHEN a customer only viewed the product THEN they are not in; adding it to the cart puts them in", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "added_to_cart",
        target: { type: "products", ids: [productGid(3)] },
        op: "at_least",
        value: 1,
        window: days(1),
      }),
    );
    await addEvent(shop, ada, NOW - HOUR, { productId: productGid(3) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([]);
    await addEvent(shop, ada, NOW - HOUR, { topic: "product_added_to_cart", productId: productGid(3) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.triggeredProducts).toEqual([productGid(3)]);
    await expireAt(shop, NOW + 23 * HOUR + 1);
    expect(await members(shop, segment)).toEqual([]);
  });
});

describe("grouped by record", () => {
  it("GIVEN 2 products grouped by record WHEN a customer views three variants of one product THEN that counts once; a second product puts them in", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const grouped = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "at_least",
        value: 2,
        window: days(7),
        groupByRecord: true,
      }),
    );
    const perView = await addSegment(
      shop,
      only({
        kind: "product_activity",
        action: "viewed",
        target: { type: "any" },
        op: "at_least",
        value: 2,
        window: days(7),
      }),
    );
    for (const [n, at] of [
      [1, NOW - 3 * DAY],
      [2, NOW - 2 * DAY],
      [3, NOW - DAY],
    ] as const) {
      await addEvent(shop, ada, at, { productId: productGid(1), variantId: variantGid(n) });
    }
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, grouped)).toEqual([]);
    expect(await members(shop, perView)).toEqual([ada]);

    await addEvent(shop, ada, NOW - 5 * DAY, { productId: productGid(2) });
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, grouped)).toEqual([ada]);
    // Two products until product 2 (last seen 5 days ago) leaves the window; product 1 was last seen a day ago.
    expect((await membership(shop, grouped, ada))?.expiresAt?.getTime()).toBe(NOW + 2 * DAY);
    expect((await membership(shop, grouped, ada))?.triggeredProducts).toEqual([productGid(1), productGid(2)]);
    await expireAt(shop, NOW + 2 * DAY + 1);
    expect(await members(shop, grouped)).toEqual([]);
    expect(await members(shop, perView)).toEqual([ada]);
  });
});
