// Getting codes into a pool: uploads (paste, CSV, xlsx, JSON) and generation from a pattern. Each run is a
// code_imports row the admin polls for progress and that ends with the per-line report.
//
// An upload is streamed batch by batch into a staging table of its own, then added to the pool in one statement,
// sorted by key, that skips the codes the pool already has (decision 0021). So a file refused half-way, or an
// upload cut off, adds nothing, and the pool's unique index is written in order. Every write of codes to a static
// pool holds the pool's code lock (code-lock.server.ts), so the skip cannot race another upload or a generation.
import type { CodeImport, Prisma } from "@prisma/client";
import { database } from "../../db.server";
import type { ShopDb } from "../../db/shop-scope.server";
import { isUuid } from "../../domain/ids";
import { GenerationError, generateCodes, planGeneration, type GenerateOptions } from "../../domain/pools/generate";
import {
  parseJsonCodes,
  parseUpload,
  DEFAULT_REPORTED_REJECTIONS,
  UploadRefusedError,
  UploadSummary,
  type ByteSource,
  type ParsedCode,
  type UploadFormat,
  type UploadReport,
} from "../../domain/pools/upload";
import { lockLivePoolCodes, PoolDeletedError } from "./code-lock.server";
import { requestStockCheck } from "./stock-check.server";

export type ImportOutcome =
  | { type: "done"; importId: string; report: UploadReport }
  | { type: "refused"; importId: string; reason: string; message: string }
  | { type: "pool_not_found" };

/** Progress is written at most this often, so a 1M-row upload does not spend its time on bookkeeping. */
const PROGRESS_EVERY_MS = 250;
/** Batches written to the staging table at once, while the next one is parsed. */
const STAGE_WRITERS = 2;

/** The runs the admin's upload card starts, then streams a file or pasted text into. */
export const ADMIN_UPLOAD_SOURCES: ReadonlySet<string> = new Set(["paste", "csv", "xlsx"]);
/** Every run that carries codes from outside: the admin's uploads and the API's JSON. */
const UPLOAD_SOURCES = [...ADMIN_UPLOAD_SOURCES, "json"];

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
  // An id from a URL: PostgreSQL refuses a malformed uuid with an error, where the caller wants "unknown".
  if (!isUuid(importId)) return null;
  return db.codeImport.findFirst({ where: { id: importId } });
}

/** A run of one of the shop's live pools, with the pool's name, for the run's report page; null when unknown. */
export async function getImportOfPool(db: ShopDb, poolId: string, importId: string) {
  if (!isUuid(poolId) || !isUuid(importId)) return null;
  const pool = await db.pool.findFirst({ where: { id: poolId, deletedAt: null }, select: { id: true, name: true, kind: true } });
  if (!pool) return null;
  const run = await db.codeImport.findFirst({ where: { id: importId, poolId: pool.id } });
  return run ? { pool, run } : null;
}

export async function recentImports(db: ShopDb, poolId: string, take = 10) {
  return db.codeImport.findMany({ where: { poolId }, orderBy: { createdAt: "desc" }, take });
}

// Staged batches go straight to the database driver: Prisma's raw-query path left about 110 MB of garbage per
// million codes, which kept a 1M-row upload above 400 MB of memory (bench/suites/pools.ts measured it). shop_id is
// named explicitly, as for all raw SQL.

const IMPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STAGE_PREFIX = "code_upload_";

/** The upload's staging table: unlogged (a crash loses only uploads that were still running), dropped at the end. */
export function stageTable(importId: string): string {
  if (!IMPORT_ID.test(importId)) throw new Error(`Not an upload id: ${importId}`);
  return STAGE_PREFIX + importId.replaceAll("-", "");
}

