import type { ShopDb } from "../db/shop-scope.server";

/** The shop at a glance, for Home. Each count is scoped to the shop by the client. */
export async function shopOverview(db: ShopDb) {
  const [shop, pools, codesAvailable, customers, orders, events, failures, activeCampaigns, activeScenarios, segments, pendingTasks, started] = await Promise.all([
    db.shop.findFirstOrThrow({ select: { domain: true, name: true, plan: true, contactEmail: true, installedAt: true } }),
    db.pool.count({ where: { deletedAt: null } }),
    availableCodes(db),
    db.customer.count(),
    db.order.count(),
    db.event.count(),
    db.jobFailure.count({ where: { resolvedAt: null } }),
    db.campaign.count({ where: { status: "ACTIVE" } }),
    db.scenario.count({ where: { active: true } }),
    db.segment.count({ where: { deletedAt: null } }),
    db.task.count({ where: { status: "PENDING" } }),
    firstSteps(db),
  ]);
  // Which of the first steps the shop has taken (Home's "Get started" card): each is whether one exists.
  const setup = { pool: pools > 0, segment: segments > 0, ...started };
  return { shop, pools, codesAvailable, customers, orders, events, failures, activeCampaigns, activeScenarios, segments, pendingTasks, setup };
}

/** Whether the shop has any template, campaign (in any state) and scenario (active or not). */
async function firstSteps(db: ShopDb) {
  const [templates, campaigns, scenarios] = await Promise.all([db.messageTemplate.count({ take: 1 }), db.campaign.count({ take: 1 }), db.scenario.count({ take: 1 })]);
  return { template: templates > 0, campaign: campaigns > 0, scenario: scenarios > 0 };
}

/**
 * Counted pool by pool: codes have no shop index (decision 0007), so a count by shop would read every shop's codes;
 * the claim index over available codes is keyed by pool.
 */
async function availableCodes(db: ShopDb): Promise<number> {
  const pools = await db.pool.findMany({ where: { deletedAt: null }, select: { id: true } });
  if (pools.length === 0) return 0;
  return db.code.count({ where: { poolId: { in: pools.map((p) => p.id) }, status: "AVAILABLE" } });
}
