// Giving codes out, exactly once. A code is claimed with one UPDATE over the lowest available row that no other
// transaction holds (FOR UPDATE SKIP LOCKED: concurrent issuers never wait on each other and never take the same
// row), and the issuance is recorded in the same transaction, so a process killed between claiming and recording
// rolls back and the code stays available. The idempotency key is unique per shop: a retry returns the code the
// first attempt got. Dynamic pools create each code on the store's platform instead (dynamic.server.ts).
import type { EmptyPoolBehavior, IssuanceKind } from "@prisma/client";
import { database } from "../../db.server";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import { requestSegmentEvaluationIfWatched } from "../segments/triggers.server";
import { issueDynamicCode, type DynamicOptions, type DynamicRefusalReason } from "./dynamic.server";
import { differentRequest, requestHashToStore } from "./idempotency";
import { requestStockCheck } from "./stock-check.server";

export interface IssuedCode {
  codeId: string;
  code: string;
  expiresAt: Date | null;
  issuanceId: string;
  kind: IssuanceKind;
  issuedAt: Date;
}

export type IssueResult =
  | { type: "issued"; issued: IssuedCode; replayed: boolean }
  /** The pool has no code left; what the pool says to do about it. */
  | { type: "pool_empty"; behavior: EmptyPoolBehavior; fallbackCode: string | null }
  /** Reissue for a customer who never got a code from this pool. */
  | { type: "never_issued" }
  | { type: "pool_not_found" }
  /** Static-only operations answer this for a dynamic pool; issueCode itself serves both kinds. */
  | { type: "pool_not_static" }
  /** The idempotency key was used before for another pool, customer or kind of issue. */
  | { type: "idempotency_conflict" }
  /** A dynamic pool could not create the code (nothing was created): why, in words, and the ids at fault. */
  | { type: "dynamic_refused"; reason: DynamicRefusalReason; message: string; ids?: string[] };

export interface IssueInput {
  shopId: string;
  poolId: string;
  customerId: string;
  reissue?: boolean;
  idempotencyKey?: string | null;
  /**
   * With an idempotency key: a fingerprint of everything the caller asked (the API hashes its request). A later
   * call under the same key with another fingerprint is a conflict, not a replay. Null: only the pool, the
   * customer and issue-or-reissue are compared.
   */
  requestHash?: string | null;
  /** api, admin, campaign:<id>, scenario:<id>, broadcast:<id> */
  source?: string | null;
  /** Dynamic pools whose codes apply to the products that made the customer qualify: those products' ids. */
  triggeredProducts?: readonly string[];
  /**
   * Dynamic pools: when this code ends, instead of the pool's own expiry (a scenario action's "valid for N days from
   * execution"). Static codes keep the expiry they were uploaded with.
   */
  expiresAt?: Date | null;
}

/*
 * claimOrderNote: every claim orders by `id + 0`, an expression only codes_available_idx (pool_id, (id + 0)) WHERE
 * status = 'AVAILABLE' provides. With a plain ORDER BY id, PostgreSQL assumes a pool's codes are spread evenly
 * over the table and walks the primary key expecting a match within a few rows; but each pool's codes sit
 * together (uploaded in bulk), so a claim in a later pool read past a million rows (5 s instead of 0.06 ms,
 * measured on the bench database).
 */

interface ClaimedRow {
  id: bigint;
  code: string;
  expires_at: Date | null;
}

interface IssuanceRow {
  id: bigint;
  poolId: string;
  customerId: string;
  kind: IssuanceKind;
  requestHash: string | null;
  createdAt: Date;
  code: { id: bigint; code: string; expiresAt: Date | null; status: string } | null;
}

const ISSUANCE_SELECT = {
  id: true,
  poolId: true,
  customerId: true,
  kind: true,
  requestHash: true,
  createdAt: true,
  code: { select: { id: true, code: true, expiresAt: true, status: true } },
} as const;

function toIssued(row: IssuanceRow): IssuedCode {
  if (!row.code) throw new Error(`issuance ${row.id} lost its code`);
  return {
    codeId: row.code.id.toString(),
    code: row.code.code,
    expiresAt: row.code.expiresAt,
    issuanceId: row.id.toString(),
    kind: row.kind,
    issuedAt: row.createdAt,
  };
}

function replayOf(previous: IssuanceRow, input: IssueInput): IssueResult {
  if (differentRequest(previous, input)) return { type: "idempotency_conflict" };
  return { type: "issued", issued: toIssued(previous), replayed: true };
}

