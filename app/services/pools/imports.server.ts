// Getting codes into a pool: uploads (paste, CSV, xlsx, JSON) streamed batch by batch, and generation from a
// pattern. Each run is a code_imports row the admin polls for progress and that ends with the per-line report.
// Duplicates against the pool are skipped by the unique (pool, code key) index; a file refused half-way has
// the codes it already added removed again, so a refused file adds nothing.
import type { CodeImport, Prisma } from "@prisma/client";
import { database } from "../../db.server";
import type { ShopDb } from "../../db/shop-scope.server";
import { GenerationError, generateCodes, planGeneration, type GenerateOptions } from "../../domain/pools/generate";
import {
  parseJsonCodes,
  parseUpload,
  UploadRefusedError,
  UploadSummary,
  type ByteSource,
  type ParsedCode,
  type UploadBatch,
  type UploadFormat,
  type UploadReport,
} from "../../domain/pools/upload";

export type ImportOutcome =
  | { type: "done"; importId: string; report: UploadReport }
  | { type: "refused"; importId: string; reason: string; message: string }
  | { type: "pool_not_found" };

/** Progress is written at most this often, so a 1M-row upload does not spend its time on bookkeeping. */
const PROGRESS_EVERY_MS = 250;
/**
 * Batches written at once. The file is de-duplicated in memory before it is written, so two batches never hold the
 * same key; a second connection lets PostgreSQL use a second core on the index maintenance that is most of an
 * upload's time (`npm run bench -- pools`), while the next batch is parsed.
 */
const UPLOAD_WRITERS = 2;

export async function startImport(
  db: ShopDb,
  input: { shopId: string; poolId: string; source: string; fileName?: string | null; bytesTotal?: number | null; itemsTotal?: number | null; params?: Prisma.InputJsonValue },
): Promise<CodeImport> {
  return db.codeImport.create({
    data: {
      shopId: input.shopId,
      poolId: input.poolId,
      source: input.source,
      fileName: input.fileName ?? null,
      bytesTotal: input.bytesTotal ?? null,
      itemsTotal: input.itemsTotal ?? null,
      status: "RUNNING",
      ...(input.params === undefined ? {} : { params: input.params }),
    },
  });
}

export async function getImport(db: ShopDb, importId: string) {
  return db.codeImport.findFirst({ where: { id: importId } });
}

export async function recentImports(db: ShopDb, poolId: string, take = 10) {
  return db.codeImport.findMany({ where: { poolId }, orderBy: { createdAt: "desc" }, take });
}

// The bulk insert goes straight to the database driver: Prisma's raw-query path left about 110 MB of garbage per
// million codes, which kept a 1M-row upload above 400 MB of memory (bench/suites/pools.ts measured it). Rows go
// in sorted by key, so the unique index is written in order. shop_id is named explicitly, as for all raw SQL.
const INSERT_CODES_SQL = `
  INSERT INTO codes (shop_id, pool_id, import_id, code, code_key, status, expires_at, discount, tag, retired_at, created_at)
  SELECT $1::uuid, $2::uuid, $3::uuid, c.code, upper(c.code),
         (CASE WHEN c.in_use THEN 'RETIRED' ELSE 'AVAILABLE' END)::"CodeStatus",
         c.expires_at, c.discount, c.tag, CASE WHEN c.in_use THEN now() ELSE NULL END, now()
  FROM unnest($4::text[], $5::timestamp[], $6::int[], $7::text[], $8::boolean[]) AS c(code, expires_at, discount, tag, in_use)
  ORDER BY upper(c.code)
  ON CONFLICT (pool_id, code_key) DO NOTHING
  RETURNING code_key`;