function importIdOfStage(table: string): string | null {
  const hex = table.slice(STAGE_PREFIX.length);
  if (!table.startsWith(STAGE_PREFIX) || !/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Another request is already sending this upload: its staging table exists. */
export class UploadAlreadyStartedError extends Error {
  constructor(importId: string) {
    super(`Upload ${importId} is already being sent.`);
    this.name = "UploadAlreadyStartedError";
  }
}

/** Creates the upload's staging table; it existing already means a second request for the same upload. */
async function createStage(table: string, importId: string): Promise<void> {
  try {
    await database().execScript(
      `CREATE UNLOGGED TABLE ${table} (line int NOT NULL, code text NOT NULL, expires_at timestamp(3), discount int, tag text, in_use boolean NOT NULL)`,
    );
  } catch (error) {
    // 42P07: the table exists. Two sessions creating it at the same moment collide on its row type instead
    // (42710), or on the catalog's unique index (23505).
    const code = (error as { code?: unknown }).code;
    if (code === "42P07" || code === "42710" || code === "23505") throw new UploadAlreadyStartedError(importId);
    throw error;
  }
}

async function dropStage(table: string): Promise<void> {
  await database().execScript(`DROP TABLE IF EXISTS ${table}`);
}

/** An upload's staging table, and whether any line staged in it flags its code in use. */
interface Stage {
  table: string;
  inUse: boolean;
}

/**
 * Appends one parsed batch to the staging table. The file is de-duplicated in memory, so keys are unique here. A
 * batch with no per-code fields (the common file: one code per line) sends two arrays instead of six, which halves
 * the time staging takes (measured on this machine: 0.62 s against 1.15 s per million codes, two writers).
 */
async function stageCodes(stage: Stage, codes: ParsedCode[]): Promise<void> {
  if (codes.length === 0) return;
  const { table } = stage;
  if (!stage.inUse && codes.some((c) => c.inUse)) stage.inUse = true;
  const lines = codes.map((c) => c.line);
  const values = codes.map((c) => c.code);
  if (codes.every((c) => c.expiresAt === null && c.discount === null && c.tag === null && !c.inUse)) {
    await database().query(
      `INSERT INTO ${table} (line, code, in_use) SELECT s.line, s.code, false FROM unnest($1::int[], $2::text[]) AS s(line, code)`,
      [lines, values],
    );
    return;
  }
  await database().query(
    `INSERT INTO ${table} (line, code, expires_at, discount, tag, in_use)
     SELECT * FROM unnest($1::int[], $2::text[], $3::timestamp[], $4::int[], $5::text[], $6::boolean[])`,
    [
      lines,
      values,
      codes.map((c) => (c.expiresAt ? c.expiresAt.toISOString() : null)),
      codes.map((c) => c.discount),
      codes.map((c) => c.tag),
      codes.map((c) => c.inUse),
    ],
  );
}

/** The staged lines whose key the pool already has, first ones (by line) up to `limit`, with their total. */
const POOL_DUPLICATES_SQL = (table: string) => `
  SELECT s.line, s.code, count(*) OVER ()::int AS total
  FROM ${table} s
  WHERE EXISTS (SELECT 1 FROM codes c WHERE c.pool_id = $1::uuid AND c.code_key = upper(s.code))
  ORDER BY s.line
  LIMIT $2`;

/**
 * Of the staged codes the pool does not have yet, those the insert below stores as retired (marked in use) or
 * expired. Run in its transaction, so now() is the insert's; only for files that carry those fields.
 */
const ADDED_STATUSES_SQL = (table: string) => `
  SELECT count(*) FILTER (WHERE s.in_use)::int AS in_use, count(*) FILTER (WHERE NOT s.in_use)::int AS expired
  FROM ${table} s
  WHERE (s.in_use OR s.expires_at <= now())
    AND NOT EXISTS (SELECT 1 FROM codes c WHERE c.pool_id = $1::uuid AND c.code_key = upper(s.code))`;

/**
 * A line flagging a code in use that the pool already holds unused: the merchant says it was used elsewhere, so the
 * pool's code is retired, as the line would have been stored (a code marked in use is never issued). Codes already
 * given out stay with their customer. Issuers skip the rows this locks; a row an issuer is claiming is waited for,
 * then no longer AVAILABLE and left alone.
 */
const RETIRE_STAGED_IN_USE_SQL = (table: string) => `
  UPDATE codes c SET status = 'RETIRED', retired_at = now()
  FROM ${table} s
  WHERE s.in_use AND c.pool_id = $1::uuid AND c.code_key = upper(s.code) AND c.status = 'AVAILABLE'`;

/** Adds the staged codes the pool does not have yet, sorted by key so the unique index is written in order. */
const ADD_STAGED_SQL = (table: string) => `
  INSERT INTO codes (shop_id, pool_id, import_id, code, code_key, status, expires_at, discount, tag, retired_at, created_at)
  SELECT $1::uuid, $2::uuid, $3::uuid, s.code, upper(s.code),
         -- A code whose expiry has already passed arrives expired: listed and counted so, never issued.
         (CASE WHEN s.in_use THEN 'RETIRED' WHEN s.expires_at <= now() THEN 'EXPIRED' ELSE 'AVAILABLE' END)::"CodeStatus",
         s.expires_at, s.discount, s.tag, CASE WHEN s.in_use THEN now() ELSE NULL END, now()
  FROM ${table} s
  WHERE NOT EXISTS (SELECT 1 FROM codes c WHERE c.pool_id = $2::uuid AND c.code_key = upper(s.code))
  ORDER BY upper(s.code)`;

/** A million staged codes take seconds to add, and a concurrent write to the same pool is waited for. */
const ADD_STAGED_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Adds an upload's staged codes to the pool, moves the pool's duplicates into the report and closes the import
 * row, all in one transaction: a process that dies at any point leaves either all of it or none of it (a run still
 * RUNNING is closed as interrupted by the sweep, and nothing of it is in the pool).
 */
async function addStaged(
  db: ShopDb,
  input: { shopId: string; poolId: string; importId: string; stage: Stage },
  summary: UploadSummary,
): Promise<UploadReport> {
  const { shopId, poolId, importId, stage } = input;
  const { table } = stage;
  return db.$transaction(
    async (tx) => {
      await lockLivePoolCodes(tx, shopId, poolId);
      const duplicates = await tx.$queryRawUnsafe<{ line: number; code: string; total: number }[]>(
        POOL_DUPLICATES_SQL(table),
        poolId,
        DEFAULT_REPORTED_REJECTIONS,
      );
      summary.moveToPoolDuplicates(
        duplicates[0]?.total ?? 0,
        duplicates.map((d) => ({ line: d.line, reason: "duplicate_in_pool" as const, value: d.code.slice(0, 100) })),
      );
      if (summary.hasStatusFields) {
        const [statuses] = await tx.$queryRawUnsafe<{ in_use: number; expired: number }[]>(ADDED_STATUSES_SQL(table), poolId);
        summary.setAddedStatuses({ expired: statuses?.expired ?? 0, inUse: statuses?.in_use ?? 0 });
      }
      const report = summary.report();
      if (stage.inUse) await tx.$executeRawUnsafe(RETIRE_STAGED_IN_USE_SQL(table), poolId);
      const added = await tx.$executeRawUnsafe(ADD_STAGED_SQL(table), shopId, poolId, importId);
      if (added !== report.accepted) throw new Error(`Upload ${importId}: added ${added} codes where ${report.accepted} were expected`);
      await tx.codeImport.update({ where: { id: importId }, data: succeeded(report) });
      return report;
    },
    { timeout: ADD_STAGED_TIMEOUT_MS, maxWait: 60_000 },
  );
}

function succeeded(report: UploadReport) {
  return {
    status: "SUCCEEDED" as const,
    finishedAt: new Date(),
    bytesDone: BigInt(report.bytesRead),
    accepted: report.accepted,
    duplicates: report.duplicatesInFile + report.duplicatesInPool,
    rejected: report.rejected,
    report: report as unknown as Prisma.InputJsonValue,
  };
}

async function refuse(db: ShopDb, importId: string, error: { reason: string; message: string }) {
  // Nothing reached the pool: codes are added only once the whole file has been read.
  await db.codeImport.update({
    where: { id: importId },
    data: { status: "FAILED", finishedAt: new Date(), accepted: 0, error: `${error.reason}: ${error.message}` },
  });
}

async function poolIsStatic(db: ShopDb, poolId: string): Promise<boolean> {
  return (await db.pool.count({ where: { id: poolId, deletedAt: null, kind: "STATIC" } })) === 1;
}

/**
 * Streams an upload into its staging table, updating the import row as it goes (`accepted` counts the valid codes
 * read so far), then adds it to the pool and records the report.
 */
export async function importUpload(
  db: ShopDb,
  input: { shopId: string; poolId: string; importId?: string; format: UploadFormat; fileName?: string | null; bytesTotal?: number | null; source: ByteSource; maxBytes?: number },
): Promise<ImportOutcome> {
  if (!(await poolIsStatic(db, input.poolId))) return { type: "pool_not_found" };
  const importId =
    input.importId ??
    (await startImport(db, { shopId: input.shopId, poolId: input.poolId, source: input.format, fileName: input.fileName, bytesTotal: input.bytesTotal })).id;
  return staged(db, { ...input, importId }, async (stage, summary) => {
    let lastProgress = 0;
    const progress = async () => {
      lastProgress = Date.now();
      const partial = summary.report();
      await db.codeImport.update({
        where: { id: importId },
        data: { bytesDone: BigInt(partial.bytesRead), accepted: partial.accepted, duplicates: partial.duplicatesInFile, rejected: partial.rejected },
      });
    };
    // Batches being written while the next one is parsed, oldest first.
    const writing: Promise<void>[] = [];
    try {
      for await (const batch of parseUpload(input.source, { format: input.format, ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}) })) {
        if (writing.length >= STAGE_WRITERS) await writing.shift();
        summary.add(batch);
        const written = stageCodes(stage, batch.accepted);
        // Awaited before a later batch or at the end; until then a failure must not count as unhandled.
        written.catch(() => undefined);
        writing.push(written);
        if (Date.now() - lastProgress > PROGRESS_EVERY_MS) await progress();
      }
    } finally {
      // Whatever is still being written lands (or fails) before the run is closed or its table dropped.
      await Promise.allSettled(writing);
    }
    for (const written of writing) await written;
    // The whole file is read: the admin shows the codes being added.
    await progress();
  });
}

