import { describe, expect, it } from "vitest";
import { database } from "../../../app/db.server";
import {
  closeAbandonedUploads,
  importJson,
  importUpload,
  planPoolGeneration,
  runGeneration,
  stageTable,
  startImport,
  UploadAlreadyStartedError,
} from "../../../app/services/pools/imports.server";
import { issueCode } from "../../../app/services/pools/issue.server";
import { bytesOf, createCustomers, createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

/** Upload staging tables left in the database (each upload drops its own when it ends). */
async function stagingTables(): Promise<string[]> {
  const rows = await database().query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'code\\_upload\\_%' ORDER BY 1`, []);
  return rows.map((r) => r.name);
}

describe("uploading codes into a pool", () => {
  it("GIVEN a pool with codes WHEN a CSV repeats some of them THEN duplicates in the file and in the pool are skipped, counted and reported by line", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["EXISTING1"]);
    const csv = "code;expires;discount\r\nNEW1;2030-01-01T10:00;10\r\nexisting1;;\r\nNEW2;;\r\nnew1;;\r\nBAD CODE;;\r\nNEW3;2030-13-45;\r\n";
    const outcome = await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "csv", fileName: "codes.csv", source: bytesOf(csv, 7) });
    expect(outcome.type).toBe("done");
    if (outcome.type !== "done") return;
    expect(outcome.report).toMatchObject({ accepted: 2, duplicatesInFile: 1, duplicatesInPool: 1, rejected: 2 });
    expect(outcome.report.rejections).toEqual(
      expect.arrayContaining([
        { line: 3, reason: "duplicate_in_pool", value: "existing1" },
        { line: 5, reason: "duplicate_in_file", value: "new1" },
        expect.objectContaining({ line: 6, reason: "invalid_characters" }),
        expect.objectContaining({ line: 7, reason: "bad_date" }),
      ]),
    );
    const new1 = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, codeKey: "NEW1" } });
    expect(new1).toMatchObject({ code: "NEW1", status: "AVAILABLE", discount: 10 });
    expect(new1.expiresAt?.toISOString()).toBe("2030-01-01T10:00:00.000Z");
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { id: outcome.importId } });
    expect(run).toMatchObject({ status: "SUCCEEDED", accepted: 2, duplicates: 2, rejected: 2 });
    expect(await stagingTables()).toEqual([]);
  });

  it("marks codes flagged in-use as retired, never issuable", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "csv", source: bytesOf("code,in_use\nFREE,no\nTAKEN,yes\n") });
    const codes = await shop.db.code.findMany({ where: { poolId: pool.id }, orderBy: { code: "asc" } });
    expect(codes.map((c) => [c.code, c.status])).toEqual([
      ["FREE", "AVAILABLE"],
      ["TAKEN", "RETIRED"],
    ]);
  });

  it("GIVEN codes the pool already holds WHEN a later upload flags them in use THEN the unused one is retired, never issued, and given-out ones keep their customer", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SOLD-ELSEWHERE", "STILL-FREE", "GIVEN"]);
    const [ada] = await createCustomers(shop, 1);
    await shop.db.code.updateMany({ where: { poolId: pool.id, code: "GIVEN" }, data: { status: "ASSIGNED", customerId: ada! } });
    const outcome = await importUpload(shop.db, {
      shopId: shop.id,
      poolId: pool.id,
      format: "csv",
      source: bytesOf("code,in_use\nsold-elsewhere,yes\nSTILL-FREE,no\nGIVEN,yes\nNEW-TAKEN,yes\n"),
    });
    expect(outcome).toMatchObject({ type: "done", report: { accepted: 1, duplicatesInPool: 3 } });
    const codes = await shop.db.code.findMany({ where: { poolId: pool.id }, orderBy: { code: "asc" }, select: { code: true, status: true, customerId: true } });
    expect(codes).toEqual([
      { code: "GIVEN", status: "ASSIGNED", customerId: ada },
      { code: "NEW-TAKEN", status: "RETIRED", customerId: null },
      { code: "SOLD-ELSEWHERE", status: "RETIRED", customerId: null },
      { code: "STILL-FREE", status: "AVAILABLE", customerId: null },
    ]);
    const [bob] = await createCustomers(shop, 1, "b");
    expect(await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: bob! })).toMatchObject({ issued: { code: "STILL-FREE" } });
  });

  it("GIVEN a code whose expiry has already passed WHEN uploaded THEN it is stored as expired (listed and counted so), never as available", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "csv", source: bytesOf("code,expires\nOLD,2020-01-01\nNEW,2099-01-01\nOPEN,\n") });
    const codes = await shop.db.code.findMany({ where: { poolId: pool.id }, orderBy: { code: "asc" } });
    expect(codes.map((c) => [c.code, c.status])).toEqual([
      ["NEW", "AVAILABLE"],
      ["OLD", "EXPIRED"],
      ["OPEN", "AVAILABLE"],
    ]);
  });

  it("GIVEN a file with expired and in-use codes, one of them already in the pool WHEN uploaded THEN the report counts those added expired and retired, not the duplicate", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SEEN"]);
    const csv = "code,expires,in_use\nOLD1,2020-01-01,no\nOLD2,2020-06-01,\nSEEN,2020-01-01,no\nTAKEN,,yes\nTAKEN-OLD,2020-01-01,yes\nNEW,2099-01-01,no\n";
    const outcome = await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "csv", source: bytesOf(csv) });
    expect(outcome).toMatchObject({ type: "done", report: { accepted: 5, acceptedExpired: 2, acceptedInUse: 2, duplicatesInPool: 1 } });
    // The counts are what was stored.
    const statuses = await shop.db.code.groupBy({ by: ["status"], where: { poolId: pool.id, code: { not: "SEEN" } }, _count: { _all: true } });
    expect(Object.fromEntries(statuses.map((s) => [s.status, s._count._all]))).toEqual({ EXPIRED: 2, RETIRED: 2, AVAILABLE: 1 });
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { poolId: pool.id } });
    expect(run.report).toMatchObject({ acceptedExpired: 2, acceptedInUse: 2 });
  });

  it("GIVEN a file of plain codes WHEN uploaded THEN nothing is counted expired or retired", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const outcome = await importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "csv", source: bytesOf("A1\nA2\n") });
    expect(outcome).toMatchObject({ type: "done", report: { accepted: 2, acceptedExpired: 0, acceptedInUse: 0 } });
  });

  it("GIVEN a file refused half-way (an unterminated quote at the end) THEN nothing reaches the pool and the run says why", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["KEEP"]);
    const lines = Array.from({ length: 12_000 }, (_, i) => `OK${i}`).join("\n");
    const outcome = await importUpload(shop.db, {
      shopId: shop.id,
      poolId: pool.id,
      format: "csv",
      source: bytesOf(`code\n${lines}\n"NEVER-CLOSED\n`),
    });
    expect(outcome).toMatchObject({ type: "refused", reason: "unterminated_quote" });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(1);
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { poolId: pool.id } });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(/unterminated_quote/);
    expect(await stagingTables()).toEqual([]);
  });

  it("GIVEN an upload already being sent (its staging table exists) WHEN it is sent again THEN the second send is refused and leaves the first one's run and table alone", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const run = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "paste" });
    await database().execScript(`CREATE UNLOGGED TABLE ${stageTable(run.id)} (line int)`);
    await expect(
      importUpload(shop.db, { shopId: shop.id, poolId: pool.id, importId: run.id, format: "paste", source: bytesOf("A\nB\n") }),
    ).rejects.toBeInstanceOf(UploadAlreadyStartedError);
    expect(await shop.db.codeImport.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "RUNNING" });
    expect(await stagingTables()).toEqual([stageTable(run.id)]);
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(0);
    await database().execScript(`DROP TABLE ${stageTable(run.id)}`);
  });

  it("refuses an upload to a pool of another shop as if it did not exist", async () => {
    const mine = await createTestShop();
    const theirs = await createTestShop();
    const pool = await createPoolWithCodes(theirs, []);
    expect(await importUpload(mine.db, { shopId: mine.id, poolId: pool.id, format: "paste", source: bytesOf("A\nB\n") })).toEqual({
      type: "pool_not_found",
    });
    expect(await theirs.db.code.count()).toBe(0);
  });

  it("takes JSON from the API with per-code fields", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const outcome = await importJson(shop.db, {
      shopId: shop.id,
      poolId: pool.id,
      body: { codes: [{ code: "J1", discount: 15, tag: "vip" }, "J2", { code: "" }] },
    });
    expect(outcome).toMatchObject({ type: "done", report: { accepted: 2, rejected: 1 } });
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "J1" } })).toMatchObject({ discount: 15, tag: "vip" });
  });
});

