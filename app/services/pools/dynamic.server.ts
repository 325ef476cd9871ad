// Dynamic codes, issued exactly once. A dynamic pool never runs out: each issue creates a unique code on the
// store's platform. The intended code is recorded first (a PENDING code row and its issuance, with the caller's
// idempotency key) and only then is the platform asked to create it. Whatever happens next, the record says
// which code was meant: a retry (same key, or a later issue for the same customer and pool) first asks the
// platform whether that code already exists and adopts it, and creates it only when it does not. The platform
// refuses a code text it already holds, so two attempts racing with the same code can never make two discounts.
// See docs/decisions/0008-dynamic-codes-exactly-once.md.
import type { Prisma } from "@prisma/client";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import { buildDynamicCodeSpec, drawDynamicCode, parseDynamicSettings, type DynamicPoolSettings } from "../../domain/pools/dynamic";
import { normaliseCodeKey } from "../../domain/pools/code-rules";
import { RetriablePlatformError } from "../../platforms/errors";
import type { CreateCodeResult, DiscountPlatform, DynamicCodeSpec } from "../../platforms/port";
import { storePlatform } from "../shops.server";
import { differentRequest, requestHashToStore } from "./idempotency";
import type { IssueInput, IssueResult } from "./issue.server";

export type DynamicRefusalReason =
  | "settings_invalid"
  | "customer_not_found"
  | "no_triggered_products"
  | "too_many_products"
  | "pool_expired"
  | "code_taken"
  | "target_gone"
  | "customer_gone"
  | "invalid_value";

export interface DynamicOptions {
  /** The shop's platform adapter; by default the registry's (jobs reach Shopify with the offline session). */
  platform?: DiscountPlatform;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Transport failures (5xx, timeouts, lost responses) retried here, each after looking the code up. */
  maxTransportRetries?: number;
  /** Codes the platform reports as taken by someone else, replaced by fresh ones before giving up. */
  maxCollisions?: number;
}

export interface DynamicPool {
  id: string;
  name: string;
  dynamicConfig: Prisma.JsonValue;
}

/** A recorded attempt: the code row and the issuance that names it. */
interface Attempt {
  codeId: bigint;
  issuanceId: bigint;
  poolId: string;
  code: string;
  status: string;
  platformRef: string | null;
  customerId: string;
  createdAt: Date;
  expiresAt: Date | null;
  issuedAt: Date;
}

const ATTEMPT_SELECT = {
  id: true,
  poolId: true,
  customerId: true,
  createdAt: true,
  code: { select: { id: true, code: true, status: true, platformRef: true, createdAt: true, expiresAt: true } },
} as const;

type IssuanceWithCode = Prisma.IssuanceGetPayload<{ select: typeof ATTEMPT_SELECT }>;

function attemptOf(row: IssuanceWithCode): Attempt | null {
  if (!row.code) return null;
  return {
    codeId: row.code.id,
    issuanceId: row.id,
    poolId: row.poolId,
    code: row.code.code,
    status: row.code.status,
    platformRef: row.code.platformRef,
    customerId: row.customerId,
    createdAt: row.code.createdAt,
    expiresAt: row.code.expiresAt,
    issuedAt: row.createdAt,
  };
}

function issued(attempt: Attempt, replayed: boolean): IssueResult {
  return {
    type: "issued",
    replayed,
    issued: {
      codeId: attempt.codeId.toString(),
      code: attempt.code,
      expiresAt: attempt.expiresAt,
      issuanceId: attempt.issuanceId.toString(),
      kind: "INITIAL",
      issuedAt: attempt.issuedAt,
    },
  };
}

