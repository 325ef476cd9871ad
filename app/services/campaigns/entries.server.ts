// Turns segment entries into campaign runs. Each active campaign reads its segment's ENTER transitions after its
// cursor, in id order, and creates one task per entry in the same transaction that moves the cursor, so an entry
// is never run twice and never skipped (a worker killed mid-batch rolls both back). The task's dedupe key makes
// "once per customer ever" (or once per entry, when the campaign repeats on re-entry) a unique index, not a check.
// Tasks are then handed to the task runner; one that Redis loses is found by the task sweeper because its row is
// pending and due.
import type { Campaign } from "@prisma/client";
import { prisma } from "../../db.server";
import { forShop, type ShopDb } from "../../db/shop-scope.server";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { scheduleTasks } from "../tasks/schedule.server";

/** Entries read per transaction: big enough to keep up with a burst, small enough to hold locks briefly. */
export const ENTRY_BATCH = 500;

export async function latestTransitionId(db: ShopDb, shopId: string, segmentId: string): Promise<bigint> {
  const rows = await db.$queryRaw<{ id: bigint | null }[]>`
    SELECT max(id) AS id FROM segment_transitions WHERE shop_id = ${shopId}::uuid AND segment_id = ${segmentId}::uuid`;
  return rows[0]?.id ?? 0n;
}

interface CreatedTask {
  id: string;
  due_at: Date;
}


/**
 * Current members get a run when a campaign starts with "also run for customers already in the segment". With
 * "repeat on re-entry" the run is keyed to the member's latest entry, so that same entry is not run again when
 * it is read from the transitions later.
 */
export async function createRunsForMembers(db: ShopDb, shopId: string, campaign: Campaign, now = new Date()): Promise<number> {
  if (!campaign.segmentId) return 0;
  const created = await db.$queryRaw<CreatedTask[]>`
    INSERT INTO tasks (id, shop_id, campaign_id, customer_id, status, due_at, dedupe_key, context, created_at, updated_at)
    SELECT gen_random_uuid(), ${shopId}::uuid, ${campaign.id}::uuid, m.customer_id, 'PENDING', ${now}::timestamp,
           CASE WHEN ${campaign.repeatOnReentry}
                THEN 'campaign:' || ${campaign.id} || ':' || m.customer_id || ':' || COALESCE(last_entry.id::text, 'existing')
                ELSE 'campaign:' || ${campaign.id} || ':' || m.customer_id END,
           jsonb_build_object('triggeredProducts', m.triggered_products, 'transitionId', last_entry.id::text, 'trigger', 'existing_member'),
           ${now}::timestamp, ${now}::timestamp
    FROM segment_memberships m
    LEFT JOIN LATERAL (
      SELECT t.id FROM segment_transitions t
      WHERE t.segment_id = m.segment_id AND t.customer_id = m.customer_id AND t.kind = 'ENTER' AND t.shop_id = ${shopId}::uuid
      ORDER BY t.id DESC LIMIT 1
    ) last_entry ON true
    WHERE m.shop_id = ${shopId}::uuid AND m.segment_id = ${campaign.segmentId}::uuid
    ON CONFLICT (shop_id, dedupe_key) DO NOTHING
    RETURNING id, due_at`;
  await scheduleTasks(shopId, created);
  return created.length;
}

export interface EntriesResult {
  runsCreated: number;
  entriesRead: number;
  /** Why nothing was read, when nothing was. */
  idle?: "not_active" | "not_found";
}

