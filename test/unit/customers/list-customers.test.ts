// The Customers page's query: search on email, first and last name (or an exact platform id), and keyset pages,
// newest first, that cover every customer once even when many share a created_at; always one shop's customers.
import { describe, expect, it } from "vitest";
import { loader as customersLoader } from "../../../app/routes/app.customers";
import { customerCursor, listCustomers, parseCustomerCursor } from "../../../app/services/customers.server";
import { adminRequest } from "../../support/admin-request";
import { createTestShop, type TestShop } from "../../support/shops";

type NewCustomer = { platformId: string; email?: string; firstName?: string; lastName?: string; createdAt?: Date };

async function addCustomers(shop: TestShop, rows: NewCustomer[]) {
  return shop.db.customer.createManyAndReturn({ data: rows.map((r) => ({ shopId: shop.id, ...r })) });
}

async function everyPage(shop: TestShop, options: { search?: string; take: number }) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await listCustomers(shop.db, { ...options, cursor });
    pages.push(page.customers.map((c) => c.id));
    cursor = page.nextCursor;
    if (!cursor) return pages;
  }
  throw new Error("the pages never end");
}

async function customersPage(shop: TestShop, query: Record<string, string>) {
  const request = adminRequest(shop, undefined, "/app/customers");
  const url = new URL(request.url);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return customersLoader({ request: new Request(url, { headers: request.headers }), params: {}, context: {} } as never);
}

