// A customer's page lists every code they received (pool, initial or reissue, when, status), however many: a page
// at a time, newest first, with the Customers list's own paging left in the URL for the way back.
import { describe, expect, it } from "vitest";
import { action as customerAction, loader as customerLoader } from "../../../app/routes/app.customers.$customerId";
import { formatDateTime } from "../../../app/components/pools/format";
import { issueCode } from "../../../app/services/pools/issue.server";
import { adminRequest } from "../../support/admin-request";
import { createCustomers, createPoolWithCodes, createReissues } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

type Page = Extract<Awaited<ReturnType<typeof customerLoader>>, { found: true }>;

async function customerPage(shop: TestShop, customerId: string, query: Record<string, string> = {}): Promise<Page> {
  const request = adminRequest(shop, undefined, `/app/customers/${customerId}`);
  const url = new URL(request.url);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const page = await customerLoader({ request: new Request(url, { headers: request.headers }), params: { customerId }, context: {} } as never);
  if (!("found" in page) || !page.found) throw new Error("customer not found");
  return page;
}

describe("a customer's codes", () => {
  it("GIVEN a customer with 501 issues of one code, many in the same millisecond WHEN the page is followed Next by Next THEN every issue is listed exactly once, newest first", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["LOYAL-1"], { name: "Loyalty" });
    const [ada] = await createCustomers(shop, 1);
    const first = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    if (first.type !== "issued") throw new Error(first.type);
    // A reissue with every reminder: 500 of them, 300 sharing one instant, so the id alone must order those.
    const tie = new Date(Date.now() + 60_000);
    await createReissues(shop, { poolId: pool.id, codeId: first.issued.codeId, customerId: ada! }, 500, (i) =>
      i < 300 ? tie : new Date(tie.getTime() + (i - 299) * 1000),
    );
    const expected = await shop.db.issuance.findMany({
      where: { customerId: ada! },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });

    const seen: string[] = [];
    let page = await customerPage(shop, ada!, { cursor: "a-customers-list-cursor" });
    expect(page.codesPage).toMatchObject({ cursor: null, prev: [] });
    for (let i = 0; i < 10 && page.codesPage.nextCursor; i++) {
      seen.push(...page.codes.map((c) => c.id));
      page = await customerPage(shop, ada!, { codesCursor: page.codesPage.nextCursor, codesPrev: [...page.codesPage.prev, page.codesPage.cursor ?? "first"].join(",") });
    }
    seen.push(...page.codes.map((c) => c.id));
    expect(seen).toEqual(expected.map((r) => r.id.toString()));
    expect(page.codesPage.prev).toHaveLength(5);
    // The oldest is the initial issue, with its pool and the code's status now.
    expect(page.codes.at(-1)).toMatchObject({ kind: "INITIAL", pool: { name: "Loyalty" }, code: { code: "LOYAL-1", status: "ASSIGNED" } });
  });

  it("GIVEN a malformed page cursor in the URL THEN the first page is shown, never a database error", async () => {
    const shop = await createTestShop();
    const [ada] = await createCustomers(shop, 1);
    for (const codesCursor of ["x", "1_abc", "99999999999999999_1", "1_9999999999999999999"]) {
      expect((await customerPage(shop, ada!, { codesCursor })).codesPage).toEqual({ cursor: null, prev: [], nextCursor: null });
    }
  });

  it("GIVEN the issue form WHEN it is posted twice with the same attempt (an answer lost, the button clicked again) THEN one code is given, and a new load brings a new attempt", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["ONCE-1", "ONCE-2"], { name: "Support" });
    const [bo] = await createCustomers(shop, 1);
    const page = await customerPage(shop, bo!);
    const post = (attempt: string) =>
      customerAction({ request: adminRequest(shop, { poolId: pool.id, attempt }, `/app/customers/${bo!}`), params: { customerId: bo! }, context: {} } as never);
    const first = await post(page.issueAttempt);
    const again = await post(page.issueAttempt);
    expect(first).toMatchObject({ tone: "success" });
    expect(again).toEqual(first);
    await expect(shop.db.issuance.count({ where: { customerId: bo! } })).resolves.toBe(1);
    const reloaded = await customerPage(shop, bo!);
    expect(reloaded.issueAttempt).not.toBe(page.issueAttempt);
    await post(reloaded.issueAttempt);
    await expect(shop.db.issuance.count({ where: { customerId: bo! } })).resolves.toBe(2);
  });

  it("GIVEN orders the app saw and the platform's own counters WHEN the page shows the customer's orders THEN it counts them as segments do: the larger of the two, cancelled orders left out, and the last order's date", async () => {
    const shop = await createTestShop();
    const [ada, bo] = await createCustomers(shop, 2);
    const order = (customerId: string, n: number, total: string, placedAt: string, cancelled = false) =>
      shop.db.order.create({
        data: {
          shopId: shop.id,
          platformId: `gid://shopify/Order/${customerId.slice(0, 8)}${n}`,
          customerId,
          totalPrice: total,
          placedAt: new Date(placedAt),
          cancelledAt: cancelled ? new Date(placedAt) : null,
        },
      });
    // Ada: a Magento-like customer without counters, two orders seen and one cancelled.
    await order(ada!, 1, "20.50", "2026-10-01T10:00:00Z");
    await order(ada!, 2, "30.00", "2026-11-02T10:00:00Z");
    await order(ada!, 3, "99.00", "2026-11-20T10:00:00Z", true);
    const adaPage = await customerPage(shop, ada!);
    expect(adaPage.customer).toMatchObject({ ordersCount: 2, totalSpent: "50.50" });
    // The last order not cancelled.
    expect(adaPage.customer.lastOrderAt).toBe(formatDateTime(new Date("2026-11-02T10:00:00Z")));
    // Bo: Shopify's counters include orders from before the install, more than the one order seen since.
    await shop.db.customer.update({ where: { id: bo! }, data: { ordersCount: 7, totalSpent: "410.00" } });
    await order(bo!, 1, "15.00", "2026-11-10T10:00:00Z");
    expect((await customerPage(shop, bo!)).customer).toMatchObject({ ordersCount: 7, totalSpent: "410.00" });
    // Without any order or counter the page says so, with no last order.
    const [cy] = await createCustomers(shop, 1, "cy");
    expect((await customerPage(shop, cy!)).customer).toMatchObject({ ordersCount: 0, totalSpent: "0.00", lastOrderAt: null });
  });
});
