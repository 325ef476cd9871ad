// Pools: create, edit, delete (retiring what was never used), list with stock and a depletion forecast.
import type { EmptyPoolBehavior, Pool, PoolKind } from "@prisma/client";
import { z } from "zod";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import { depletionForecast, type DailyCount } from "../../domain/pools/forecast";

export const PoolInput = z
  .object({
    name: z.string().trim().min(1, "Give the pool a name").max(100, "Keep the name under 100 characters"),
    description: z.string().trim().max(1000).optional().nullable(),
    kind: z.enum(["STATIC", "DYNAMIC"]).default("STATIC"),
    lowStockThreshold: z.coerce.number().int().min(0).max(100_000_000).optional().nullable(),
    emptyBehavior: z.enum(["SKIP_MESSAGE", "SEND_FALLBACK", "HOLD_UNTIL_REFILLED"]).default("SKIP_MESSAGE"),
    fallbackCode: z.string().trim().max(255).optional().nullable(),
  })
  .refine((p) => p.emptyBehavior !== "SEND_FALLBACK" || !!p.fallbackCode, {
    path: ["fallbackCode"],
    message: "A fallback code is required when the pool sends one once it is empty",
  });
export type PoolInput = z.input<typeof PoolInput>;

export type PoolWriteResult =
  | { type: "saved"; pool: Pool }
  | { type: "invalid"; errors: Record<string, string> }
  | { type: "name_taken" }
  | { type: "not_found" };

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[issue.path.join(".") || "form"] ??= issue.message;
  return out;
}

export async function createPool(db: ShopDb, shopId: string, input: PoolInput): Promise<PoolWriteResult> {
  const parsed = PoolInput.safeParse(input);
  if (!parsed.success) return { type: "invalid", errors: fieldErrors(parsed.error) };
  try {
    const pool = await db.pool.create({ data: { shopId, ...parsed.data } });
    return { type: "saved", pool };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "name_taken" };
    throw error;
  }
}

export async function updatePool(db: ShopDb, poolId: string, input: PoolInput): Promise<PoolWriteResult> {
  const parsed = PoolInput.safeParse(input);
  if (!parsed.success) return { type: "invalid", errors: fieldErrors(parsed.error) };
  const existing = await db.pool.findFirst({ where: { id: poolId, deletedAt: null }, select: { kind: true } });
  if (!existing) return { type: "not_found" };
  // A pool's kind is fixed once created: its codes were made for it.
  const { kind: _kind, ...data } = parsed.data;
  try {
    const pool = await db.pool.update({ where: { id: poolId }, data });
    return { type: "saved", pool };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "name_taken" };
    throw error;
  }
}

export type DeletePoolResult =
  | { type: "deleted"; retired: number }
  | { type: "needs_confirmation"; unused: number }
  | { type: "not_found" };

/**
 * Deletes a pool. Codes already given out stay (customers hold them, reports count them); codes never given out
 * are retired, not deleted. With unused codes left, the caller must confirm.
 */
export async function deletePool(db: ShopDb, poolId: string, options: { confirmed: boolean }): Promise<DeletePoolResult> {
  const pool = await db.pool.findFirst({ where: { id: poolId, deletedAt: null }, select: { id: true } });
  if (!pool) return { type: "not_found" };
  const unused = await db.code.count({ where: { poolId, status: "AVAILABLE" } });
  if (unused > 0 && !options.confirmed) return { type: "needs_confirmation", unused };
  const [retired] = await db.$transaction([
    db.code.updateMany({ where: { poolId, status: "AVAILABLE" }, data: { status: "RETIRED", retiredAt: new Date() } }),
    db.pool.update({ where: { id: poolId }, data: { deletedAt: new Date() } }),
  ]);
  return { type: "deleted", retired: retired.count };
}

/** Retires unused codes (never the ones given out). Returns how many were retired. */
export async function retireCodes(
  db: ShopDb,
  poolId: string,
  which: { codes?: string[]; codeIds?: string[]; allUnused?: boolean },
): Promise<number> {
  const filters = [];
  if (which.codes?.length) filters.push({ codeKey: { in: which.codes.map((c) => c.trim().toUpperCase()) } });
  if (which.codeIds?.length) filters.push({ id: { in: which.codeIds.map((id) => BigInt(id)) } });
  if (!which.allUnused && filters.length === 0) return 0;
  const result = await db.code.updateMany({
    where: { poolId, status: "AVAILABLE", ...(which.allUnused ? {} : { OR: filters }) },
    data: { status: "RETIRED", retiredAt: new Date() },
  });
  return result.count;
}

// ---------------------------------------------------------------------------------------------------------------
// Stock and forecast

export interface PoolStats {
  total: number;
  available: number;
  assigned: number;
  redeemed: number;
  retired: number;
  expired: number;
  percentRemaining: number | null;
  issuedLast7Days: number;
  /** Days until the pool runs out at the last 7 days' rate; null when nothing was issued in that time. */
  daysLeft: number | null;
  /** Issues per day over the last 30 days, oldest first, for the chart. */
  daily: DailyCount[];
}

