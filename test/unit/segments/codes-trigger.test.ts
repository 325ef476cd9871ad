// Issuing a code asks for an evaluation of the customer's segments, but only in shops where some segment depends
// on codes: most never look at them, and issuing is a hot path.
import { describe, expect, it } from "vitest";
import { issueBatch, issueCode } from "../../../app/services/pools/issue.server";
import { drainRequests, pendingRequestCount } from "../../../app/services/segments/requests.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";
import { addCustomer, addSegment, members, only } from "./helpers";

describe("codes issued reach the segments", () => {
  it("GIVEN a segment 'issued a code from pool X' WHEN a code is issued, and a batch THEN the customers are requested and enter on the drain", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SEG-1", "SEG-2", "SEG-3"]);
    const segment = await addSegment(shop, only({ kind: "issued_from_pool", poolId: pool.id, has: true }));
    await drainRequests(shop.id);
    const [ada, bob, cy] = [await addCustomer(shop), await addCustomer(shop), await addCustomer(shop)];

    expect((await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada, source: "test" })).type).toBe("issued");
    expect(await pendingRequestCount(shop.db)).toBe(1);
    await issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: [bob, cy], source: "test" });
    expect(await pendingRequestCount(shop.db)).toBe(3);

    await drainRequests(shop.id);
    expect((await members(shop, segment)).sort()).toEqual([ada, bob, cy].sort());
  });

  it("GIVEN no segment depends on codes WHEN a code is issued THEN nothing is requested", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["NOSEG-1"]);
    await addSegment(shop, only({ kind: "customer_tags", match: "any", tags: ["vip"] }));
    await drainRequests(shop.id);
    const ada = await addCustomer(shop);
    expect((await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada, source: "test" })).type).toBe("issued");
    expect(await pendingRequestCount(shop.db)).toBe(0);
  });
});