function refused(reason: DynamicRefusalReason, message: string, ids?: string[]): IssueResult {
  return ids ? { type: "dynamic_refused", reason, message, ids } : { type: "dynamic_refused", reason, message };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Issue

export async function issueDynamicCode(
  db: ShopDb,
  input: IssueInput,
  pool: DynamicPool,
  options: DynamicOptions = {},
): Promise<IssueResult> {
  if (input.reissue) return reissueDynamic(db, input);
  const now = options.now ?? (() => new Date());

  const earlier = await earlierAttempt(db, input);
  if (earlier?.type === "conflict") return { type: "idempotency_conflict" };
  if (earlier?.type === "attempt" && earlier.attempt.status !== "PENDING") return issued(earlier.attempt, true);

  const parsed = parseDynamicSettings(pool.dynamicConfig);
  if (parsed.type === "invalid") {
    return refused("settings_invalid", `The pool's settings are not valid: ${Object.values(parsed.errors).join("; ")}`);
  }
  const customer = await db.customer.findFirst({ where: { id: input.customerId }, select: { platformId: true } });
  if (!customer) return refused("customer_not_found", "No such customer in this store");

  const context: SettleContext = {
    db,
    input,
    pool,
    settings: parsed.settings,
    customerPlatformId: customer.platformId,
    platform: options.platform,
    now,
    sleep: options.sleep ?? defaultSleep,
    maxTransportRetries: options.maxTransportRetries ?? 3,
    maxCollisions: options.maxCollisions ?? 5,
  };
  if (earlier?.type === "attempt") return settle(context, earlier.attempt, true);
  return recordAndSettle(context);
}

async function recordAndSettle(ctx: SettleContext): Promise<IssueResult> {
  const recorded = await recordIntent(ctx);
  switch (recorded.type) {
    case "refused":
      return recorded.result;
    case "raced": {
      // Another request with the same key recorded first: settle its attempt (the platform keeps it single).
      const winner = await earlierAttempt(ctx.db, ctx.input);
      if (winner?.type === "conflict") return { type: "idempotency_conflict" };
      if (winner?.type !== "attempt") throw new Error("an idempotency key collided but its issuance is gone");
      return winner.attempt.status === "PENDING" ? settle(ctx, winner.attempt, true) : issued(winner.attempt, true);
    }
    case "recorded":
      return settle(ctx, recorded.attempt, false);
  }
}

type Earlier = { type: "attempt"; attempt: Attempt } | { type: "conflict" } | null;

/**
 * The attempt this request continues: the issuance with its idempotency key, or without a key, this customer's
 * unfinished (PENDING) code from this pool, left by a killed worker or a lost response.
 */
async function earlierAttempt(db: ShopDb, input: IssueInput): Promise<Earlier> {
  if (input.idempotencyKey) {
    const row = await db.issuance.findFirst({
      where: { idempotencyKey: input.idempotencyKey },
      select: { ...ATTEMPT_SELECT, kind: true, requestHash: true },
    });
    if (!row) return null;
    if (differentRequest(row, { ...input, reissue: false })) return { type: "conflict" };
    const attempt = attemptOf(row);
    return attempt ? { type: "attempt", attempt } : null;
  }
  const row = await db.issuance.findFirst({
    where: { poolId: input.poolId, customerId: input.customerId, kind: "INITIAL", code: { status: "PENDING" } },
    orderBy: { id: "asc" },
    select: ATTEMPT_SELECT,
  });
  const attempt = row ? attemptOf(row) : null;
  return attempt ? { type: "attempt", attempt } : null;
}

interface SettleContext {
  db: ShopDb;
  input: IssueInput;
  pool: DynamicPool;
  settings: DynamicPoolSettings;
  customerPlatformId: string;
  platform: DiscountPlatform | undefined;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  maxTransportRetries: number;
  maxCollisions: number;
}

function specFor(ctx: SettleContext, code: string, issuedAt: Date, expiresAt?: Date | null) {
  const result = buildDynamicCodeSpec(ctx.settings, {
    poolId: ctx.pool.id,
    poolName: ctx.pool.name,
    code,
    customerPlatformId: ctx.customerPlatformId,
    triggeredProducts: ctx.input.triggeredProducts ?? [],
    issuedAt,
  });
  if (result.type !== "spec") return result;
  // A resumed attempt keeps the end it was recorded with, even if the pool's expiry was edited meanwhile.
  if (expiresAt !== undefined) result.spec.endsAt = expiresAt;
  // An attempt resumed after its end (a job retried past a short expiry, a key retried after an outage) would make
  // a code that is dead on arrival and still be handed to the customer: nothing is created instead.
  const endsAt = result.spec.endsAt;
  if (endsAt && endsAt.getTime() <= ctx.now().getTime()) {
    return {
      type: "refused",
      reason: "pool_expired",
      message: `This code's validity ended on ${endsAt.toISOString()}, before the store could create it: no code is created`,
    } as const;
  }
  return result;
}

type Recorded = { type: "recorded"; attempt: Attempt } | { type: "raced" } | { type: "refused"; result: IssueResult };

interface RecordedRow {
  code_id: bigint;
  issuance_id: bigint;
}

/**
 * Draws the code and records it (PENDING) with its issuance, before anything is asked of the platform. One
 * statement: atomic on its own, one round trip, and no interactive transaction holding a connection.
 */
async function recordIntent(ctx: SettleContext): Promise<Recorded> {
  const { db, input } = ctx;
  for (let draws = 0; ; draws++) {
    const issuedAt = ctx.now();
    const code = drawDynamicCode(ctx.settings.code);
    const spec = specFor(ctx, code, issuedAt, input.expiresAt);
    if (spec.type === "refused") return { type: "refused", result: refused(spec.reason, spec.message) };
    const expiresAt = spec.spec.endsAt;
    try {
      const rows = await db.$queryRaw<RecordedRow[]>`
        WITH code AS (
          INSERT INTO codes (shop_id, pool_id, code, code_key, status, customer_id, expires_at, created_at)
          VALUES (${input.shopId}::uuid, ${input.poolId}::uuid, ${code}, ${normaliseCodeKey(code)}, 'PENDING',
                  ${input.customerId}::uuid, ${expiresAt}, ${issuedAt})
          RETURNING id
        )
        INSERT INTO issuances (shop_id, pool_id, code_id, customer_id, kind, idempotency_key, request_hash, source, created_at)
        SELECT ${input.shopId}::uuid, ${input.poolId}::uuid, code.id, ${input.customerId}::uuid, 'INITIAL',
               ${input.idempotencyKey ?? null}, ${requestHashToStore(input)}, ${input.source ?? null}, ${issuedAt}
        FROM code
        RETURNING code_id, id AS issuance_id`;
      const row = rows[0];
      if (!row) throw new Error("recording a dynamic code returned no row");
      return {
        type: "recorded",
        attempt: {
          codeId: row.code_id,
          issuanceId: row.issuance_id,
          poolId: input.poolId,
          code,
          status: "PENDING",
          platformRef: null,
          customerId: input.customerId,
          createdAt: issuedAt,
          expiresAt,
          issuedAt,
        },
      };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (input.idempotencyKey && (await db.issuance.count({ where: { idempotencyKey: input.idempotencyKey } })) > 0) {
        return { type: "raced" };
      }
      // The pool already holds this code text: draw another (the space makes this rare; a few tries suffice).
      if (draws >= ctx.maxCollisions) throw error;
    }
  }
}

/**
 * Brings a recorded attempt to an end: ASSIGNED with the platform's reference, or removed with a typed refusal.
 * A resumed attempt is looked up before anything is created.
 */
async function settle(ctx: SettleContext, start: Attempt, resumed: boolean): Promise<IssueResult> {
  const platform = ctx.platform ?? (await storePlatform(ctx.db));
  let attempt = start;
  if (resumed) {
    const ref = await ownedRef(ctx.db, platform, attempt);
    if (ref) return confirm(ctx, platform, attempt, ref, true);
  }
  let transportFailures = 0;
  let collisions = 0;
  for (;;) {
    const spec = specFor(ctx, attempt.code, attempt.createdAt, attempt.expiresAt);
    if (spec.type === "refused") {
      await discard(ctx.db, attempt);
      return refused(spec.reason, spec.message);
    }
    const live = await markInFlight(ctx, attempt);
    if (live.type === "settled") return issued(live.attempt, true);
    // The stale sweep discarded it before this attempt could mark it: nothing was created, so start afresh.
    if (live.type === "gone") return recordAndSettle(ctx);
    let result: CreateCodeResult;
    try {
      result = await platform.createDynamicCode(spec.spec);
    } catch (error) {
      // Shopify may have created the code before the answer was lost: look before trying again. Past the last
      // retry the attempt stays PENDING for the next one (a job retry, or the same key again).
      if (!(error instanceof RetriablePlatformError) || transportFailures >= ctx.maxTransportRetries) throw error;
      transportFailures += 1;
      await ctx.sleep(250 * 2 ** (transportFailures - 1));
      const ref = await ownedRef(ctx.db, platform, attempt);
      if (ref) return confirm(ctx, platform, attempt, ref, resumed);
      continue;
    }
    switch (result.type) {
      case "created":
        return confirm(ctx, platform, attempt, result.platformRef, resumed);
      case "code_taken": {
        // Taken by our own earlier (or concurrent) attempt, or by someone else's discount.
        const ref = await ownedRef(ctx.db, platform, attempt);
        if (ref) return confirm(ctx, platform, attempt, ref, resumed);
        collisions += 1;
        if (collisions > ctx.maxCollisions) {
          await discard(ctx.db, attempt);
          return refused("code_taken", `The store kept reporting fresh codes as taken (${collisions} tries); no code was created`);
        }
        const next = await replaceCode(ctx, attempt, spec.spec);
        if (next.status !== "PENDING") return issued(next, true);
        attempt = next;
        continue;
      }
      case "target_gone":
        await discard(ctx.db, attempt);
        return refused("target_gone", `The store no longer has some of the products or collections the code applies to: ${result.ids.join(", ")}`, result.ids);
      case "customer_gone":
        await discard(ctx.db, attempt);
        return refused("customer_gone", "The store no longer has this customer, so a code restricted to them cannot be created");
      case "invalid":
        await discard(ctx.db, attempt);
        return refused("invalid_value", `The store refused the code's settings: ${result.message}`);
    }
  }
}

/**
 * The platform reference of this attempt's code, when the platform holds it as one of ours. Our own codes in
 * other dynamic pools are told apart here: the platform only knows the text, and another row with the same text
 * owns whatever the platform holds under it.
 */
async function ownedRef(db: ShopDb, platform: DiscountPlatform, attempt: Attempt): Promise<string | null> {
  const found = await platform.findCode(attempt.code, { poolId: attempt.poolId });
  if (!found) return null;
  const dynamicPools = await db.pool.findMany({ where: { kind: "DYNAMIC" }, select: { id: true } });
  const other = await db.code.findFirst({
    where: { poolId: { in: dynamicPools.map((p) => p.id) }, codeKey: normaliseCodeKey(attempt.code), id: { not: attempt.codeId } },
    select: { id: true },
  });
  return other ? null : found.platformRef;
}

/**
 * Marks a PENDING attempt as in flight just before the platform is asked: `assigned_at` of a PENDING dynamic row
 * is when its latest create began (confirm overwrites it with the moment it was assigned). The stale sweep judges
 * staleness by it, so an attempt resumed long after it was recorded is not discarded while its create runs.
 */
async function markInFlight(
  ctx: SettleContext,
  attempt: Attempt,
): Promise<{ type: "marked" } | { type: "settled"; attempt: Attempt } | { type: "gone" }> {
  const updated = await ctx.db.code.updateMany({ where: { id: attempt.codeId, status: "PENDING" }, data: { assignedAt: ctx.now() } });
  if (updated.count === 1) return { type: "marked" };
  const row = await ctx.db.issuance.findFirst({ where: { id: attempt.issuanceId }, select: ATTEMPT_SELECT });
  const now = row ? attemptOf(row) : null;
  if (!now) return { type: "gone" };
  // A concurrent attempt with the same key settled it meanwhile.
  return now.status === "PENDING" ? { type: "marked" } : { type: "settled", attempt: now };
}

async function confirm(ctx: SettleContext, platform: DiscountPlatform, attempt: Attempt, platformRef: string, replayed: boolean): Promise<IssueResult> {
  const updated = await ctx.db.code.updateMany({
    where: { id: attempt.codeId, status: "PENDING" },
    data: { status: "ASSIGNED", platformRef, assignedAt: ctx.now() },
  });
  if (updated.count === 0) {
    // A concurrent attempt with the same key confirmed it first.
    const row = await ctx.db.code.findFirst({ where: { id: attempt.codeId }, select: { status: true, platformRef: true } });
    if (!row) {
      // The attempt was discarded while the platform created its code. Never leave a discount nobody tracks:
      // revoke it, then issue afresh (a new record, a new code).
      await platform.revokeCode(platformRef);
      return recordAndSettle(ctx);
    }
    if (row.status === "PENDING") throw new Error(`dynamic code ${attempt.codeId} changed while being confirmed`);
  }
  return issued({ ...attempt, status: "ASSIGNED", platformRef }, replayed);
}

/** Replaces a code someone else holds on the platform by a fresh one, unless a concurrent attempt moved on. */
async function replaceCode(ctx: SettleContext, attempt: Attempt, spec: DynamicCodeSpec): Promise<Attempt> {
  for (let draws = 0; ; draws++) {
    const code = drawDynamicCode(ctx.settings.code);
    if (code === spec.code) continue;
    try {
      const updated = await ctx.db.code.updateMany({
        where: { id: attempt.codeId, code: attempt.code, status: "PENDING" },
        data: { code, codeKey: normaliseCodeKey(code) },
      });
      if (updated.count === 1) return { ...attempt, code };
    } catch (error) {
      if (!isUniqueViolation(error) || draws >= ctx.maxCollisions) throw error;
      continue;
    }
    const row = await ctx.db.issuance.findFirst({ where: { id: attempt.issuanceId }, select: ATTEMPT_SELECT });
    const now = row ? attemptOf(row) : null;
    if (!now) throw new Error(`dynamic code ${attempt.codeId} disappeared while its code was replaced`);
    return now;
  }
}

/** A refused attempt leaves nothing behind: the platform created nothing, and the key may be used again. */
async function discard(db: ShopDb, attempt: Attempt): Promise<void> {
  await db.$transaction([
    db.issuance.deleteMany({ where: { id: attempt.issuanceId } }),
    db.code.deleteMany({ where: { id: attempt.codeId, status: "PENDING" } }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Stale attempts

/**
 * A PENDING code older than this belongs to an attempt nobody is finishing (a caller without an idempotency key
 * that gave up after a lost response or a killed worker, and never issued to that customer again). Live attempts
 * settle in seconds, and job retries come back within minutes.
 */
export const STALE_PENDING_MS = 60 * 60_000;

export interface ReconcileOptions {
  platform?: DiscountPlatform;
  now?: Date;
  staleMs?: number;
  /** Attempts looked at per run: each is one lookup on the platform. */
  limit?: number;
}

/**
 * Settles stale attempts without creating anything: a code the platform holds as ours becomes Assigned to its
 * customer (it exists and works at checkout); one it does not hold is discarded with its issuance, as a refused
 * attempt would be. The per-minute sweep runs it for every shop; a shop without stale attempts costs two reads.
 */
export async function reconcileStalePendingCodes(db: ShopDb, options: ReconcileOptions = {}): Promise<{ confirmed: number; discarded: number }> {
  const done = { confirmed: 0, discarded: 0 };
  const now = options.now ?? new Date();
  const pools = await db.pool.findMany({ where: { kind: "DYNAMIC" }, select: { id: true } });
  if (pools.length === 0) return done;
  // codes (pool_id, status) finds them; codes has no shop_id index of its own. A PENDING row's assigned_at is when
  // its latest create began (markInFlight); a row never tried has only its created_at.
  const cutoff = new Date(now.getTime() - (options.staleMs ?? STALE_PENDING_MS));
  const stale = await db.code.findMany({
    where: {
      poolId: { in: pools.map((p) => p.id) },
      status: "PENDING",
      OR: [{ assignedAt: null, createdAt: { lt: cutoff } }, { assignedAt: { lt: cutoff } }],
    },
    select: { id: true },
    orderBy: { id: "asc" },
    take: options.limit ?? 50,
  });
  if (stale.length === 0) return done;
  const rows = await db.issuance.findMany({ where: { codeId: { in: stale.map((c) => c.id) }, kind: "INITIAL" }, select: ATTEMPT_SELECT });
  const platform = options.platform ?? (await storePlatform(db));
  for (const row of rows) {
    const attempt = attemptOf(row);
    if (!attempt || attempt.status !== "PENDING") continue;
    const ref = await ownedRef(db, platform, attempt);
    if (ref) {
      const updated = await db.code.updateMany({ where: { id: attempt.codeId, status: "PENDING" }, data: { status: "ASSIGNED", platformRef: ref, assignedAt: now } });
      done.confirmed += updated.count;
    } else {
      done.discarded += await discardIfStale(db, attempt, cutoff);
    }
  }
  return done;
}

/**
 * Discards a stale attempt only if it is still PENDING and still stale when deleted: an attempt resumed while the
 * sweep looked it up has marked itself in flight (markInFlight) and is left to finish. One statement, so the check
 * and the delete cannot be split by a resumed attempt.
 */
async function discardIfStale(db: ShopDb, attempt: Attempt, cutoff: Date): Promise<number> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    WITH gone AS (
      DELETE FROM codes
      WHERE id = ${attempt.codeId} AND status = 'PENDING' AND COALESCE(assigned_at, created_at) < ${cutoff}
      RETURNING id
    )
    DELETE FROM issuances WHERE id = ${attempt.issuanceId} AND code_id IN (SELECT id FROM gone)
    RETURNING id`;
  return rows.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Reissue

/**
 * The customer's last code from this pool, recorded again as a reissue; never a fresh code. Codes still being
 * created and revoked codes (retired, or redeemed and then revoked) are not given again.
 */
async function reissueDynamic(db: ShopDb, input: IssueInput): Promise<IssueResult> {
  const last = await db.issuance.findFirst({
    where: { poolId: input.poolId, customerId: input.customerId, code: { status: { notIn: ["PENDING", "RETIRED"] }, retiredAt: null } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { code: { select: { id: true } } },
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
    select: { id: true, createdAt: true, code: { select: { id: true, code: true, expiresAt: true } } },
  });
  return {
    type: "issued",
    replayed: false,
    issued: {
      codeId: row.code!.id.toString(),
      code: row.code!.code,
      expiresAt: row.code!.expiresAt,
      issuanceId: row.id.toString(),
      kind: "REISSUE",
      issuedAt: row.createdAt,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Revoke

export type RevokeSkipReason = "not_in_pool" | "pending" | "redeemed" | "already_retired" | "expired";

export interface RevokeResult {
  revoked: string[];
  skipped: { code: string; reason: RevokeSkipReason }[];
}

const SKIP_BY_STATUS: Record<string, RevokeSkipReason> = {
  PENDING: "pending",
  REDEEMED: "redeemed",
  RETIRED: "already_retired",
  EXPIRED: "expired",
  AVAILABLE: "already_retired",
};

/**
 * Whether a dynamic code still works on the platform and can be revoked: given out, or redeemed and not yet revoked.
 * A redeemed code is not spent: it may allow more uses (usage limit above 1, or none), and a cancelled order gives
 * its use back, so the merchant must still be able to stop it.
 */
export function isRevocable<C extends { status: string; retiredAt: Date | null; platformRef: string | null }>(
  code: C,
): code is C & { platformRef: string } {
  if (!code.platformRef) return false;
  return code.status === "ASSIGNED" || (code.status === "REDEEMED" && code.retiredAt === null);
}

/**
 * Revokes given dynamic codes: the platform stops accepting each one (revokeCode), then the row is retired. The
 * platform goes first, so a failure part-way leaves the row ASSIGNED and revoking again finishes the job.
 */
export async function revokeDynamicCodes(
  db: ShopDb,
  poolId: string,
  which: { codes?: string[]; codeIds?: string[] },
  options: { platform?: DiscountPlatform; now?: () => Date } = {},
): Promise<RevokeResult> {
  const filters: Prisma.CodeWhereInput[] = [];
  if (which.codes?.length) filters.push({ codeKey: { in: which.codes.map(normaliseCodeKey) } });
  if (which.codeIds?.length) filters.push({ id: { in: which.codeIds.map((id) => BigInt(id)) } });
  if (filters.length === 0) return { revoked: [], skipped: [] };
  const rows = await db.code.findMany({
    where: { poolId, pool: { kind: "DYNAMIC" }, OR: filters },
    select: { id: true, code: true, codeKey: true, status: true, platformRef: true, retiredAt: true },
  });
  const result: RevokeResult = { revoked: [], skipped: [] };
  const found = new Set(rows.map((r) => r.codeKey));
  for (const code of which.codes ?? []) {
    if (!found.has(normaliseCodeKey(code))) result.skipped.push({ code, reason: "not_in_pool" });
  }
  let platform = options.platform;
  for (const row of rows) {
    if (!isRevocable(row)) {
      const reason = row.status === "REDEEMED" && row.retiredAt ? "already_retired" : SKIP_BY_STATUS[row.status];
      result.skipped.push({ code: row.code, reason: reason ?? "already_retired" });
      continue;
    }
    platform ??= await storePlatform(db);
    await platform.revokeCode(row.platformRef);
    const retiredAt = (options.now ?? (() => new Date()))();
    // A given-out code is retired. A redeemed one stays redeemed (its order used it) and is marked retired, so a
    // cancelled order sends it back to RETIRED, not to its customer (releaseRedemptions). An order redeeming it
    // while the platform was asked moves it from the first case to the second.
    const retired = await db.code.updateMany({ where: { id: row.id, status: "ASSIGNED" }, data: { status: "RETIRED", retiredAt } });
    if (retired.count === 0) {
      await db.code.updateMany({ where: { id: row.id, status: "REDEEMED", retiredAt: null }, data: { retiredAt } });
    }
    result.revoked.push(row.code);
  }
  return result;
}
