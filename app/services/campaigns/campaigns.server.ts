// Segment-triggered campaigns: create and edit them, and start, pause, resume and stop them. Each run for a
// customer is a task (app/services/tasks) so campaigns and scenarios share one runner, one retry policy and one
// tasks page. Starting a campaign sets its transition cursor to the segment's latest entry: later entries are
// read after it (entries.server.ts), and with "also run for customers already in the segment" the current
// members get a run at once.
import type { Campaign, CampaignKind, CampaignStatus, Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { broadcastActionsProblem, CampaignSettings, type CampaignSettingsInput } from "../../domain/campaigns/campaign";
import { skipQueuedCampaignMessages } from "../messages/store.server";
import { scheduleTasks } from "../tasks/schedule.server";
import { CAMPAIGN_STOPPED_OUTCOME, cancelCampaignTasks, releasePausedTasks } from "../tasks/store.server";
import { createRunsForMembers, latestTransitionId } from "./entries.server";

export type FieldErrors = Record<string, string>;

export type CampaignWriteResult =
  | { type: "saved"; campaign: Campaign }
  | { type: "invalid"; errors: FieldErrors }
  | { type: "not_found" }
  | { type: "not_editable"; message: string };

function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** Checks that what the settings point at exists in this shop: the segment, pools and templates. */
async function referenceErrors(db: ShopDb, settings: CampaignSettings): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const segment = await db.segment.findFirst({ where: { id: settings.segmentId, deletedAt: null }, select: { id: true } });
  if (!segment) errors.segmentId = "This segment no longer exists";
  const poolIds = settings.actions.flatMap((a) => (a.type === "issue_code" ? [a.poolId] : []));
  const templateIds = settings.actions.flatMap((a) => (a.type === "send_message" ? [a.templateId] : []));
  const [pools, templates] = await Promise.all([
    poolIds.length ? db.pool.findMany({ where: { id: { in: poolIds }, deletedAt: null }, select: { id: true } }) : [],
    templateIds.length ? db.messageTemplate.findMany({ where: { id: { in: templateIds } }, select: { id: true } }) : [],
  ]);
  settings.actions.forEach((action, index) => {
    if (action.type === "issue_code" && !pools.some((p) => p.id === action.poolId)) errors[`actions.${index}.poolId`] = "This pool no longer exists";
    if (action.type === "send_message" && !templates.some((t) => t.id === action.templateId)) {
      errors[`actions.${index}.templateId`] = "This template no longer exists";
    }
  });
  return errors;
}

async function validate(
  db: ShopDb,
  input: CampaignSettingsInput,
  kind: CampaignKind,
): Promise<{ ok: true; settings: CampaignSettings } | { ok: false; errors: FieldErrors }> {
  const parsed = CampaignSettings.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) };
  const errors = await referenceErrors(db, parsed.data);
  const broadcastProblem = kind === "BROADCAST" ? broadcastActionsProblem(parsed.data.actions) : null;
  if (broadcastProblem) errors.actions = broadcastProblem;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, settings: parsed.data };
}

function columns(settings: CampaignSettings) {
  return {
    name: settings.name,
    segmentId: settings.segmentId,
    repeatOnReentry: settings.repeatOnReentry,
    includeExisting: settings.includeExisting,
    actions: settings.actions as unknown as Prisma.InputJsonValue,
  };
}

export async function createCampaign(db: ShopDb, shopId: string, input: CampaignSettingsInput, kind: CampaignKind = "AUTOMATED"): Promise<CampaignWriteResult> {
  const checked = await validate(db, input, kind);
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  const campaign = await db.campaign.create({ data: { shopId, kind, status: "DRAFT", ...columns(checked.settings) } });
  return { type: "saved", campaign };
}

export async function updateCampaign(db: ShopDb, campaignId: string, input: CampaignSettingsInput): Promise<CampaignWriteResult> {
  const existing = await db.campaign.findFirst({ where: { id: campaignId } });
  if (!existing) return { type: "not_found" };
  if (existing.status === "STOPPED") return { type: "not_editable", message: "A stopped campaign can't be edited; duplicate it instead" };
  const checked = await validate(db, input, existing.kind);
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  if (existing.status !== "DRAFT" && checked.settings.segmentId !== existing.segmentId) {
    return { type: "invalid", errors: { segmentId: "The segment can only change before the campaign starts" } };
  }
  const campaign = await db.campaign.update({ where: { id: campaignId }, data: columns(checked.settings) });
  return { type: "saved", campaign };
}