describe("generating codes into a pool", () => {
  it("generates the requested number from a pattern without colliding with the pool's codes", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SALE-AAAA"]);
    const planned = await planPoolGeneration(shop.db, { shopId: shop.id, poolId: pool.id, options: { pattern: "SALE-####", charset: "letters_upper" }, count: 500 });
    expect(planned.type).toBe("started");
    if (planned.type !== "started") return;
    expect(await runGeneration(shop.db, shop.id, planned.importId)).toEqual({ generated: 500 });
    const codes = await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true } });
    expect(codes).toHaveLength(501);
    expect(codes.every((c) => /^SALE-[A-Z]{4}$/.test(c.code))).toBe(true);
    // Running the job again (a retry) adds nothing.
    expect(await runGeneration(shop.db, shop.id, planned.importId)).toEqual({ generated: 500 });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(501);
  });

  it("GIVEN a pattern's space already 40% taken by the pool WHEN codes are generated up to half of it THEN every new code is one the pool did not have", async () => {
    const shop = await createTestShop();
    const digits = "23456789";
    const space = [...digits].flatMap((a) => [...digits].flatMap((b) => [...digits].map((c) => `N${a}${b}${c}`)));
    expect(space).toHaveLength(512);
    // 205 codes spread over the whole space: about two draws in five collide with one.
    const taken = space.filter((_, i) => i % 5 === 0 || i % 5 === 3);
    const pool = await createPoolWithCodes(shop, taken);
    const planned = await planPoolGeneration(shop.db, { shopId: shop.id, poolId: pool.id, options: { pattern: "N###", charset: "digits" }, count: 50 });
    if (planned.type !== "started") throw new Error(JSON.stringify(planned));
    expect(await runGeneration(shop.db, shop.id, planned.importId)).toEqual({ generated: 50 });
    const codes = (await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true } })).map((c) => c.code);
    expect(taken).toHaveLength(205);
    expect(codes).toHaveLength(255);
    expect(new Set(codes).size).toBe(255);
    expect(codes.every((c) => space.includes(c))).toBe(true);
    // One short of half the space is used now: two more are refused before anything runs, saying why.
    const tooMany = await planPoolGeneration(shop.db, { shopId: shop.id, poolId: pool.id, options: { pattern: "N###", charset: "digits" }, count: 2 });
    expect(tooMany).toMatchObject({ type: "refused", message: expect.stringContaining("with 255 already in the pool does not fit") });
  });

  it("refuses with a clear message when the request does not fit the pattern's space", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const planned = await planPoolGeneration(shop.db, { shopId: shop.id, poolId: pool.id, options: { pattern: "##", charset: "digits" }, count: 100 });
    expect(planned).toMatchObject({ type: "refused", message: expect.stringMatching(/does not fit/) });
    expect(await shop.db.codeImport.count()).toBe(0);
  });
});