/** Inserts one batch; returns the keys that were new to the pool (the others were already in it). */
async function insertCodes(shopId: string, poolId: string, importId: string, codes: ParsedCode[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await database().query<{ code_key: string }>(INSERT_CODES_SQL, [
    shopId,
    poolId,
    importId,
    codes.map((c) => c.code),
    codes.map((c) => (c.expiresAt ? c.expiresAt.toISOString() : null)),
    codes.map((c) => c.discount),
    codes.map((c) => c.tag),
    codes.map((c) => c.inUse),
  ]);
  return new Set(rows.map((r) => r.code_key));
}

/** Splits a parsed batch into what the pool took and what it already had (reported per line). */
async function storeBatch(db: ShopDb, shopId: string, poolId: string, importId: string, batch: UploadBatch): Promise<UploadBatch> {
  const inserted = await insertCodes(shopId, poolId, importId, batch.accepted);
  if (inserted.size === batch.accepted.length) return batch;
  const accepted: ParsedCode[] = [];
  const rejected = [...batch.rejected];
  for (const code of batch.accepted) {
    if (inserted.has(code.code.toUpperCase())) accepted.push(code);
    else rejected.push({ line: code.line, reason: "duplicate_in_pool", value: code.code.slice(0, 100) });
  }
  return { ...batch, accepted, rejected };
}

async function finish(db: ShopDb, importId: string, report: UploadReport) {
  await db.codeImport.update({
    where: { id: importId },
    data: {
      status: "SUCCEEDED",
      finishedAt: new Date(),
      bytesDone: BigInt(report.bytesRead),
      accepted: report.accepted,
      duplicates: report.duplicatesInFile + report.duplicatesInPool,
      rejected: report.rejected,
      report: report as unknown as Prisma.InputJsonValue,
    },
  });
}

async function refuse(db: ShopDb, poolId: string, importId: string, error: { reason: string; message: string }) {
  // Remove what this run added before the refusal: a refused file adds nothing.
  await db.code.deleteMany({ where: { poolId, importId, status: "AVAILABLE" } });
  await db.codeImport.update({
    where: { id: importId },
    data: { status: "FAILED", finishedAt: new Date(), accepted: 0, error: `${error.reason}: ${error.message}` },
  });
}

async function poolIsStatic(db: ShopDb, poolId: string): Promise<boolean> {
  return (await db.pool.count({ where: { id: poolId, deletedAt: null, kind: "STATIC" } })) === 1;
}

/** Streams an upload into the pool, updating the import row as it goes. */
export async function importUpload(
  db: ShopDb,
  input: { shopId: string; poolId: string; importId?: string; format: UploadFormat; fileName?: string | null; bytesTotal?: number | null; source: ByteSource; maxBytes?: number },
): Promise<ImportOutcome> {
  if (!(await poolIsStatic(db, input.poolId))) return { type: "pool_not_found" };
  const importId =
    input.importId ??
    (await startImport(db, { shopId: input.shopId, poolId: input.poolId, source: input.format, fileName: input.fileName, bytesTotal: input.bytesTotal })).id;
  const summary = new UploadSummary();
  let lastProgress = 0;
  // Batches being written, oldest first; counted in file order as each one lands.
  const writing: Promise<UploadBatch>[] = [];
  const landOldest = async () => {
    const batch = await writing.shift()!;
    summary.add(batch);
    if (Date.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      const partial = summary.report();
      await db.codeImport.update({
        where: { id: importId },
        data: { bytesDone: BigInt(batch.bytesRead), accepted: partial.accepted, duplicates: partial.duplicatesInFile + partial.duplicatesInPool, rejected: partial.rejected },
      });
    }
  };
  try {
    for await (const batch of parseUpload(input.source, { format: input.format, ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}) })) {
      const stored = storeBatch(db, input.shopId, input.poolId, importId, batch);
      // Awaited in landOldest; until then a failure must not count as unhandled.
      stored.catch(() => undefined);
      writing.push(stored);
      if (writing.length >= UPLOAD_WRITERS) await landOldest();
    }
    while (writing.length > 0) await landOldest();
  } catch (error) {
    // Whatever is still being written lands (or fails) before the run is closed or its codes removed.
    await Promise.allSettled(writing);
    if (error instanceof UploadRefusedError) {
      await refuse(db, input.poolId, importId, { reason: error.reason, message: error.message });
      return { type: "refused", importId, reason: error.reason, message: error.message };
    }
    await db.codeImport
      .update({ where: { id: importId }, data: { status: "FAILED", finishedAt: new Date(), error: (error as Error).message } })
      .catch(() => undefined);
    throw error;
  }
  const report = summary.report();
  await finish(db, importId, report);
  return { type: "done", importId, report };
}