export function campaignSettingsOf(campaign: Campaign): CampaignSettingsInput {
  return {
    name: campaign.name,
    segmentId: campaign.segmentId ?? "",
    repeatOnReentry: campaign.repeatOnReentry,
    includeExisting: campaign.includeExisting,
    actions: campaign.actions as CampaignSettingsInput["actions"],
  };
}

export type StatusChange =
  | { type: "changed"; campaign: Campaign; runsStarted: number }
  | { type: "not_found" }
  | { type: "refused"; message: string };

const TRANSITIONS: Record<"start" | "pause" | "resume" | "stop", CampaignStatus[]> = {
  start: ["DRAFT"],
  pause: ["ACTIVE"],
  resume: ["PAUSED"],
  stop: ["DRAFT", "ACTIVE", "PAUSED"],
};

/**
 * Start: the cursor moves to the segment's latest entry and, if asked, current members get a run. Pause: runs
 * that come due wait (run.server.ts). Resume: the waiting runs go, and the cursor moves to the latest entry,
 * because a paused campaign starts nothing new — customers who entered while it was paused are not caught up
 * later in a burst. Stop: final; runs not yet executed are cancelled and messages not yet sent are skipped.
 */
export async function changeCampaignStatus(
  db: ShopDb,
  shopId: string,
  campaignId: string,
  change: keyof typeof TRANSITIONS,
  now = new Date(),
): Promise<StatusChange> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId } });
  if (!campaign) return { type: "not_found" };
  if (!TRANSITIONS[change].includes(campaign.status)) {
    return { type: "refused", message: `A ${campaign.status.toLowerCase()} campaign can't ${change}` };
  }
  if (campaign.kind === "BROADCAST" && change !== "stop") {
    return { type: "refused", message: "Broadcasts are sent once from their page, not started" };
  }
  if ((change === "start" || change === "resume") && !campaign.segmentId) {
    return { type: "refused", message: "Pick a segment before starting" };
  }

  if (change === "stop") {
    // Its runs not yet executed are cancelled, and its messages not yet sent are skipped: a merchant stopping a
    // mistaken broadcast stops the emails still queued, not only the members not reached yet.
    const [updated] = await db.$transaction([
      db.campaign.update({ where: { id: campaignId }, data: { status: "STOPPED", finishedAt: now } }),
      cancelCampaignTasks(db, shopId, campaignId, CAMPAIGN_STOPPED_OUTCOME, now),
      skipQueuedCampaignMessages(db, shopId, campaignId),
    ]);
    return { type: "changed", campaign: updated, runsStarted: 0 };
  }
  if (change === "pause") {
    const updated = await db.campaign.update({ where: { id: campaignId }, data: { status: "PAUSED" } });
    return { type: "changed", campaign: updated, runsStarted: 0 };
  }

  const segmentId = campaign.segmentId as string;
  const cursor = await latestTransitionId(db, shopId, segmentId);
  const updated = await db.campaign.update({
    where: { id: campaignId },
    data: { status: "ACTIVE", transitionCursor: cursor, ...(change === "start" ? { startedAt: now } : {}) },
  });
  if (change === "resume") {
    // Runs that came due while it was paused waited (run.server.ts); they go now.
    await scheduleTasks(shopId, await releasePausedTasks(db, shopId, campaignId, now));
  }
  const runsStarted = change === "start" && campaign.includeExisting ? await createRunsForMembers(db, shopId, updated, now) : 0;
  return { type: "changed", campaign: updated, runsStarted };
}

export async function deleteCampaign(db: ShopDb, campaignId: string): Promise<{ deleted: boolean }> {
  const result = await db.campaign.deleteMany({ where: { id: campaignId, status: { in: ["DRAFT", "STOPPED"] } } });
  return { deleted: result.count > 0 };
}

export async function getCampaign(db: ShopDb, campaignId: string) {
  return db.campaign.findFirst({ where: { id: campaignId }, include: { segment: { select: { id: true, name: true, memberCount: true, deletedAt: true } } } });
}

export async function listCampaigns(db: ShopDb) {
  return db.campaign.findMany({
    orderBy: { createdAt: "desc" },
    include: { segment: { select: { id: true, name: true, memberCount: true, deletedAt: true } } },
  });
}

/** Names of the pools (deleted ones too) and templates a campaign's actions can point at, by id, for its page. */
export async function actionTargetNames(db: ShopDb): Promise<Map<string, string>> {
  const [pools, templates] = await Promise.all([
    db.pool.findMany({ select: { id: true, name: true } }),
    db.messageTemplate.findMany({ select: { id: true, name: true } }),
  ]);
  return new Map([...pools, ...templates].map((x) => [x.id, x.name]));
}