describe("the customers list", () => {
  it("GIVEN a search term carrying a NUL character (%00 in the address) THEN it is searched without it, not a database error", async () => {
    const shop = await createTestShop();
    await addCustomers(shop, [{ platformId: "gid://shopify/Customer/1", email: "ada@example.com", firstName: "Ada" }]);
    const page = (await customersPage(shop, { q: "ada\u0000" })) as { customers: { email: string | null }[] };
    expect(page.customers.map((c) => c.email)).toEqual(["ada@example.com"]);
  });

  it("GIVEN 123 customers, most sharing a created_at WHEN paged 50 at a time THEN every customer appears exactly once, newest first with ties by id, and the last page says there is no next", async () => {
    const shop = await createTestShop();
    const tie = new Date("2026-10-01T12:00:00.000Z");
    const created = await addCustomers(
      shop,
      Array.from({ length: 123 }, (_, i) => ({
        platformId: `gid://shopify/Customer/${1000 + i}`,
        email: `c${i}@example.com`,
        // Three instants only: 100 customers in the same millisecond, so the id alone must order them.
        createdAt: i < 100 ? tie : new Date(tie.getTime() + (i % 2 ? 1 : -1) * 60_000),
      })),
    );

    const pages = await everyPage(shop, { take: 50 });
    expect(pages.map((p) => p.length)).toEqual([50, 50, 23]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(123);
    const expected = [...created]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((c) => c.id);
    expect(seen).toEqual(expected);
  });

  it("GIVEN customers with names, emails and platform ids WHEN searched THEN email, first or last name match by contains in any case, each word of a full name must match, and a platform id matches only exactly", async () => {
    const shop = await createTestShop();
    const [ada, grace, alan, nameless] = await addCustomers(shop, [
      { platformId: "gid://shopify/Customer/7001", email: "ada@analytical.example", firstName: "Ada", lastName: "Lovelace" },
      { platformId: "gid://shopify/Customer/7002", email: "grace@navy.example", firstName: "Grace", lastName: "Hopper" },
      { platformId: "gid://shopify/Customer/7003", email: "alan@bletchley.example", firstName: "Alan", lastName: "Turing" },
      { platformId: "4242", email: null as never },
    ]);
    const ids = async (search: string) =>
      (await listCustomers(shop.db, { search })).customers.map((c) => c.id).sort();
    const sorted = (...rows: { id: string }[]) => rows.map((r) => r.id).sort();

    expect(await ids("ANALYTICAL")).toEqual(sorted(ada!)); // email, any case
    expect(await ids("race")).toEqual(sorted(grace!)); // first name (and email) contains
    expect(await ids("turING")).toEqual(sorted(alan!)); // last name
    expect(await ids("a")).toEqual(sorted(ada!, grace!, alan!));
    expect(await ids("  ada   lovelace ")).toEqual(sorted(ada!)); // a full name, word by word
    expect(await ids("ada turing")).toEqual([]);
    expect(await ids("gid://shopify/Customer/7002")).toEqual(sorted(grace!)); // exact platform id
    expect(await ids("7003")).toEqual(sorted(alan!)); // the number of a Shopify GID
    expect(await ids("4242")).toEqual(sorted(nameless!)); // a Magento id
    expect(await ids("700")).toEqual([]); // never part of an id
    expect(await ids("nobody")).toEqual([]);
    // LIKE's wildcards are searched for as typed characters.
    const [underscore] = await addCustomers(shop, [{ platformId: "9", email: "ada_l@example.com" }]);
    expect(await ids("a_")).toEqual(sorted(underscore!));
    expect(await ids("%")).toEqual([]);
  });

  it("GIVEN 60 matching customers among others WHEN a search is paged THEN its pages hold every match once and nothing else", async () => {
    const shop = await createTestShop();
    const tie = new Date("2026-10-02T08:00:00.000Z");
    const rows = await addCustomers(
      shop,
      Array.from({ length: 90 }, (_, i) => ({
        platformId: `gid://shopify/Customer/${2000 + i}`,
        email: i % 3 ? `vip${i}@example.com` : `other${i}@example.com`,
        createdAt: new Date(tie.getTime() + (i % 4) * 1000),
      })),
    );
    const pages = await everyPage(shop, { search: "VIP", take: 25 });
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    expect(pages.flat().sort()).toEqual(rows.filter((r) => r.email!.startsWith("vip")).map((r) => r.id).sort());
  });

  it("GIVEN two shops with the same kind of customers WHEN shop A lists, searches or pages THEN shop B's customers never appear", async () => {
    const a = await createTestShop();
    const b = await createTestShop();
    const tie = new Date("2026-10-03T09:00:00.000Z");
    const make = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        platformId: `gid://shopify/Customer/${prefix}${i}`,
        email: `shared${i}@example.com`,
        firstName: "Sam",
        createdAt: tie,
      }));
    const ofA = await addCustomers(a, make("1", 30));
    const ofB = await addCustomers(b, make("2", 30));
    const idsOfA = ofA.map((c) => c.id).sort();

    expect((await everyPage(a, { take: 7 })).flat().sort()).toEqual(idsOfA);
    expect((await everyPage(a, { search: "sam", take: 7 })).flat().sort()).toEqual(idsOfA);
    // B's exact platform id, and a cursor taken from B's rows, still show only A's customers.
    expect((await listCustomers(a.db, { search: ofB[0]!.platformId })).customers).toEqual([]);
    const fromB = await listCustomers(a.db, { cursor: customerCursor(ofB[0]!), take: 100 });
    expect(fromB.customers.every((c) => c.shopId === a.id)).toBe(true);
  });

  it.each(["garbage", "1_not-a-uuid", `9999999999999999_${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}`, "", "_"])(
    "GIVEN the malformed cursor %j WHEN listing THEN the first page, never a database error",
    async (cursor) => {
      const shop = await createTestShop();
      const [newest] = await addCustomers(shop, [{ platformId: "gid://shopify/Customer/1", email: "x@example.com" }]);
      expect(parseCustomerCursor(cursor)).toBeNull();
      const page = await listCustomers(shop.db, { cursor });
      expect(page.customers.map((c) => c.id)).toEqual([newest!.id]);
      const loaded = await customersPage(shop, { cursor, prev: "first" });
      expect(loaded.customers.map((c) => c.id)).toEqual([newest!.id]);
      expect(loaded.cursor).toBeNull();
    },
  );

  it("GIVEN 60 customers WHEN the page is opened, paged and searched through its URL THEN 50 a page with a next cursor, the second page holds the rest, and ?q= finds the oldest customer", async () => {
    const shop = await createTestShop();
    const start = Date.parse("2026-10-04T00:00:00.000Z");
    const rows = await addCustomers(
      shop,
      Array.from({ length: 60 }, (_, i) => ({
        platformId: `gid://shopify/Customer/${3000 + i}`,
        email: `p${i}@example.com`,
        firstName: i === 0 ? "Oldest" : "Someone",
        createdAt: new Date(start + i * 1000),
      })),
    );
    const first = await customersPage(shop, {});
    expect(first).toMatchObject({ total: 60, q: "", cursor: null });
    expect(first.customers).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = await customersPage(shop, { cursor: first.nextCursor!, prev: "first" });
    expect(second.customers.map((c) => c.email)).toEqual(rows.slice(0, 10).reverse().map((r) => r.email));
    expect(second).toMatchObject({ nextCursor: null, prev: ["first"] });
    const found = await customersPage(shop, { q: "oldest" });
    expect(found.customers.map((c) => c.id)).toEqual([rows[0]!.id]);
  });
});
