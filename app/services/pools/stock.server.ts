// Low-stock alerts: when a pool's available codes fall to its threshold, or the forecast says it runs out within a
// week, the admin shows a banner and the shop's contact address gets one email, once per crossing. The crossing
// is claimed with a conditional update, so concurrent checks send one email between them; a refill that lifts the
// pool back to "ok" clears it for the next crossing. Every change to a pool's stock asks for a check
// (requestStockCheck): issues, uploads, retiring, expiry, and a new threshold.
import type { Mailer } from "../../channels/email/mailer.server";
import type { ShopDb } from "../../db/shop-scope.server";
import { stockLevel, type StockLevel } from "../../domain/pools/forecast";
import { poolStats } from "./pools.server";
import { requestStockCheck } from "./stock-check.server";

export interface StockCheck {
  level: StockLevel;
  available: number;
  daysLeft: number | null;
  alerted: boolean;
  emailed: boolean;
  cleared: boolean;
}

export async function checkPoolStock(
  db: ShopDb,
  shopId: string,
  poolId: string,
  options: { mailer: Mailer | null; now?: Date; appUrl?: string },
): Promise<StockCheck | null> {
  const now = options.now ?? new Date();
  const pool = await db.pool.findFirst({
    where: { id: poolId, deletedAt: null, kind: "STATIC" },
    select: { id: true, name: true, lowStockThreshold: true, lowStockAlertedAt: true },
  });
  if (!pool) return null;
  const stats = (await poolStats(db, shopId, [poolId], now)).get(poolId)!;
  const level = stockLevel({ available: stats.available, threshold: pool.lowStockThreshold, daysLeft: stats.daysLeft });
  const result: StockCheck = { level, available: stats.available, daysLeft: stats.daysLeft, alerted: false, emailed: false, cleared: false };

  if (level === "ok") {
    if (pool.lowStockAlertedAt) {
      await db.pool.updateMany({ where: { id: poolId, lowStockAlertedAt: { not: null } }, data: { lowStockAlertedAt: null } });
      result.cleared = true;
    }
    return result;
  }
  const claimed = await db.pool.updateMany({ where: { id: poolId, lowStockAlertedAt: null }, data: { lowStockAlertedAt: now } });
  if (claimed.count === 0) return result; // already alerted for this crossing
  result.alerted = true;
  const shop = await db.shop.findFirstOrThrow({ select: { contactEmail: true, name: true, domain: true } });
  if (options.mailer && shop.contactEmail) {
    const forecast = stats.daysLeft === null ? "" : ` At the last 7 days' rate it runs out in about ${stats.daysLeft} day(s).`;
    await options.mailer.send({
      to: shop.contactEmail,
      subject: `Promo codes: "${pool.name}" is running low (${stats.available} left)`,
      text:
        `The code pool "${pool.name}" on ${shop.name ?? shop.domain} has ${stats.available} code(s) left.${forecast}\n\n` +
        `Upload or generate more codes so customers keep getting theirs.` +
        (options.appUrl ? `\n\n${options.appUrl}/app/pools/${pool.id}` : ""),
      idempotencyKey: `low-stock-${pool.id}-${now.getTime()}`,
    });
    result.emailed = true;
  }
  return result;
}

/** Pools currently past their low-stock line, for the admin banner. */
export async function lowStockPools(db: ShopDb) {
  return db.pool.findMany({
    where: { deletedAt: null, lowStockAlertedAt: { not: null } },
    select: { id: true, name: true, lowStockAlertedAt: true },
    orderBy: { lowStockAlertedAt: "desc" },
  });
}

/** Marks available codes whose expiry has passed as EXPIRED, pool by pool (codes_expiry_idx serves each). */
export async function expireCodes(db: ShopDb, shopId: string, now = new Date()): Promise<number> {
  const pools = await db.pool.findMany({ where: { deletedAt: null, kind: "STATIC" }, select: { id: true } });
  let expired = 0;
  for (const pool of pools) {
    const result = await db.code.updateMany({
      where: { poolId: pool.id, status: "AVAILABLE", expiresAt: { lte: now } },
      data: { status: "EXPIRED" },
    });
    expired += result.count;
    // Fewer codes left without any issue: the pool may have crossed its line.
    if (result.count > 0) requestStockCheck(shopId, pool.id);
  }
  return expired;
}