describe("interrupted uploads", () => {
  it("closes an upload run that made no progress for an hour and drops the staging tables of ended uploads; a recent or slow but moving one stays running", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const old = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "csv" });
    const recent = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "csv" });
    const slow = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "csv" });
    const generation = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "generate" });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await shop.db.codeImport.updateMany({ where: { id: { in: [old.id, generation.id] } }, data: { createdAt: twoHoursAgo, updatedAt: twoHoursAgo } });
    // Started two hours ago on a slow connection, last progress five minutes ago.
    await shop.db.codeImport.update({ where: { id: slow.id }, data: { createdAt: twoHoursAgo, updatedAt: new Date(Date.now() - 5 * 60_000) } });
    // What a process that died mid-upload leaves: the staging tables of the old run and of the running one.
    for (const run of [old, recent]) await database().execScript(`CREATE UNLOGGED TABLE ${stageTable(run.id)} (line int)`);
    expect(await closeAbandonedUploads(shop.db)).toBe(1);
    const runs = await shop.db.codeImport.findMany({ orderBy: { createdAt: "asc" } });
    expect(Object.fromEntries(runs.map((r) => [r.id, r.status]))).toEqual({
      [old.id]: "FAILED",
      [recent.id]: "RUNNING",
      [slow.id]: "RUNNING",
      [generation.id]: "RUNNING",
    });
    expect(runs.find((r) => r.id === old.id)?.error).toMatch(/^interrupted: .*No codes were added/);
    // The running upload keeps its table; another shop's sweep does not touch it either.
    const other = await createTestShop();
    await closeAbandonedUploads(other.db);
    expect(await stagingTables()).toEqual([stageTable(recent.id)]);
    await database().execScript(`DROP TABLE ${stageTable(recent.id)}`);
  });
});