async function replay(db: ShopDb, input: IssueInput): Promise<IssueResult | null> {
  if (!input.idempotencyKey) return null;
  const previous = await db.issuance.findFirst({ where: { idempotencyKey: input.idempotencyKey }, select: ISSUANCE_SELECT });
  // A dynamic code still PENDING is not an answer yet: the dynamic path finishes creating it.
  if (previous?.code?.status === "PENDING") return null;
  return previous ? replayOf(previous, input) : null;
}

/**
 * Issues (or reissues) a code to a customer. `options` only matter for dynamic pools (the platform adapter to
 * create codes with; tests pass their own clock and sleep).
 */
export async function issueCode(db: ShopDb, input: IssueInput, options: DynamicOptions = {}): Promise<IssueResult> {
  const result = await issueCodeOnce(db, input, options);
  // Segments on codes issued ("issued from pool X") see the new code.
  if (result.type === "issued" && !result.replayed && result.issued.kind === "INITIAL") {
    await requestSegmentEvaluationIfWatched(input.shopId, [input.customerId], "codes");
  }
  return result;
}

async function issueCodeOnce(db: ShopDb, input: IssueInput, options: DynamicOptions): Promise<IssueResult> {
  // The common case, no idempotency key and a first issue: one statement, one round trip.
  if (!input.reissue && !input.idempotencyKey) {
    const result = await issueInOneStatement(input);
    if (result.type !== "pool_not_static") return result;
  }

  const replayed = await replay(db, input);
  if (replayed) return replayed;

  const pool = await db.pool.findFirst({
    where: { id: input.poolId, deletedAt: null },
    select: { id: true, name: true, kind: true, emptyBehavior: true, fallbackCode: true, dynamicConfig: true },
  });
  if (!pool) return { type: "pool_not_found" };

  try {
    if (pool.kind === "DYNAMIC") return await issueDynamicCode(db, input, pool, options);
    const result = input.reissue ? await reissue(db, input) : await issueFresh(db, input, pool);
    if (!input.reissue && (result.type === "issued" || result.type === "pool_empty")) requestStockCheck(input.shopId, input.poolId);
    return result;
  } catch (error) {
    // Two requests with one idempotency key raced: the loser's transaction rolled back (its claimed code is
    // available again) and it answers with the winner's code.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const winner = await replay(db, input);
      if (winner) return winner;
    }
    throw error;
  }
}

interface OneStatementRow {
  kind: string;
  empty_behavior: EmptyPoolBehavior;
  fallback_code: string | null;
  code_id: string | null;
  code: string | null;
  expires_at_ms: number | null;
  issuance_id: string | null;
  issued_at_ms: number | null;
}

/**
 * Pool check, claim and issuance record in a single statement: atomic on its own (a crash leaves either all of it
 * or none), and one round trip instead of five, which is what lets many issuers share a pool quickly. It goes
 * straight to the driver (like the upload's bulk insert): through Prisma's raw-query path the client spent more
 * CPU per issue than PostgreSQL did on the statement (`npm run bench -- pools`, issueRatio). Ids come back as
 * text and times as epoch milliseconds, which read the same on pg and PGlite. shop_id is named explicitly.
 */
const ISSUE_ONE_SQL = `
    WITH pool AS (
      SELECT id, kind::text AS kind, empty_behavior, fallback_code FROM pools
      WHERE id = $1::uuid AND shop_id = $2::uuid AND deleted_at IS NULL
    ),
    claimed AS (
      UPDATE codes SET status = 'ASSIGNED', customer_id = $3::uuid, assigned_at = now()
      WHERE id = (
        -- The pool id is a constant here (not a join), so the planner walks codes_available_idx for this pool.
        SELECT c.id FROM codes c
        WHERE c.pool_id = $1::uuid AND c.status = 'AVAILABLE' AND c.shop_id = $2::uuid
          AND (c.expires_at IS NULL OR c.expires_at > now())
          AND EXISTS (SELECT 1 FROM pool WHERE pool.kind = 'STATIC')
        ORDER BY c.id + 0 -- served by codes_available_idx, never by the primary key (see claimOrderNote)
        LIMIT 1
        FOR UPDATE OF c SKIP LOCKED
      )
      RETURNING id, code, expires_at
    ),
    recorded AS (
      INSERT INTO issuances (shop_id, pool_id, code_id, customer_id, kind, source, created_at)
      SELECT $2::uuid, $1::uuid, claimed.id, $3::uuid, 'INITIAL', $4::text, now()
      FROM claimed
      RETURNING id, created_at
    )
    SELECT pool.kind, pool.empty_behavior::text AS empty_behavior, pool.fallback_code, claimed.id::text AS code_id, claimed.code,
           (extract(epoch FROM claimed.expires_at) * 1000)::float8 AS expires_at_ms,
           recorded.id::text AS issuance_id, (extract(epoch FROM recorded.created_at) * 1000)::float8 AS issued_at_ms
    FROM pool LEFT JOIN claimed ON true LEFT JOIN recorded ON true`;