/** JSON bodies from the API: `{"codes": ["A", ...]}` or objects with per-code fields. */
export async function importJson(db: ShopDb, input: { shopId: string; poolId: string; body: unknown }): Promise<ImportOutcome> {
  if (!(await poolIsStatic(db, input.poolId))) return { type: "pool_not_found" };
  const { id: importId } = await startImport(db, { shopId: input.shopId, poolId: input.poolId, source: "json" });
  return staged(db, { ...input, importId }, async (stage, summary) => {
    const batch = parseJsonCodes(input.body);
    summary.add(batch);
    await stageCodes(stage, batch.accepted);
  });
}

/** Runs `read` against a fresh staging table, adds what it staged to the pool, and closes the import row. */
async function staged(
  db: ShopDb,
  input: { shopId: string; poolId: string; importId: string },
  read: (stage: Stage, summary: UploadSummary) => Promise<void>,
): Promise<ImportOutcome> {
  const { importId } = input;
  const table = stageTable(importId);
  const stage: Stage = { table, inUse: false };
  const summary = new UploadSummary();
  // Outside the try: a second request for the same upload neither closes the run nor drops the first one's table.
  await createStage(table, importId);
  try {
    await read(stage, summary);
    const report = await addStaged(db, { ...input, stage }, summary);
    // More codes (or, with in-use lines, fewer): the pool may be back over its line, or under it.
    requestStockCheck(input.shopId, input.poolId);
    return { type: "done", importId, report };
  } catch (error) {
    if (error instanceof UploadRefusedError) {
      await refuse(db, importId, { reason: error.reason, message: error.message });
      return { type: "refused", importId, reason: error.reason, message: error.message };
    }
    if (error instanceof PoolDeletedError) {
      await db.codeImport.update({ where: { id: importId }, data: { status: "FAILED", finishedAt: new Date(), accepted: 0, error: error.message } });
      return { type: "pool_not_found" };
    }
    await db.codeImport
      .update({ where: { id: importId }, data: { status: "FAILED", finishedAt: new Date(), error: (error as Error).message } })
      .catch(() => undefined);
    throw error;
  } finally {
    await dropStage(table).catch(() => undefined);
  }
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

const INSERT_GENERATED_SQL = `
  INSERT INTO codes (shop_id, pool_id, import_id, code, code_key, status, created_at)
  SELECT $1::uuid, $2::uuid, $3::uuid, c.code, upper(c.code), 'AVAILABLE'::"CodeStatus", now()
  FROM unnest($4::text[]) AS c(code)
  ORDER BY upper(c.code)
  ON CONFLICT (pool_id, code_key) DO NOTHING`;

/** Adds one generated batch under the pool's code lock; returns how many were new to the pool. */
async function insertGenerated(db: ShopDb, shopId: string, poolId: string, importId: string, codes: string[]): Promise<number> {
  if (codes.length === 0) return 0;
  return db.$transaction(async (tx) => {
    await lockLivePoolCodes(tx, shopId, poolId);
    return tx.$executeRawUnsafe(INSERT_GENERATED_SQL, shopId, poolId, importId, codes);
  });
}

/** Runs a planned generation. Idempotent on retry: it only generates what is still missing. */
export async function runGeneration(db: ShopDb, shopId: string, importId: string): Promise<{ generated: number }> {
  const run = await db.codeImport.findFirst({ where: { id: importId } });
  if (!run || run.source !== "generate") return { generated: 0 };
  if (run.status === "SUCCEEDED") return { generated: run.accepted };
  const { options, count } = run.params as unknown as { options: GenerateOptions; count: number };
  // By pool first: codes have no index of their own on shop or import.
  const already = await db.code.count({ where: { poolId: run.poolId, importId } });
  let generated = already;
  let lastProgress = 0;
  const isTaken = async (keys: string[]) => {
    const rows = await db.code.findMany({ where: { poolId: run.poolId, codeKey: { in: keys } }, select: { codeKey: true } });
    return new Set(rows.map((r) => r.codeKey));
  };
  try {
    for await (const batch of generateCodes(options, count - already, isTaken)) {
      generated += await insertGenerated(db, shopId, run.poolId, importId, batch);
      if (Date.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        await db.codeImport.update({ where: { id: importId }, data: { itemsDone: generated, accepted: generated } });
      }
    }
  } catch (error) {
    const message = error instanceof GenerationError ? error.message : (error as Error).message;
    await db.codeImport.update({ where: { id: importId }, data: { status: "FAILED", finishedAt: new Date(), error: message, itemsDone: generated, accepted: generated } });
    // A deleted pool stays deleted: retrying the job would only fail again.
    if (error instanceof PoolDeletedError) return { generated };
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
 * Ends upload runs left RUNNING by an interrupted request, so the admin does not show them in progress forever,
 * and drops the staging tables this shop's ended uploads left behind (a process that died mid-upload). Nothing of
 * an interrupted upload reached the pool. Generation and platform sync runs belong to the worker, which retries
 * them, and are left alone.
 */
export async function closeAbandonedUploads(db: ShopDb, now = new Date()): Promise<number> {
  const result = await db.codeImport.updateMany({
    where: {
      status: "RUNNING",
      source: { in: UPLOAD_SOURCES },
      // Progress writes move updatedAt; one left unmoved this long stopped streaming.
      updatedAt: { lt: new Date(now.getTime() - ABANDONED_UPLOAD_MS) },
    },
    data: {
      status: "FAILED",
      finishedAt: now,
      error: "interrupted: the upload stopped before the whole file arrived. No codes were added; upload the file again.",
    },
  });
  await dropEndedStages(db);
  return result.count;
}

/** Staging tables whose upload (of this shop) is no longer running. */
async function dropEndedStages(db: ShopDb): Promise<void> {
  const tables = await database().query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1`,
    [`${STAGE_PREFIX}%`],
  );
  const ids = tables.map((t) => importIdOfStage(t.name)).filter((id): id is string => id !== null);
  if (ids.length === 0) return;
  const ended = await db.codeImport.findMany({ where: { id: { in: ids }, status: { not: "RUNNING" } }, select: { id: true } });
  for (const { id } of ended) await dropStage(stageTable(id));
}