/** JSON bodies from the API: `{"codes": ["A", ...]}` or objects with per-code fields. */
export async function importJson(db: ShopDb, input: { shopId: string; poolId: string; body: unknown }): Promise<ImportOutcome> {
  if (!(await poolIsStatic(db, input.poolId))) return { type: "pool_not_found" };
  const { id: importId } = await startImport(db, { shopId: input.shopId, poolId: input.poolId, source: "json" });
  let batch;
  try {
    batch = parseJsonCodes(input.body);
  } catch (error) {
    if (error instanceof UploadRefusedError) {
      await refuse(db, input.poolId, importId, { reason: error.reason, message: error.message });
      return { type: "refused", importId, reason: error.reason, message: error.message };
    }
    throw error;
  }
  const report = new UploadSummary().add(await storeBatch(db, input.shopId, input.poolId, importId, batch)).report();
  await finish(db, importId, report);
  return { type: "done", importId, report };
}

// ---------------------------------------------------------------------------------------------------------------
// Generation

export type GenerationStart =
  | { type: "started"; importId: string; message: string }
  | { type: "refused"; message: string }
  | { type: "pool_not_found" };

/** Checks that `count` codes fit the pattern next to the pool's codes and records the run; the worker generates. */
export async function planPoolGeneration(
  db: ShopDb,
  input: { shopId: string; poolId: string; options: GenerateOptions; count: number },
): Promise<GenerationStart> {
  if (!(await poolIsStatic(db, input.poolId))) return { type: "pool_not_found" };
  const existing = await db.code.count({ where: { poolId: input.poolId } });
  let plan;
  try {
    plan = planGeneration(input.options, input.count, existing);
  } catch (error) {
    if (error instanceof GenerationError) return { type: "refused", message: error.message };
    throw error;
  }
  const run = await startImport(db, {
    shopId: input.shopId,
    poolId: input.poolId,
    source: "generate",
    itemsTotal: input.count,
    params: { options: input.options, count: input.count } as unknown as Prisma.InputJsonValue,
  });
  return { type: "started", importId: run.id, message: plan.message };
}

/** Runs a planned generation. Idempotent on retry: it only generates what is still missing. */
export async function runGeneration(db: ShopDb, shopId: string, importId: string): Promise<{ generated: number }> {
  const run = await db.codeImport.findFirst({ where: { id: importId } });
  if (!run || run.source !== "generate") return { generated: 0 };
  if (run.status === "SUCCEEDED") return { generated: run.accepted };
  const { options, count } = run.params as unknown as { options: GenerateOptions; count: number };
  const already = await db.code.count({ where: { importId } });
  let generated = already;
  let lastProgress = 0;
  const isTaken = async (keys: string[]) => {
    const rows = await db.code.findMany({ where: { poolId: run.poolId, codeKey: { in: keys } }, select: { codeKey: true } });
    return new Set(rows.map((r) => r.codeKey));
  };
  try {
    for await (const batch of generateCodes(options, count - already, isTaken)) {
      const parsed: ParsedCode[] = batch.map((code, i) => ({ line: i + 1, code, expiresAt: null, discount: null, tag: null, inUse: false }));
      generated += (await insertCodes(shopId, run.poolId, importId, parsed)).size;
      if (Date.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        await db.codeImport.update({ where: { id: importId }, data: { itemsDone: generated, accepted: generated } });
      }
    }
  } catch (error) {
    const message = error instanceof GenerationError ? error.message : (error as Error).message;
    await db.codeImport.update({ where: { id: importId }, data: { status: "FAILED", finishedAt: new Date(), error: message, itemsDone: generated, accepted: generated } });
    throw error;
  }
  await db.codeImport.update({
    where: { id: importId },
    data: { status: "SUCCEEDED", finishedAt: new Date(), itemsDone: generated, accepted: generated },
  });
  return { generated };
}

/** An upload that made no progress for this long was cut off (browser closed, web process restarted). */
export const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Ends upload runs left RUNNING by an interrupted request, so the admin does not show them in progress forever.
 * Codes they added stay (uploading the file again skips them as duplicates). Generation and platform sync runs
 * belong to the worker, which retries them, and are left alone.
 */
export async function closeAbandonedUploads(db: ShopDb, now = new Date()): Promise<number> {
  const result = await db.codeImport.updateMany({
    where: {
      status: "RUNNING",
      source: { in: ["paste", "csv", "xlsx", "json"] },
      createdAt: { lt: new Date(now.getTime() - ABANDONED_UPLOAD_MS) },
    },
    data: {
      status: "FAILED",
      finishedAt: now,
      error: "interrupted: the upload stopped before the whole file arrived. Codes it added are kept; upload the file again to add the rest.",
    },
  });
  return result.count;
}