async function issueInOneStatement(input: IssueInput): Promise<IssueResult> {
  const rows = await database().query<OneStatementRow>(ISSUE_ONE_SQL, [input.poolId, input.shopId, input.customerId, input.source ?? null]);
  const row = rows[0];
  if (!row) return { type: "pool_not_found" };
  if (row.kind !== "STATIC") return { type: "pool_not_static" };
  requestStockCheck(input.shopId, input.poolId);
  if (row.code_id === null || row.issuance_id === null) {
    return { type: "pool_empty", behavior: row.empty_behavior, fallbackCode: row.fallback_code };
  }
  return {
    type: "issued",
    replayed: false,
    issued: {
      codeId: row.code_id,
      code: row.code!,
      expiresAt: row.expires_at_ms === null ? null : new Date(row.expires_at_ms),
      issuanceId: row.issuance_id,
      kind: "INITIAL",
      issuedAt: new Date(row.issued_at_ms!),
    },
  };
}

async function issueFresh(
  db: ShopDb,
  input: IssueInput,
  pool: { emptyBehavior: EmptyPoolBehavior; fallbackCode: string | null },
): Promise<IssueResult> {
  return db.$transaction(async (tx) => {
    if (input.idempotencyKey) {
      // Requests sharing a key queue up here, so the second sees the first's issuance instead of claiming
      // (or, with every code locked by others, reporting an empty pool).
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${input.shopId}:${input.idempotencyKey}`}, 0))::text AS locked`;
      const previous = await tx.issuance.findFirst({ where: { idempotencyKey: input.idempotencyKey }, select: ISSUANCE_SELECT });
      if (previous) return replayOf(previous, input);
    }
    const claimed = await tx.$queryRaw<ClaimedRow[]>`
      UPDATE codes SET status = 'ASSIGNED', customer_id = ${input.customerId}::uuid, assigned_at = now()
      WHERE id = (
        SELECT id FROM codes
        WHERE pool_id = ${input.poolId}::uuid AND shop_id = ${input.shopId}::uuid AND status = 'AVAILABLE'
          AND (expires_at IS NULL OR expires_at > now())
        ORDER BY id + 0
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, code, expires_at`;
    const row = claimed[0];
    if (!row) return { type: "pool_empty", behavior: pool.emptyBehavior, fallbackCode: pool.fallbackCode };
    const issuance = await tx.issuance.create({
      data: {
        shopId: input.shopId,
        poolId: input.poolId,
        codeId: row.id,
        customerId: input.customerId,
        kind: "INITIAL",
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash: requestHashToStore(input),
        source: input.source ?? null,
      },
      select: { id: true, createdAt: true },
    });
    return {
      type: "issued",
      replayed: false,
      issued: {
        codeId: row.id.toString(),
        code: row.code,
        expiresAt: row.expires_at,
        issuanceId: issuance.id.toString(),
        kind: "INITIAL",
        issuedAt: issuance.createdAt,
      },
    } satisfies IssueResult;
  });
}

