// Customer conditions (tags, marketing consent, created date) and promo code conditions (codes issued from any pool
// or one pool, issued from pool X, redeemed from pool X), each with its entry, exit and, where it has a time
// component, its expiry on schedule. Tags and consent have none: the sweep leaves such members alone.
import { describe, expect, it } from "vitest";
import { createTestShop } from "../../support/shops";
import {
  addCustomer,
  addIssuedCode,
  addPool,
  addSegment,
  DAY,
  evaluate,
  expireAt,
  members,
  membership,
  NOW,
  only,
  transitionsOf,
} from "./helpers";

const days = (value: number) => ({ value, unit: "days" as const });

describe("customer tags", () => {
  it("GIVEN tagged any of vip, gold (any case) WHEN a customer is tagged Gold, then untagged THEN they enter and exit; the sweep never expires them", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop, { tags: ["newsletter"] });
    const segment = await addSegment(shop, only({ kind: "customer_tags", match: "any", tags: ["vip", "gold"] }));
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([]);
    await shop.db.customer.update({ where: { id: ada }, data: { tags: ["newsletter", "Gold"] } });
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.expiresAt).toBeNull();
    await expireAt(shop, NOW + 3650 * DAY);
    expect(await members(shop, segment)).toEqual([ada]);
    await shop.db.customer.update({ where: { id: ada }, data: { tags: [] } });
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN all of / none of WHEN customers carry some of the tags THEN all needs every tag and none excludes any", async () => {
    const shop = await createTestShop();
    const both = await addCustomer(shop, { tags: ["vip", "wholesale"] });
    const one = await addCustomer(shop, { tags: ["vip"] });
    const neither = await addCustomer(shop, { tags: [] });
    const all = await addSegment(shop, only({ kind: "customer_tags", match: "all", tags: ["vip", "wholesale"] }));
    const none = await addSegment(shop, only({ kind: "customer_tags", match: "none", tags: ["vip", "wholesale"] }));
    await evaluate(shop, [both, one, neither], NOW, "customer");
    expect(await members(shop, all)).toEqual([both]);
    expect(await members(shop, none)).toEqual([neither]);
  });
});

describe("marketing consent", () => {
  it("GIVEN accepts marketing WHEN a customer subscribes, then unsubscribes THEN they enter, then exit", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const subscribed = await addSegment(shop, only({ kind: "marketing_consent", subscribed: true }));
    const notSubscribed = await addSegment(shop, only({ kind: "marketing_consent", subscribed: false }));
    await evaluate(shop, [ada], NOW, "customer");
    expect([await members(shop, subscribed), await members(shop, notSubscribed)]).toEqual([[], [ada]]);
    await shop.db.customer.update({ where: { id: ada }, data: { acceptsMarketing: true } });
    await evaluate(shop, [ada], NOW, "customer");
    expect([await members(shop, subscribed), await members(shop, notSubscribed)]).toEqual([[ada], []]);
    await expireAt(shop, NOW + 3650 * DAY);
    expect(await members(shop, subscribed)).toEqual([ada]);
    await shop.db.customer.update({ where: { id: ada }, data: { acceptsMarketing: false } });
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, subscribed)).toEqual([]);
  });
});

describe("created date", () => {
  it("GIVEN created in the last 30 days WHEN a new customer arrives THEN they are in until day 30", async () => {
    const shop = await createTestShop();
    const fresh = await addCustomer(shop, { platformCreatedAt: NOW - 5 * DAY });
    const old = await addCustomer(shop, { platformCreatedAt: NOW - 90 * DAY });
    const segment = await addSegment(shop, only({ kind: "customer_created", op: "within_last", days: 30 }));
    await evaluate(shop, [fresh, old], NOW, "customer");
    expect(await members(shop, segment)).toEqual([fresh]);
    expect((await membership(shop, segment, fresh))?.expiresAt?.getTime()).toBe(NOW + 25 * DAY);
    await expireAt(shop, NOW + 25 * DAY);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN created 60 or more days ago WHEN day 60 comes THEN the customer enters on schedule", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop, { platformCreatedAt: NOW - 50 * DAY });
    const segment = await addSegment(shop, only({ kind: "customer_created", op: "more_than_ago", days: 60 }));
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([]);
    await expireAt(shop, NOW + 10 * DAY);
    expect(await members(shop, segment)).toEqual([ada]);
  });

  it("GIVEN created before 2026-01-01 WHEN the platform's created date is corrected THEN the customer leaves", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop, { platformCreatedAt: Date.parse("2025-12-31T23:00:00Z") });
    const segment = await addSegment(shop, only({ kind: "customer_created", op: "before", date: "2026-01-01" }));
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([ada]);
    await shop.db.customer.update({
      where: { id: ada },
      data: { platformCreatedAt: new Date("2026-01-01T00:00:00Z") },
    });
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([]);
  });
});

