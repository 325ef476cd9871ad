// How a campaign's runs (tasks) stand, for its page.
import type { ShopDb } from "../../db/shop-scope.server";

export interface RunCounts {
  total: number;
  pending: number;
  executed: number;
  failed: number;
  cancelled: number;
}

export async function campaignRunCounts(db: ShopDb, campaignId: string): Promise<RunCounts> {
  const groups = await db.task.groupBy({ by: ["status"], where: { campaignId }, _count: { _all: true } });
  const count = (...statuses: string[]) => groups.filter((g) => statuses.includes(g.status)).reduce((n, g) => n + g._count._all, 0);
  return {
    total: count("PENDING", "EXECUTED", "FAILED", "CANCELLED", "SUCCEEDED", "CONDITIONS_NOT_MET"),
    pending: count("PENDING"),
    executed: count("EXECUTED", "SUCCEEDED", "CONDITIONS_NOT_MET"),
    failed: count("FAILED"),
    cancelled: count("CANCELLED"),
  };
}
