// Low-stock alerts: when a pool's available codes fall to its threshold, or the forecast says it runs out within a
// week, the admin shows a banner and the shop's contact address gets one email, once per crossing. The crossing
// is claimed with a conditional update, so concurrent checks send one email between them; a refill that lifts the
// pool back to "ok" clears it for the next crossing.
import type { Mailer } from "../../channels/email/mailer.server";
import type { ShopDb } from "../../db/shop-scope.server";
import { stockLevel, type StockLevel } from "../../domain/pools/forecast";
import { enqueue } from "../../jobs/enqueue.server";
import { poolStats } from "./pools.server";

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

/**
 * Asks the worker to re-check a pool soon. Debounced per pool (many issues in a burst make one check) and never
 * in the way of the caller: a Redis hiccup only delays the alert to the next check.
 */
const lastRequested = new Map<string, number>();
const REQUEST_AT_MOST_EVERY_MS = 1_000;

export function requestStockCheck(shopId: string, poolId: string, now = Date.now()): void {
  // In-process debounce first: a burst of issues costs one Redis round trip per pool per second, not one each.
  if (now - (lastRequested.get(poolId) ?? 0) < REQUEST_AT_MOST_EVERY_MS) return;
  lastRequested.set(poolId, now);
  if (lastRequested.size > 10_000) lastRequested.clear();
  enqueue(
    "pools",
    "checkStock",
    { shopId, poolId },
    { delay: 2_000, deduplication: { id: `stock-${poolId}`, ttl: 2_000 } },
  ).catch(() => undefined);
}

/** Marks available codes whose expiry has passed as EXPIRED. */
export async function expireCodes(db: ShopDb, now = new Date()): Promise<number> {
  const result = await db.code.updateMany({ where: { status: "AVAILABLE", expiresAt: { lte: now } }, data: { status: "EXPIRED" } });
  return result.count;
}