/** Reads the campaign's new entries in batches until none are left; each batch is one transaction. */
export async function processCampaignEntries(db: ShopDb, shopId: string, campaignId: string, now = new Date()): Promise<EntriesResult> {
  const total: EntriesResult = { runsCreated: 0, entriesRead: 0 };
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      // The row lock serialises two workers on one campaign; the status is read under it, so a pause or stop
      // committed before this point is seen and nothing new starts.
      const [campaign] = await tx.$queryRaw<
        { id: string; status: string; segment_id: string | null; repeat_on_reentry: boolean; transition_cursor: bigint }[]
      >`SELECT id, status, segment_id, repeat_on_reentry, transition_cursor FROM campaigns
        WHERE id = ${campaignId}::uuid AND shop_id = ${shopId}::uuid FOR UPDATE`;
      if (!campaign) return { idle: "not_found" as const };
      if (campaign.status !== "ACTIVE" || !campaign.segment_id) return { idle: "not_active" as const };
      const entries = await tx.$queryRaw<{ id: bigint }[]>`
        SELECT id FROM segment_transitions
        WHERE shop_id = ${shopId}::uuid AND segment_id = ${campaign.segment_id}::uuid AND id > ${campaign.transition_cursor}
        ORDER BY id LIMIT ${ENTRY_BATCH}`;
      if (entries.length === 0) return { created: [] as CreatedTask[], read: 0 };
      const last = entries[entries.length - 1]!.id;
      const created = await tx.$queryRaw<CreatedTask[]>`
        INSERT INTO tasks (id, shop_id, campaign_id, customer_id, status, due_at, dedupe_key, context, created_at, updated_at)
        SELECT gen_random_uuid(), ${shopId}::uuid, ${campaignId}::uuid, t.customer_id, 'PENDING', ${now}::timestamp,
               CASE WHEN ${campaign.repeat_on_reentry}
                    THEN 'campaign:' || ${campaignId} || ':' || t.customer_id || ':' || t.id
                    ELSE 'campaign:' || ${campaignId} || ':' || t.customer_id END,
               jsonb_build_object('triggeredProducts', t.triggered_products, 'transitionId', t.id::text, 'trigger', 'segment_entry'),
               ${now}::timestamp, ${now}::timestamp
        FROM segment_transitions t
        WHERE t.shop_id = ${shopId}::uuid AND t.segment_id = ${campaign.segment_id}::uuid
          AND t.id > ${campaign.transition_cursor} AND t.id <= ${last} AND t.kind = 'ENTER'
        ORDER BY t.id
        ON CONFLICT (shop_id, dedupe_key) DO NOTHING
        RETURNING id, due_at`;
      await tx.campaign.update({ where: { id: campaignId }, data: { transitionCursor: last } });
      return { created, read: entries.length };
    });
    if ("idle" in batch) return total.entriesRead ? total : { ...total, idle: batch.idle };
    await scheduleTasks(shopId, batch.created);
    total.runsCreated += batch.created.length;
    total.entriesRead += batch.read;
    if (batch.read < ENTRY_BATCH) return total;
  }
}

/**
 * Called once the segments engine has written transitions: wakes each active campaign on those segments. Job ids
 * are bucketed per second, so a burst of entries wakes a campaign once per second rather than once per entry, and
 * a wake-up that arrives while the previous job runs is not swallowed by BullMQ's job-id de-duplication.
 */
export async function wakeCampaigns(db: ShopDb, shopId: string, segmentIds: string[], now = new Date()): Promise<number> {
  if (segmentIds.length === 0) return 0;
  const campaigns = await db.campaign.findMany({
    where: { segmentId: { in: segmentIds }, status: "ACTIVE", kind: "AUTOMATED" },
    select: { id: true },
  });
  const second = Math.floor(now.getTime() / 1000);
  // Redis being away is not the caller's failure: the transitions are stored and the per-minute catch-up reads them.
  const results = await Promise.allSettled(
    campaigns.map((c) => enqueue("campaigns", "processEntries", { shopId, campaignId: c.id }, { jobId: jobId("entries", c.id, second) })),
  );
  return results.filter((r) => r.status === "fulfilled").length;
}

/** The per-minute catch-up: every active campaign of the shop reads what it has not read yet. */
export async function catchUpCampaigns(db: ShopDb, shopId: string, now = new Date()): Promise<EntriesResult> {
  const campaigns = await db.campaign.findMany({ where: { status: "ACTIVE", kind: "AUTOMATED" }, select: { id: true } });
  const total: EntriesResult = { runsCreated: 0, entriesRead: 0 };
  for (const c of campaigns) {
    const result = await processCampaignEntries(db, shopId, c.id, now);
    total.runsCreated += result.runsCreated;
    total.entriesRead += result.entriesRead;
  }
  return total;
}

/** Shops that have at least one active automated campaign (the catch-up fan-out's list). */
export async function shopsWithActiveCampaigns(): Promise<string[]> {
  const rows = await prisma.campaign.findMany({
    where: { status: "ACTIVE", kind: "AUTOMATED", shop: { uninstalledAt: null } },
    distinct: ["shopId"],
    select: { shopId: true },
  });
  return rows.map((r) => r.shopId);
}

/**
 * After the segments engine has run for a shop (evaluation, recompute, expiry), every active campaign of the shop
 * is woken to read its new entries. Cheaper than asking the engine which segments changed: a campaign with nothing
 * new reads one indexed row range and stops.
 */
export async function wakeShopCampaigns(shopId: string, now = new Date()): Promise<number> {
  const db = forShop(shopId);
  const segments = await db.campaign.findMany({
    where: { status: "ACTIVE", kind: "AUTOMATED", segmentId: { not: null } },
    distinct: ["segmentId"],
    select: { segmentId: true },
  });
  return wakeCampaigns(db, shopId, segments.flatMap((s) => (s.segmentId ? [s.segmentId] : [])), now);
}
