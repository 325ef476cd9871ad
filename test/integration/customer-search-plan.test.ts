// The Customers page's search on PostgreSQL: a word that few customers match is found through the trigram index
// (migration 20261122070000), not by reading every customer of the shop. The SQL explained is the one Prisma sends
// for listCustomers, captured from the client's query log, so a change to the search that the index cannot
// serve fails here.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { forShop } from "../../app/db/shop-scope.server";
import { listCustomers } from "../../app/services/customers.server";
import { createTestShop } from "../support/shops";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const logged = new PrismaClient({ adapter: new PrismaPg(pool), log: [{ emit: "event", level: "query" }] });
afterAll(async () => {
  await logged.$disconnect();
  await pool.end();
});

describe("searching a shop's customers", () => {
  it("GIVEN 30,000 customers WHEN the search names a word few of them have THEN the trigram index can serve the search, and the match is found", async () => {
    const shop = await createTestShop();
    await prisma.$executeRaw`
      INSERT INTO customers (id, shop_id, platform_id, email, first_name, last_name, created_at, updated_at)
      SELECT gen_random_uuid(), ${shop.id}::uuid, 'gid://shopify/Customer/' || g, 'buyer' || g || '@example.com', 'Ann' || (g % 100), 'Lee' || (g % 700),
             now() - g * interval '1 second', now()
      FROM generate_series(1, 30000) g`;
    await prisma.customer.create({ data: { shopId: shop.id, platformId: "gid://shopify/Customer/999999", email: "quentin@zephyr.example", firstName: "Quentin" } });
    await prisma.$executeRawUnsafe("ANALYZE customers");

    const queries: { query: string; params: string }[] = [];
    logged.$on("query", (e) => queries.push({ query: e.query, params: e.params }));
    const { customers } = await listCustomers(forShop(shop.id, logged), { search: "zephyr" });
    expect(customers.map((c) => c.email)).toEqual(["quentin@zephyr.example"]);

    const search = queries.find((q) => /ILIKE/i.test(q.query) && /customers/.test(q.query));
    expect(search, queries.map((q) => q.query).join("\n")).toBeDefined();
    // Whether the planner picks the index over a scan at this size depends on its sampled statistics (on a busy
    // shared test database it once costed the scan lower); with scans discouraged it still scans when no index can
    // serve the query, so this asks what matters: can the index serve the SQL Prisma sends.
    const client = await pool.connect();
    let text: string;
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      const plan = await client.query(`EXPLAIN ${search!.query}`, JSON.parse(search!.params) as unknown[]);
      text = plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    expect(text).toContain("customers_search_trgm");
    expect(text).not.toMatch(/Seq Scan on customers/);
  });
});
