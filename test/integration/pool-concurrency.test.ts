import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { issueBatch, issueCode } from "../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

describe("issuing on PostgreSQL under concurrency", () => {
  // Without a key, an issue is one statement; with one (the API, tasks, messages), it is the keyed transaction.
  it.each([
    ["without idempotency keys", false],
    ["each with its own idempotency key", true],
  ])("GIVEN 16 concurrent issuers %s and 1,000 codes WHEN 1,200 customers ask THEN 1,000 distinct codes go to 1,000 customers and none is lost", async (_how, keyed) => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 1000 }, (_, i) => `C${String(i).padStart(5, "0")}`));
    const customers = await createCustomers(shop, 1200);
    let next = 0;
    const outcomes: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < customers.length) {
          const customerId = customers[next++]!;
          const result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId, ...(keyed ? { idempotencyKey: `order-${customerId}` } : {}) });
          outcomes.push(result.type);
        }
      }),
    );
    expect(outcomes.filter((t) => t === "issued")).toHaveLength(1000);
    expect(outcomes.filter((t) => t === "pool_empty")).toHaveLength(200);
    // Counted from the database, not from the issuers' own tallies.
    const [counts] = await prisma.$queryRaw<{ issued: bigint; distinct_codes: bigint; distinct_customers: bigint }[]>`
      SELECT count(*) AS issued, count(DISTINCT code_id) AS distinct_codes, count(DISTINCT customer_id) AS distinct_customers
      FROM issuances WHERE pool_id = ${pool.id}::uuid`;
    expect(counts).toEqual({ issued: 1000n, distinct_codes: 1000n, distinct_customers: 1000n });
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).toBe(0);
    const mismatched = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM issuances i JOIN codes c ON c.id = i.code_id WHERE i.pool_id = ${pool.id}::uuid AND c.customer_id <> i.customer_id`;
    expect(mismatched[0]?.n).toBe(0n);
  });

  it("concurrent retries with one idempotency key get one code between them", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["I1", "I2", "I3", "I4"]);
    const [ada] = await createCustomers(shop, 1);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: "same-key" })),
    );
    const codes = new Set(results.map((r) => (r.type === "issued" ? r.issued.code : r.type)));
    expect(codes.size).toBe(1);
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).toBe(3);
  });

  it("two batch issues and single issues running together never share a code", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 3000 }, (_, i) => `M${i}`));
    const customers = await createCustomers(shop, 3000);
    await Promise.all([
      issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: customers.slice(0, 1200) }),
      issueBatch(shop.db, { shopId: shop.id, poolId: pool.id, customerIds: customers.slice(1200, 2400) }),
      ...customers.slice(2400).map((customerId) => issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId })),
    ]);
    const [row] = await prisma.$queryRaw<{ n: bigint; d: bigint }[]>`
      SELECT count(*) AS n, count(DISTINCT code_id) AS d FROM issuances WHERE pool_id = ${pool.id}::uuid`;
    expect(row).toEqual({ n: 3000n, d: 3000n });
  });

  it("GIVEN a process killed (SIGKILL) after claiming a code but before recording it THEN the code is available again", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SOLE"]);
    const [ada] = await createCustomers(shop, 1);
    const child = spawn(process.execPath, [path.resolve("test/support/claim-and-hang.mjs")], {
      env: { ...process.env, POOL_ID: pool.id, SHOP_ID: shop.id, CUSTOMER_ID: ada! },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("claimed") && resolve());
      child.on("exit", (code) => reject(new Error(`claimer exited early (${code})`)));
    });
    // While the claimer holds its row, another issuer skips it rather than waiting or taking it.
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! })).toMatchObject({ type: "pool_empty" });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    let result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    for (let i = 0; i < 50 && result.type === "pool_empty"; i++) {
      // PostgreSQL ends the dead backend's transaction when it notices the closed socket.
      await new Promise((r) => setTimeout(r, 100));
      result = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    }
    expect(result).toMatchObject({ type: "issued", issued: { code: "SOLE" } });
    expect(await shop.db.issuance.count({ where: { poolId: pool.id } })).toBe(1);
  });

  it("GIVEN the app's own keyed issue killed (SIGKILL) after claiming its code, while recording it THEN the code is available again and nothing is recorded", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["ONLY"]);
    const [ada, bob] = await createCustomers(shop, 2);
    const key = `order-${randomUUID()}`;
    const applicationName = `issue-kill-${randomUUID().slice(0, 8)}`;
    // An uncommitted issuance with the same key: the child's insert of its issuance waits on the unique index,
    // after its claim of the code, inside the same transaction.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(
        "INSERT INTO issuances (shop_id, pool_id, customer_id, kind, idempotency_key) VALUES ($1::uuid, $2::uuid, $3::uuid, 'INITIAL', $4)",
        [shop.id, pool.id, bob!, key],
      );
      const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/integration/issue-kill-child.ts")], {
        env: { ...process.env, SHOP_ID: shop.id, POOL_ID: pool.id, CUSTOMER_ID: ada!, IDEMPOTENCY_KEY: key, APPLICATION_NAME: applicationName },
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      // Wait until the child is blocked on a lock, holding its claim.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const waiting = await prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${applicationName} AND wait_event_type = 'Lock'`;
        if (waiting[0]!.n > 0n) break;
        if (Date.now() > deadline) throw new Error("the child never blocked on recording its issuance");
        await new Promise((r) => setTimeout(r, 50));
      }
      // The claim is the child's: another issuer skips the locked code rather than waiting for it or taking it.
      expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob! })).toMatchObject({ type: "pool_empty" });
      child.kill("SIGKILL");
      await exited;
      await holder.query("ROLLBACK");
    } finally {
      await holder.end();
    }
    // PostgreSQL ends the dead backend's transaction once it notices the closed socket: the claim is undone.
    let code = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    for (let i = 0; i < 100 && code.status !== "AVAILABLE"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      code = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } });
    }
    expect(code).toMatchObject({ code: "ONLY", status: "AVAILABLE", customerId: null });
    expect(await shop.db.issuance.count({ where: { poolId: pool.id } })).toBe(0);
    // The retry of the killed request gets the code, once.
    const retry = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: key });
    expect(retry).toMatchObject({ type: "issued", replayed: false, issued: { code: "ONLY" } });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: key })).toMatchObject({ type: "issued", replayed: true });
  });
});

