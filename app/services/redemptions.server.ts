// Orders that use our codes mark them redeemed. Checkout matches codes without regard to case, so the order's codes
// are matched on the same upper-cased key the pools deduplicate on, across every pool of the shop (static and
// dynamic). Recording is idempotent per (code, order): a redelivered or re-polled order changes nothing.
//
// A cancelled order did not give the shopper its discount, and Shopify gives the code's use back: its redemptions
// are kept as history but count nowhere (results leave cancelled orders out), and each code it used goes back to
// what it was before, unless another order that still stands redeemed it too.
import { Prisma } from "@prisma/client";
import type { ShopDb } from "../db/shop-scope.server";
import { normaliseCodeKey } from "../domain/pools/code-rules";

export interface RedeemingOrder {
  orderId: string;
  customerId: string | null;
  orderTotal: string;
  placedAt: Date;
  codes: { code: string; amount: string | null }[];
}

export interface RedeemedCode {
  codeId: bigint;
  poolId: string;
  code: string;
  /** The customer the code was issued to, when it was issued. */
  issuedTo: string | null;
  /** True the first time this order redeems this code. */
  firstTime: boolean;
}

export async function recordRedemptions(db: ShopDb, shopId: string, order: RedeemingOrder): Promise<RedeemedCode[]> {
  const amounts = new Map<string, string>();
  for (const c of order.codes) {
    const key = normaliseCodeKey(c.code);
    if (key) amounts.set(key, c.amount ?? "0");
  }
  if (amounts.size === 0) return [];
  const keys = [...amounts.keys()];

  return db.$transaction(async (tx) => {
    // Codes are unique per pool, so one key can exist in two pools of a shop; each is redeemed.
    const codes = await tx.$queryRaw<{ id: bigint; pool_id: string; code: string; code_key: string; customer_id: string | null }[]>`
      SELECT c.id, c.pool_id, c.code, c.code_key, c.customer_id
      FROM codes c
      WHERE c.pool_id IN (SELECT p.id FROM pools p WHERE p.shop_id = ${shopId}::uuid)
        AND c.code_key = ANY(${keys}::text[])
        AND c.shop_id = ${shopId}::uuid
      FOR UPDATE OF c`;
    const redeemed: RedeemedCode[] = [];
    for (const code of codes) {
      const inserted = await tx.$executeRaw`
        INSERT INTO redemptions (shop_id, code_id, order_id, customer_id, amount, order_total, redeemed_at)
        VALUES (${shopId}::uuid, ${code.id}, ${order.orderId}::uuid, ${order.customerId}::uuid,
                ${amounts.get(code.code_key) ?? "0"}::numeric, ${order.orderTotal}::numeric, ${order.placedAt})
        ON CONFLICT (code_id, order_id) DO NOTHING`;
      // A code stays redeemed once any order used it; assigned, available and even retired codes that an order
      // used are marked (a retired code used at checkout was still live on the platform, which is worth seeing).
      await tx.$executeRaw`
        UPDATE codes SET status = 'REDEEMED', redeemed_at = COALESCE(redeemed_at, ${order.placedAt})
        WHERE id = ${code.id} AND shop_id = ${shopId}::uuid AND status <> 'REDEEMED'`;
      redeemed.push({ codeId: code.id, poolId: code.pool_id, code: code.code, issuedTo: code.customer_id, firstTime: inserted > 0 });
    }
    return redeemed;
  });
}

export interface ReleasedCode {
  codeId: bigint;
  /** The customer the code was issued to, if any (their segment conditions on codes change). */
  issuedTo: string | null;
}

/**
 * The order was cancelled: the codes it redeemed, that no other live order redeemed, are live again. A code issued
 * to a customer goes back to ASSIGNED (theirs to use), a retired one back to RETIRED. A code we never gave out that
 * was used at checkout stays REDEEMED: someone outside our issuance knows it, so it is not handed to anyone else.
 * Idempotent: a second call finds nothing redeemed.
 */
export async function releaseRedemptions(db: ShopDb, shopId: string, orderId: string): Promise<ReleasedCode[]> {
  const rows = await db.$queryRaw<{ id: bigint; customer_id: string | null }[]>`
    UPDATE codes c
    SET status = (CASE WHEN c.retired_at IS NOT NULL THEN 'RETIRED' ELSE 'ASSIGNED' END)::"CodeStatus", redeemed_at = NULL
    WHERE c.shop_id = ${shopId}::uuid AND c.status = 'REDEEMED'
      AND (c.customer_id IS NOT NULL OR c.assigned_at IS NOT NULL OR c.retired_at IS NOT NULL)
      AND c.id IN (SELECT r.code_id FROM redemptions r WHERE r.shop_id = ${shopId}::uuid AND r.order_id = ${orderId}::uuid)
      AND NOT EXISTS (
        SELECT 1 FROM redemptions r JOIN orders o ON o.id = r.order_id
        WHERE r.code_id = c.id AND r.order_id <> ${orderId}::uuid AND o.cancelled_at IS NULL)
    RETURNING c.id, c.customer_id`;
  return rows.map((r) => ({ codeId: r.id, issuedTo: r.customer_id }));
}

/**
 * What a redeeming order earned, for results: its total when redeemed less what was refunded since (never below
 * zero). For a query joining redemptions as r and their order as o. A fully refunded order earned nothing, but its
 * codes stay redeemed (docs/decisions/0026).
 */
export const NET_ORDER_TOTAL = Prisma.sql`GREATEST(r.order_total - o.refunded_total, 0)`;

export interface RedemptionTotals {
  redemptions: number;
  revenue: string;
  discount: string;
}

/** Redemptions and the net revenue of redeeming orders (each order counted once even when it used two of our codes). */
export async function redemptionTotals(db: ShopDb, shopId: string, filter: { poolId?: string; source?: string } = {}): Promise<RedemptionTotals> {
  const rows = await db.$queryRaw<{ redemptions: bigint; revenue: string | null; discount: string | null }[]>`
    WITH matched AS (
      SELECT r.order_id, ${NET_ORDER_TOTAL} AS order_total, r.amount
      FROM redemptions r
      JOIN codes c ON c.id = r.code_id
      JOIN orders o ON o.id = r.order_id
      WHERE r.shop_id = ${shopId}::uuid AND o.cancelled_at IS NULL
        AND (${filter.poolId ?? null}::uuid IS NULL OR c.pool_id = ${filter.poolId ?? null}::uuid)
        AND (${filter.source ?? null}::text IS NULL OR EXISTS (
          SELECT 1 FROM issuances i WHERE i.code_id = c.id AND i.shop_id = ${shopId}::uuid AND i.source = ${filter.source ?? null}))
    )
    SELECT count(*) AS redemptions,
           (SELECT sum(t.order_total) FROM (SELECT DISTINCT order_id, order_total FROM matched) t)::text AS revenue,
           sum(amount)::text AS discount
    FROM matched`;
  const row = rows[0];
  return { redemptions: Number(row?.redemptions ?? 0), revenue: row?.revenue ?? "0", discount: row?.discount ?? "0" };
}