describe("promo codes", () => {
  it("GIVEN at least 2 codes from any pool in 30 days WHEN codes are issued from two pools THEN the customer enters, and leaves when the first turns 30 days old", async () => {
    const shop = await createTestShop();
    const a = await addPool(shop);
    const b = await addPool(shop);
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({ kind: "codes_issued", poolId: null, op: "at_least", value: 2, window: days(30) }),
    );
    await addIssuedCode(shop, a, ada, NOW - 10 * DAY);
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([]);
    await addIssuedCode(shop, b, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([ada]);
    await expireAt(shop, NOW + 20 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN exactly 1 code from pool A ever WHEN a second from A arrives THEN the customer exits; codes from B do not count", async () => {
    const shop = await createTestShop();
    const a = await addPool(shop);
    const b = await addPool(shop);
    const ada = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({ kind: "codes_issued", poolId: a, op: "exactly", value: 1, window: null }),
    );
    await addIssuedCode(shop, a, ada, NOW - DAY);
    await addIssuedCode(shop, b, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([ada]);
    await addIssuedCode(shop, a, ada, NOW);
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN issued from pool X in the last 7 days, and never issued from pool X WHEN a code is issued THEN one segment takes the customer and the other lets them go; 7 days later they swap back", async () => {
    const shop = await createTestShop();
    const pool = await addPool(shop);
    const ada = await addCustomer(shop);
    const got = await addSegment(shop, only({ kind: "issued_from_pool", poolId: pool, has: true, window: days(7) }));
    const never = await addSegment(shop, only({ kind: "issued_from_pool", poolId: pool, has: false, window: days(7) }));
    await evaluate(shop, [ada], NOW, "customer");
    expect([await members(shop, got), await members(shop, never)]).toEqual([[], [ada]]);
    await addIssuedCode(shop, pool, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "codes");
    expect([await members(shop, got), await members(shop, never)]).toEqual([[ada], []]);
    await expireAt(shop, NOW + 6 * DAY + 1);
    expect([await members(shop, got), await members(shop, never)]).toEqual([[], [ada]]);
  });

  it("GIVEN redeemed from pool X in the last 30 days WHEN the customer's code is redeemed THEN they enter; the redemption ages out after 30 days", async () => {
    const shop = await createTestShop();
    const pool = await addPool(shop);
    const other = await addPool(shop);
    const ada = await addCustomer(shop);
    const bob = await addCustomer(shop);
    const segment = await addSegment(
      shop,
      only({ kind: "redeemed_from_pool", poolId: pool, has: true, window: days(30) }),
    );
    await addIssuedCode(shop, pool, ada, NOW - 5 * DAY);
    await addIssuedCode(shop, other, bob, NOW - 5 * DAY, NOW - 2 * DAY);
    await evaluate(shop, [ada, bob], NOW, "codes");
    expect(await members(shop, segment)).toEqual([]);
    await shop.db.code.updateMany({
      where: { customerId: ada },
      data: { status: "REDEEMED", redeemedAt: new Date(NOW - DAY) },
    });
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([ada]);
    await expireAt(shop, NOW + 29 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
    expect((await transitionsOf(shop, segment)).map((t) => t.kind)).toEqual(["ENTER", "EXIT"]);
  });

  it("GIVEN issued but not redeemed from pool X WHEN the code is redeemed THEN the customer exits", async () => {
    const shop = await createTestShop();
    const pool = await addPool(shop);
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, {
      join: "and",
      groups: [
        {
          join: "and",
          conditions: [
            { kind: "issued_from_pool", poolId: pool, has: true },
            { kind: "redeemed_from_pool", poolId: pool, has: false },
          ],
        },
      ],
    });
    await addIssuedCode(shop, pool, ada, NOW - DAY);
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([ada]);
    await shop.db.code.updateMany({
      where: { customerId: ada },
      data: { status: "REDEEMED", redeemedAt: new Date(NOW) },
    });
    await evaluate(shop, [ada], NOW, "codes");
    expect(await members(shop, segment)).toEqual([]);
  });
});