interface StatusRow {
  pool_id: string;
  status: string;
  expired: boolean;
  n: bigint;
}

interface DailyRow {
  pool_id: string;
  day: Date;
  n: bigint;
}

export async function poolStats(db: ShopDb, shopId: string, poolIds: string[], now = new Date()): Promise<Map<string, PoolStats>> {
  const out = new Map<string, PoolStats>();
  if (poolIds.length === 0) return out;
  const [statusRows, dailyRows] = await Promise.all([
    db.$queryRaw<StatusRow[]>`
      SELECT pool_id::text AS pool_id, status::text AS status,
             (status = 'AVAILABLE' AND expires_at IS NOT NULL AND expires_at <= ${now}) AS expired, count(*) AS n
      FROM codes WHERE shop_id = ${shopId}::uuid AND pool_id = ANY(${poolIds}::uuid[])
      GROUP BY 1, 2, 3`,
    db.$queryRaw<DailyRow[]>`
      SELECT pool_id::text AS pool_id, date_trunc('day', created_at) AS day, count(*) AS n
      FROM issuances
      WHERE shop_id = ${shopId}::uuid AND pool_id = ANY(${poolIds}::uuid[]) AND kind = 'INITIAL'
        AND created_at > ${new Date(now.getTime() - 30 * 86_400_000)}
      GROUP BY 1, 2`,
  ]);
  for (const id of poolIds) {
    const counts = { AVAILABLE: 0, ASSIGNED: 0, REDEEMED: 0, RETIRED: 0, EXPIRED: 0 } as Record<string, number>;
    for (const r of statusRows.filter((row) => row.pool_id === id)) {
      const key = r.expired ? "EXPIRED" : r.status;
      counts[key] = (counts[key] ?? 0) + Number(r.n);
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const daily = dailyRows.filter((r) => r.pool_id === id).map((r) => ({ day: r.day, count: Number(r.n) }));
    const forecast = depletionForecast({ available: counts.AVAILABLE ?? 0, daily, now });
    const usable = total - (counts.RETIRED ?? 0) - (counts.EXPIRED ?? 0);
    out.set(id, {
      total,
      available: counts.AVAILABLE ?? 0,
      assigned: counts.ASSIGNED ?? 0,
      redeemed: counts.REDEEMED ?? 0,
      retired: counts.RETIRED ?? 0,
      expired: counts.EXPIRED ?? 0,
      percentRemaining: usable > 0 ? Math.round(((counts.AVAILABLE ?? 0) / usable) * 1000) / 10 : null,
      issuedLast7Days: forecast.issuedLast7Days,
      daysLeft: forecast.daysLeft,
      daily: forecast.daily,
    });
  }
  return out;
}

export interface PoolSummary {
  id: string;
  name: string;
  kind: PoolKind;
  description: string | null;
  lowStockThreshold: number | null;
  emptyBehavior: EmptyPoolBehavior;
  fallbackCode: string | null;
  lowStockAlertedAt: Date | null;
  createdAt: Date;
  stats: PoolStats;
}

export async function listPools(db: ShopDb, shopId: string, now = new Date()): Promise<PoolSummary[]> {
  const pools = await db.pool.findMany({ where: { deletedAt: null }, orderBy: { createdAt: "desc" } });
  const stats = await poolStats(db, shopId, pools.map((p) => p.id), now);
  return pools.map((p) => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    description: p.description,
    lowStockThreshold: p.lowStockThreshold,
    emptyBehavior: p.emptyBehavior,
    fallbackCode: p.fallbackCode,
    lowStockAlertedAt: p.lowStockAlertedAt,
    createdAt: p.createdAt,
    stats: stats.get(p.id)!,
  }));
}

export async function getPool(db: ShopDb, shopId: string, poolId: string, now = new Date()): Promise<PoolSummary | null> {
  const pool = await db.pool.findFirst({ where: { id: poolId, deletedAt: null } });
  if (!pool) return null;
  const stats = await poolStats(db, shopId, [pool.id], now);
  return { ...pool, stats: stats.get(pool.id)! };
}

export async function findPoolByName(db: ShopDb, name: string) {
  return db.pool.findFirst({ where: { name: { equals: name, mode: "insensitive" }, deletedAt: null } });
}

/** A page of a pool's codes, newest first, optionally filtered by status or a search on the code. */
export async function listPoolCodes(
  db: ShopDb,
  poolId: string,
  options: { status?: string | null; search?: string | null; take?: number; cursor?: string | null } = {},
) {
  const take = Math.min(options.take ?? 50, 500);
  const rows = await db.code.findMany({
    where: {
      poolId,
      ...(options.status ? { status: options.status as never } : {}),
      ...(options.search ? { codeKey: { contains: options.search.trim().toUpperCase() } } : {}),
      ...(options.cursor ? { id: { lt: BigInt(options.cursor) } } : {}),
    },
    orderBy: { id: "desc" },
    take: take + 1,
    include: { customer: { select: { id: true, email: true, firstName: true, lastName: true } } },
  });
  const page = rows.slice(0, take);
  return { codes: page, nextCursor: rows.length > take ? page[page.length - 1]!.id.toString() : null };
}
