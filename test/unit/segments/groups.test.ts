// Groups of conditions joined by AND / OR, the groups themselves joined by AND / OR, and the products a customer
// entered with: only those of the product conditions that hold, in the groups that hold.
import { describe, expect, it } from "vitest";
import type { RulesInput } from "../../../app/domain/segments/rules";
import { createTestShop } from "../../support/shops";
import {
  addCustomer,
  addEvent,
  addOrder,
  addSegment,
  DAY,
  evaluate,
  expireAt,
  HOUR,
  members,
  membership,
  NOW,
  productGid,
  transitionsOf,
} from "./helpers";

type ConditionInput = RulesInput["groups"][number]["conditions"][number];

const days = (value: number) => ({ value, unit: "days" as const });
const viewed = (id: number, window = days(7)): ConditionInput => ({
  kind: "product_activity",
  action: "viewed",
  target: { type: "products", ids: [productGid(id)] },
  op: "at_least",
  value: 1,
  window,
});

describe("AND / OR", () => {
  it("GIVEN (viewed A AND tagged vip) OR (placed an order in 30 days) WHEN customers meet one side, both or neither THEN exactly the right ones are in", async () => {
    const shop = await createTestShop();
    const vipViewer = await addCustomer(shop, { tags: ["vip"] });
    const plainViewer = await addCustomer(shop);
    const buyer = await addCustomer(shop);
    const nobody = await addCustomer(shop, { tags: ["vip"] });
    const segment = await addSegment(shop, {
      join: "or",
      groups: [
        { join: "and", conditions: [viewed(1), { kind: "customer_tags", match: "any", tags: ["vip"] }] },
        { join: "and", conditions: [{ kind: "placed_order", window: days(30) }] },
      ],
    });
    await addEvent(shop, vipViewer, NOW - HOUR, { productId: productGid(1) });
    await addEvent(shop, plainViewer, NOW - HOUR, { productId: productGid(1) });
    await addOrder(shop, buyer, NOW - DAY);
    await evaluate(shop, [vipViewer, plainViewer, buyer, nobody], NOW, "customer");
    expect(await members(shop, segment)).toEqual([vipViewer, buyer].sort());
    // The buyer matched through orders only: no products. The VIP matched through the product group.
    expect((await membership(shop, segment, buyer))?.triggeredProducts).toEqual([]);
    expect((await membership(shop, segment, vipViewer))?.triggeredProducts).toEqual([productGid(1)]);

    // The VIP leaves when the view ages out; the buyer when the order does.
    await expireAt(shop, NOW + 7 * DAY);
    expect(await members(shop, segment)).toEqual([buyer]);
    await expireAt(shop, NOW + 29 * DAY + 1);
    expect(await members(shop, segment)).toEqual([]);
  });

  it("GIVEN a group of conditions joined by OR inside groups joined by AND WHEN only one alternative holds THEN the group holds, and only its products are triggered", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop, { acceptsMarketing: true });
    const segment = await addSegment(shop, {
      join: "and",
      groups: [
        { join: "or", conditions: [viewed(1), viewed(2)] },
        { join: "and", conditions: [{ kind: "marketing_consent", subscribed: true }] },
      ],
    });
    await addEvent(shop, ada, NOW - 2 * DAY, { productId: productGid(2) });
    await addEvent(shop, ada, NOW - 9 * DAY, { productId: productGid(1) }); // outside the 7-day window
    await evaluate(shop, [ada], NOW);
    expect(await members(shop, segment)).toEqual([ada]);
    expect((await membership(shop, segment, ada))?.triggeredProducts).toEqual([productGid(2)]);
    // It stops holding when the view of product 2 ages out, since product 1's is already out.
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 5 * DAY);

    await shop.db.customer.update({ where: { id: ada }, data: { acceptsMarketing: false } });
    await evaluate(shop, [ada], NOW, "customer");
    expect(await members(shop, segment)).toEqual([]);
    expect(await transitionsOf(shop, segment)).toEqual([
      { kind: "ENTER", customerId: ada, products: [productGid(2)] },
      { kind: "EXIT", customerId: ada, products: [productGid(2)] },
    ]);
  });

  it("GIVEN an AND of two windowed views WHEN the first to expire goes THEN the member leaves then, not when the later one would", async () => {
    const shop = await createTestShop();
    const ada = await addCustomer(shop);
    const segment = await addSegment(shop, {
      join: "and",
      groups: [{ join: "and", conditions: [viewed(1, days(3)), viewed(2, days(10))] }],
    });
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(1) });
    await addEvent(shop, ada, NOW - DAY, { productId: productGid(2) });
    await evaluate(shop, [ada], NOW);
    expect((await membership(shop, segment, ada))?.expiresAt?.getTime()).toBe(NOW + 2 * DAY);
    expect((await membership(shop, segment, ada))?.triggeredProducts).toEqual([productGid(1), productGid(2)]);
    await expireAt(shop, NOW + 2 * DAY);
    expect(await members(shop, segment)).toEqual([]);
  });
});
