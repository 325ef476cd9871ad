// Times are stored as UTC wall-clock time in `timestamp` columns and compared with now() in SQL (claims skip
// expired codes, uploads mark past expiries expired). now() is a timestamptz: PostgreSQL reads the column as
// wall-clock time in the session's TimeZone to compare, so every app session must be in UTC, whatever the server's
// default is. PGOPTIONS stands in for a server (or role, or database) whose default zone is not UTC.
import { afterEach, describe, expect, it } from "vitest";
import { database, registerDatabase } from "../../app/db.server";
import { connectPostgres, type Database } from "../../app/db/connect.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

const shared = database();
const pgOptions = process.env.PGOPTIONS;
let opened: Database | null = null;

/**
 * A connection pool opened as the app opens one, against a server whose sessions start in New York time.
 * Connections open lazily and read PGOPTIONS when they do, so it stays set until the test ends.
 */
function connectInNewYork(): Database {
  process.env.PGOPTIONS = "-c TimeZone=America/New_York";
  opened = connectPostgres(process.env.DATABASE_URL!, { max: 2 });
  return opened;
}

afterEach(async () => {
  registerDatabase(shared);
  if (pgOptions === undefined) delete process.env.PGOPTIONS;
  else process.env.PGOPTIONS = pgOptions;
  await opened?.close();
  opened = null;
});

describe("a database server whose default time zone is not UTC", () => {
  it("GIVEN the app's connections WHEN a session starts THEN it is in UTC, for raw statements and Prisma alike", async () => {
    const db = connectInNewYork();
    expect(await db.query<{ TimeZone: string }>("SHOW TimeZone", [])).toEqual([{ TimeZone: "UTC" }]);
    expect(await db.prisma.$queryRawUnsafe<{ TimeZone: string }[]>("SHOW TimeZone")).toEqual([{ TimeZone: "UTC" }]);
  });

  it("GIVEN a URL whose options set another zone THEN its other options are kept and the session is still in UTC", async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set("options", "-c statement_timeout=4321 -c TimeZone=Asia/Tokyo");
    opened = connectPostgres(url.toString(), { max: 1 });
    expect(await opened.query<{ TimeZone: string }>("SHOW TimeZone", [])).toEqual([{ TimeZone: "UTC" }]);
    expect(await opened.query<{ statement_timeout: string }>("SHOW statement_timeout", [])).toEqual([{ statement_timeout: "4321ms" }]);
  });

  it("GIVEN a code that expired an hour ago WHEN issued, with or without an idempotency key THEN it is never given out", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["LATE"], { expiresAt: () => new Date(Date.now() - 60 * 60_000) });
    const [ada] = await createCustomers(shop, 1);
    registerDatabase(connectInNewYork());
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! })).toMatchObject({ type: "pool_empty" });
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, idempotencyKey: "late-1" })).toMatchObject({
      type: "pool_empty",
    });
    registerDatabase(shared);
    expect(await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } })).toMatchObject({ status: "AVAILABLE", customerId: null });
  });
});
