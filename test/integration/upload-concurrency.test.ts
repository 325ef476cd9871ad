import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import {
  closeAbandonedUploads,
  importUpload,
  planPoolGeneration,
  runGeneration,
  stageTable,
  startImport,
  UploadAlreadyStartedError,
} from "../../app/services/pools/imports.server";
import { lockPoolCodes } from "../../app/services/pools/code-lock.server";
import { deletePool } from "../../app/services/pools/pools.server";
import { bytesOf, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe("uploads on PostgreSQL: concurrent, and killed half-way", () => {
  it("GIVEN two overlapping files and a generation WHEN they run together THEN each code is added once, and every line is counted once as added or a duplicate", async () => {
    const shop = await createTestShop();
    const existing = range("E", 0, 100);
    const pool = await createPoolWithCodes(shop, existing);
    // Both files carry 10,000 codes of their own and the same 10,000 shared ones, and half the pool's codes each.
    const fileA = [...range("A", 0, 10_000), ...range("S", 0, 10_000), ...range("E", 0, 50)];
    const fileB = [...range("S", 0, 10_000), ...range("B", 0, 10_000), ...range("E", 50, 100)];
    const planned = await planPoolGeneration(shop.db, {
      shopId: shop.id,
      poolId: pool.id,
      options: { pattern: "G-#####", charset: "digits" },
      count: 2_000,
    });
    if (planned.type !== "started") throw new Error(`generation not started: ${planned.type}`);
    const upload = (codes: string[]) =>
      importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "paste", source: bytesOf(codes.join("\n"), 16 * 1024) });
    const [a, b, generated] = await Promise.all([upload(fileA), upload(fileB), runGeneration(shop.db, shop.id, planned.importId)]);
    if (a.type !== "done" || b.type !== "done") throw new Error(`uploads did not finish: ${a.type}, ${b.type}`);
    expect(generated).toEqual({ generated: 2_000 });
    // Every non-blank line is exactly one of added or duplicate; the shared codes went to whichever upload was first.
    expect(a.report.accepted + a.report.duplicatesInPool).toBe(fileA.length);
    expect(b.report.accepted + b.report.duplicatesInPool).toBe(fileB.length);
    expect(a.report.accepted + b.report.accepted).toBe(30_000);
    expect(a.report.duplicatesInPool + b.report.duplicatesInPool).toBe(10_100);
    // Counted from the database: no key twice, nothing lost.
    const [counts] = await prisma.$queryRaw<{ codes: bigint; keys: bigint; shared: bigint }[]>`
      SELECT count(*) AS codes, count(DISTINCT code_key) AS keys, count(*) FILTER (WHERE code_key LIKE 'S%') AS shared
      FROM codes WHERE pool_id = ${pool.id}::uuid`;
    expect(counts).toEqual({ codes: 32_100n, keys: 32_100n, shared: 10_000n });
    const stages = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_tables WHERE tablename IN (${stageTable(a.importId)}, ${stageTable(b.importId)})`;
    expect(stages[0]?.n).toBe(0n);
  });

  it("GIVEN the same upload posted twice at once (a double submit) THEN one request adds the codes and the other is refused without touching the run", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const run = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "paste" });
    const codes = range("D", 0, 30_000).join("\n");
    const send = () => importUpload(shop.db, { shopId: shop.id, poolId: pool.id, importId: run.id, format: "paste", source: bytesOf(codes, 16 * 1024) });
    const outcomes = await Promise.allSettled([send(), send()]);
    const done = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toBeInstanceOf(UploadAlreadyStartedError);
    expect(await shop.db.codeImport.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "SUCCEEDED", accepted: 30_000 });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(30_000);
  });

  it("GIVEN a web process killed (SIGKILL) in the middle of an upload THEN the pool is unchanged, and the sweep closes the run and drops its staging table", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["BEFORE"]);
    const run = await startImport(shop.db, { shopId: shop.id, poolId: pool.id, source: "paste" });
    const staged = async () => {
      const [row] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${stageTable(run.id)}`);
      return Number(row?.n ?? 0);
    };
    // tsx as a loader, not its CLI: the CLI runs the script in a grandchild that a SIGKILL would not reach.
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/integration/upload-kill-child.ts")], {
      env: { ...process.env, SHOP_ID: shop.id, POOL_ID: pool.id, IMPORT_ID: run.id },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("stalled") && resolve());
      child.on("exit", (code) => reject(new Error(`upload process exited early (${code})`)));
    });
    // Part of the file is staged (batches of 5,000), none of it in the pool.
    await expect.poll(staged, { timeout: 10_000 }).toBeGreaterThanOrEqual(15_000);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    expect(await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true } })).toEqual([{ code: "BEFORE" }]);
    expect(await shop.db.codeImport.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "RUNNING" });

    // An hour later the sweep closes the run and drops what it staged.
    expect(await closeAbandonedUploads(shop.db, new Date(Date.now() + 2 * 3_600_000))).toBe(1);
    expect(await shop.db.codeImport.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(/No codes were added/),
    });
    const [left] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_tables WHERE tablename = ${stageTable(run.id)}`;
    expect(left?.n).toBe(0n);
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(1);
  });

  it("GIVEN a pool deleted while an upload streams into it THEN the upload adds nothing and its run says why", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["BEFORE"]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let firstHalfRead!: () => void;
    const halfway = new Promise<void>((resolve) => (firstHalfRead = resolve));
    async function* source() {
      yield* bytesOf(range("H", 0, 6_000).join("\n") + "\n");
      firstHalfRead();
      await released;
      yield* bytesOf(range("H", 6_000, 12_000).join("\n"));
    }
    const upload = importUpload(shop.db, { shopId: shop.id, poolId: pool.id, format: "paste", source: source() });
    await halfway;
    // The merchant deletes the pool (its one unused code, confirmed) while the file is still being read.
    expect(await deletePool(shop.db, pool.id, { confirmed: true })).toEqual({ type: "deleted", retired: 1 });
    release();
    expect(await upload).toEqual({ type: "pool_not_found" });
    expect(await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true, status: true } })).toEqual([
      { code: "BEFORE", status: "RETIRED" },
    ]);
    const [run] = await shop.db.codeImport.findMany({ where: { poolId: pool.id } });
    expect(run).toMatchObject({ status: "FAILED", accepted: 0, error: expect.stringMatching(/pool was deleted/) });
  });

  it("GIVEN a generation planned before its pool was deleted THEN it generates nothing and ends failed, not retried", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    const planned = await planPoolGeneration(shop.db, { shopId: shop.id, poolId: pool.id, options: { pattern: "X-####", charset: "digits" }, count: 100 });
    if (planned.type !== "started") throw new Error(`generation not started: ${planned.type}`);
    await deletePool(shop.db, pool.id, { confirmed: false });
    await expect(runGeneration(shop.db, shop.id, planned.importId)).resolves.toEqual({ generated: 0 });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(0);
    expect(await shop.db.codeImport.findUniqueOrThrow({ where: { id: planned.importId } })).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(/pool was deleted/),
    });
  });

  it("GIVEN codes being added to an empty pool WHEN the merchant deletes it unconfirmed THEN the deletion waits for them and asks for confirmation", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, []);
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // Stands for an upload's final insert: it holds the pool's code lock while it adds codes.
    const writer = shop.db.$transaction(async (tx) => {
      await lockPoolCodes(tx, pool.id);
      await tx.code.createMany({ data: ["W1", "W2"].map((code) => ({ shopId: shop.id, poolId: pool.id, code, codeKey: code })) });
      locked();
      await committing;
    });
    await holding;
    const deletion = deletePool(shop.db, pool.id, { confirmed: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    commit();
    await writer;
    expect(await deletion).toEqual({ type: "needs_confirmation", unused: 2 });
    expect(await shop.db.pool.findUniqueOrThrow({ where: { id: pool.id } })).toMatchObject({ deletedAt: null });
  });
});
