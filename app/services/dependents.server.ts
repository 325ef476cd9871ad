// What still uses a segment, a template or a pool: the campaigns and scenarios that would lose a step if it went.
// The delete dialogs name them, so the merchant knows what they are about to change before they confirm.
import type { ShopDb } from "../db/shop-scope.server";
import { templatesNamingPool } from "./templates.server";

export interface Dependent {
  kind: "campaign" | "scenario" | "template";
  id: string;
  name: string;
  /** Campaigns: draft, active or paused; scenarios: on or off; templates: their channel. */
  state: string;
}

export type DependencyTarget = { segmentId: string } | { templateId: string } | { poolId: string };

const CAMPAIGN_STATES: Record<string, string> = { DRAFT: "draft", ACTIVE: "active", PAUSED: "paused" };

/** The JSON-array containment each kind's `actions` is searched with (PostgreSQL `@>`, served without an index). */
function actionMatch(target: DependencyTarget, kind: "campaign" | "scenario"): object[] | null {
  if ("templateId" in target) return [{ type: "send_message", templateId: target.templateId }];
  if ("poolId" in target) return [{ type: kind === "campaign" ? "issue_code" : "generate_code", poolId: target.poolId }];
  return null;
}

/**
 * The campaigns (not stopped: a stopped one never runs again) and scenarios that use `target`, names sorted.
 * Campaigns use a segment as their audience and templates and pools in their actions; scenarios only in actions.
 * A pool is also used by the templates that name it in a placeholder ({{client.promocode('Name')}}).
 */
export async function dependentsOf(db: ShopDb, target: DependencyTarget): Promise<Dependent[]> {
  const campaignActions = actionMatch(target, "campaign");
  const scenarioActions = actionMatch(target, "scenario");
  const [campaigns, scenarios, templates] = await Promise.all([
    db.campaign.findMany({
      where: {
        status: { not: "STOPPED" },
        ...("segmentId" in target ? { segmentId: target.segmentId } : { actions: { array_contains: campaignActions ?? [] } }),
      },
      select: { id: true, name: true, status: true },
      orderBy: { name: "asc" },
    }),
    scenarioActions
      ? db.scenario.findMany({
          where: { actions: { array_contains: scenarioActions } },
          select: { id: true, name: true, active: true },
          orderBy: { name: "asc" },
        })
      : [],
    "poolId" in target ? templatesUsingPool(db, target.poolId) : [],
  ]);
  return [
    ...campaigns.map((c) => ({ kind: "campaign" as const, id: c.id, name: c.name, state: CAMPAIGN_STATES[c.status] ?? c.status.toLowerCase() })),
    ...scenarios.map((s) => ({ kind: "scenario" as const, id: s.id, name: s.name, state: s.active ? "on" : "off" })),
    ...templates,
  ];
}

async function templatesUsingPool(db: ShopDb, poolId: string): Promise<Dependent[]> {
  const pool = await db.pool.findFirst({ where: { id: poolId }, select: { name: true } });
  if (!pool) return [];
  const ids = (await templatesNamingPool(db, pool.name)).map((t) => t.id);
  if (ids.length === 0) return [];
  const rows = await db.messageTemplate.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, channel: true }, orderBy: { name: "asc" } });
  return rows.map((t) => ({ kind: "template" as const, id: t.id, name: t.name, state: t.channel.toLowerCase() }));
}