/** The last code this customer got from this pool, recorded again as a reissue; never a fresh code. */
async function reissue(db: ShopDb, input: IssueInput): Promise<IssueResult> {
  const last = await db.issuance.findFirst({
    where: { poolId: input.poolId, customerId: input.customerId, codeId: { not: null } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: ISSUANCE_SELECT,
  });
  if (!last?.code) return { type: "never_issued" };
  const row = await db.issuance.create({
    data: {
      shopId: input.shopId,
      poolId: input.poolId,
      codeId: last.code.id,
      customerId: input.customerId,
      kind: "REISSUE",
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: requestHashToStore(input),
      source: input.source ?? null,
    },
    select: ISSUANCE_SELECT,
  });
  return { type: "issued", issued: toIssued(row), replayed: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Batch issue for broadcasts: N recipients get N distinct codes in one statement.

export interface BatchIssueInput {
  shopId: string;
  poolId: string;
  customerIds: string[];
  source?: string | null;
  /** Makes the batch retryable: recipient i's issuance gets the key `${batchKey}:${customerId}`. */
  batchKey?: string | null;
}

export interface BatchIssueResult {
  issued: { customerId: string; codeId: string; code: string; expiresAt: Date | null; replayed: boolean }[];
  /** Recipients left without a code because the pool ran out. */
  unserved: string[];
  pool: { emptyBehavior: EmptyPoolBehavior; fallbackCode: string | null } | null;
}

interface BatchRow {
  customer_id: string;
  code_id: string;
  code: string;
  expires_at_ms: number | null;
}

// $1 pool, $2 shop, $3 recipients (uuid[], in order), $4 idempotency key prefix or null, $5 source.
const ISSUE_BATCH_SQL = `
  WITH claimed AS MATERIALIZED (
    SELECT array_agg(id ORDER BY id) AS ids FROM (
      SELECT id FROM codes
      WHERE pool_id = $1::uuid AND shop_id = $2::uuid AND status = 'AVAILABLE'
        AND (expires_at IS NULL OR expires_at > now())
      ORDER BY id + 0
      LIMIT cardinality($3::uuid[])
      FOR UPDATE SKIP LOCKED
    ) picked
  ),
  -- When codes run short, the first recipients in the caller's order are served. The claimed codes (in id order)
  -- are zipped with those recipients sorted by id: no join to build, and the issuances below are written in both
  -- customer and code order.
  pairs AS (
    SELECT p.code_id, p.customer_id
    FROM claimed,
      unnest(claimed.ids, ARRAY(SELECT c FROM unnest(($3::uuid[])[1:cardinality(claimed.ids)]) AS c ORDER BY c)) AS p(code_id, customer_id)
    WHERE claimed.ids IS NOT NULL
  ),
  assigned AS (
    UPDATE codes SET status = 'ASSIGNED', customer_id = pairs.customer_id, assigned_at = now()
    FROM pairs
    WHERE codes.id = pairs.code_id
    RETURNING codes.id AS code_id, codes.code, codes.expires_at, pairs.customer_id
  ),
  recorded AS (
    INSERT INTO issuances (shop_id, pool_id, code_id, customer_id, kind, idempotency_key, source, created_at)
    SELECT $2::uuid, $1::uuid, code_id, customer_id, 'INITIAL',
           CASE WHEN $4::text IS NULL THEN NULL ELSE $4::text || customer_id::text END,
           $5::text, now()
    FROM assigned
    -- Sorted, each index on issuances is written page after page instead of at random: the customer and
    -- idempotency-key indexes are keyed on random uuids (2.3-2.6 s -> 1.3-1.4 s for 100k rows, docs/decisions/0019).
    ORDER BY code_id
  )
  SELECT customer_id::text AS customer_id, code_id::text AS code_id, code,
         (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms
  FROM assigned`;

export async function issueBatch(db: ShopDb, input: BatchIssueInput): Promise<BatchIssueResult> {
  const pool = await db.pool.findFirst({
    where: { id: input.poolId, deletedAt: null, kind: "STATIC" },
    select: { emptyBehavior: true, fallbackCode: true },
  });
  if (!pool) return { issued: [], unserved: [...input.customerIds], pool: null };
  const recipients = [...new Set(input.customerIds)];

  // A retried batch: recipients who already got their code keep it.
  const already: BatchIssueResult["issued"] = [];
  let pending = recipients;
  if (input.batchKey) {
    const keys = recipients.map((id) => `${input.batchKey}:${id}`);
    const previous = await db.issuance.findMany({
      where: { idempotencyKey: { in: keys } },
      select: { customerId: true, code: { select: { id: true, code: true, expiresAt: true } } },
    });
    const served = new Set<string>();
    for (const p of previous) {
      if (!p.code) continue;
      served.add(p.customerId);
      already.push({ customerId: p.customerId, codeId: p.code.id.toString(), code: p.code.code, expiresAt: p.code.expiresAt, replayed: true });
    }
    pending = recipients.filter((id) => !served.has(id));
  }
  if (pending.length === 0) return { issued: already, unserved: [], pool };

  const keyPrefix = input.batchKey ? `${input.batchKey}:` : null;
  // One statement is one transaction: no interactive transaction around it. It goes straight to the driver with
  // ids as text and times as epoch ms, so 100,000 rows come back without Prisma's per-row conversions.
  const rows = await database().query<BatchRow>(ISSUE_BATCH_SQL, [input.poolId, input.shopId, pending, keyPrefix, input.source ?? null]);
  const served = new Set(rows.map((r) => r.customer_id));
  requestStockCheck(input.shopId, input.poolId);
  await requestSegmentEvaluationIfWatched(input.shopId, [...served], "codes");
  return {
    issued: [
      ...already,
      ...rows.map((r) => ({
        customerId: r.customer_id,
        codeId: r.code_id,
        code: r.code,
        expiresAt: r.expires_at_ms === null ? null : new Date(r.expires_at_ms),
        replayed: false,
      })),
    ],
    unserved: pending.filter((id) => !served.has(id)),
    pool,
  };
}
