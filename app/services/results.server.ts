// What worked: per campaign, scenario and pool, codes issued, messages delivered, codes redeemed, the redemption
// rate and the revenue of redeeming orders, with a daily series for the chart. A campaign's codes are the
// issuances whose source names it (campaign:<id> for runs, broadcast:<id> for its broadcast); a scenario's,
// scenario:<id>. Revenue counts each redeeming order once, even when it used two of the codes, and net of what was
// refunded on it (docs/decisions/0026).
import type { ShopDb } from "../db/shop-scope.server";
import { NET_ORDER_TOTAL } from "./redemptions.server";

export interface DailyResult {
  day: string;
  issued: number;
  redeemed: number;
}

export interface Results {
  issued: number;
  delivered: number;
  redeemed: number;
  /** redeemed / issued, 0..1; null when nothing was issued. */
  redemptionRate: number | null;
  revenue: string;
  daily: DailyResult[];
}

export type ResultScope =
  | { type: "campaign"; id: string }
  | { type: "scenario"; id: string }
  | { type: "pool"; id: string }
  | { type: "shop" };

const DAY_MS = 86_400_000;

function sources(scope: ResultScope): string[] | null {
  if (scope.type === "campaign") return [`campaign:${scope.id}`, `broadcast:${scope.id}`];
  if (scope.type === "scenario") return [`scenario:${scope.id}`];
  return null;
}

function dayKey(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export async function results(db: ShopDb, shopId: string, scope: ResultScope, options: { days?: number; now?: Date } = {}): Promise<Results> {
  const days = options.days ?? 30;
  const now = options.now ?? new Date();
  const since = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
  const sourceList = sources(scope);
  const poolId = scope.type === "pool" ? scope.id : null;

  // The scope's codes, once: issuances are the one table every kind of result starts from.
  const [totals] = await db.$queryRaw<{ issued: bigint; redeemed: bigint; revenue: string | null }[]>`
    WITH scoped AS (
      SELECT DISTINCT i.code_id FROM issuances i
      WHERE i.shop_id = ${shopId}::uuid AND i.kind = 'INITIAL' AND i.code_id IS NOT NULL
        AND (${sourceList}::text[] IS NULL OR i.source = ANY(${sourceList}::text[]))
        AND (${poolId}::uuid IS NULL OR i.pool_id = ${poolId}::uuid)
    ),
    redeeming AS (
      SELECT DISTINCT r.order_id, ${NET_ORDER_TOTAL} AS order_total, r.code_id FROM redemptions r JOIN scoped s ON s.code_id = r.code_id
      JOIN orders o ON o.id = r.order_id
      WHERE r.shop_id = ${shopId}::uuid AND o.cancelled_at IS NULL
    )
    SELECT (SELECT count(*) FROM scoped) AS issued,
           (SELECT count(DISTINCT code_id) FROM redeeming) AS redeemed,
           (SELECT sum(t.order_total) FROM (SELECT DISTINCT order_id, order_total FROM redeeming) t)::text AS revenue`;

  const daily = await db.$queryRaw<{ day: Date; issued: bigint; redeemed: bigint }[]>`
    WITH scoped AS (
      SELECT i.code_id, i.created_at FROM issuances i
      WHERE i.shop_id = ${shopId}::uuid AND i.kind = 'INITIAL' AND i.code_id IS NOT NULL
        AND (${sourceList}::text[] IS NULL OR i.source = ANY(${sourceList}::text[]))
        AND (${poolId}::uuid IS NULL OR i.pool_id = ${poolId}::uuid)
    ),
    issued AS (
      SELECT date_trunc('day', created_at) AS day, count(*) AS n FROM scoped WHERE created_at >= ${since} GROUP BY 1
    ),
    redeemed AS (
      SELECT date_trunc('day', r.redeemed_at) AS day, count(DISTINCT r.code_id) AS n
      FROM redemptions r JOIN scoped s ON s.code_id = r.code_id JOIN orders o ON o.id = r.order_id
      WHERE r.shop_id = ${shopId}::uuid AND o.cancelled_at IS NULL AND r.redeemed_at >= ${since} GROUP BY 1
    )
    SELECT COALESCE(i.day, r.day) AS day, COALESCE(i.n, 0) AS issued, COALESCE(r.n, 0) AS redeemed
    FROM issued i FULL JOIN redeemed r ON r.day = i.day`;

  const delivered = await deliveredCount(db, shopId, scope);
  const byDay = new Map(daily.map((d) => [dayKey(d.day), d]));
  const series: DailyResult[] = [];
  for (let t = since.getTime(); t <= now.getTime(); t += DAY_MS) {
    const key = dayKey(new Date(t));
    const row = byDay.get(key);
    series.push({ day: key, issued: Number(row?.issued ?? 0), redeemed: Number(row?.redeemed ?? 0) });
  }
  const issued = Number(totals?.issued ?? 0);
  const redeemed = Number(totals?.redeemed ?? 0);
  return {
    issued,
    delivered,
    redeemed,
    redemptionRate: issued > 0 ? redeemed / issued : null,
    revenue: totals?.revenue ?? "0",
    daily: series,
  };
}

async function deliveredCount(db: ShopDb, shopId: string, scope: ResultScope): Promise<number> {
  if (scope.type === "campaign") {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM messages m
      WHERE m.shop_id = ${shopId}::uuid AND m.status = 'SENT'
        AND (m.campaign_id = ${scope.id}::uuid OR m.task_id IN (SELECT t.id FROM tasks t WHERE t.shop_id = ${shopId}::uuid AND t.campaign_id = ${scope.id}::uuid))`;
    return Number(row?.n ?? 0);
  }
  if (scope.type === "scenario") {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM messages m JOIN tasks t ON t.id = m.task_id
      WHERE m.shop_id = ${shopId}::uuid AND m.status = 'SENT' AND t.scenario_id = ${scope.id}::uuid`;
    return Number(row?.n ?? 0);
  }
  if (scope.type === "pool") {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM messages m JOIN codes c ON c.id = m.code_id
      WHERE m.shop_id = ${shopId}::uuid AND m.status = 'SENT' AND c.pool_id = ${scope.id}::uuid`;
    return Number(row?.n ?? 0);
  }
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM messages WHERE shop_id = ${shopId}::uuid AND status = 'SENT'`;
  return Number(row?.n ?? 0);
}
