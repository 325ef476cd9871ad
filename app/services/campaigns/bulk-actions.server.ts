// A broadcast's tags and metafield as Shopify bulk mutations (decision 0022). The members who have their code and
// message are split into parts; each part of each action is one bulk_action_runs row, then one
// bulkOperationRunMutation over a JSONL file with a line per member. Shopify runs the lines outside the Admin API's
// rate limit, so 100,000 members are tagged in minutes instead of hours. The rows are the truth: a job starts the
// parts (at most five bulk mutations per shop run at once at Shopify), polls them, reads each result file and
// records what Shopify refused, member by member. A job that dies anywhere is taken over: a part claimed by a dead
// job is started again once its claim runs out, and a part whose operation failed, or whose results could not be
// read, is started again whole. Both are safe, because adding a tag or setting a metafield twice leaves the customer
// as once. Every start counts as an attempt; after BULK_MAX_ATTEMPTS the part is given up, with the reason.
import type { BulkActionKind, BulkActionRun, Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { CampaignAction } from "../../domain/campaigns/campaign";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { PermanentPlatformError, PlatformAuthError, RetriablePlatformError } from "../../platforms/errors";
import type { ShopifyAdminClient } from "../../platforms/shopify/admin-client.server";
import {
  bulkOperationState,
  lineProblems,
  readBulkResults,
  startBulkMutation,
  type BulkOperationState,
} from "../../platforms/shopify/bulk-mutations.server";
import { customerGid } from "../../platforms/shopify/customer-actions.server";
import { BULK_METAFIELDS_SET, BULK_TAGS_ADD } from "../../platforms/shopify/documents/bulk-mutations";

/** Members per bulk operation: a part's file stays a few MB and its progress shows as parts finish. */
export const BULK_PART_SIZE = 10_000;
/** Shopify runs at most five bulk mutations per shop at once (API 2026-01 and later). */
export const SHOPIFY_BULK_CONCURRENCY = 5;
/** How often a job looks at running operations. */
export const BULK_POLL_MS = 10_000;
/** A job starting a part holds it this long; a part whose job died is started again afterwards. */
export const BULK_CLAIM_MS = 5 * 60_000;
/** Starts of one part in all (operations that failed, results that could not be read, uploads that failed). */
export const BULK_MAX_ATTEMPTS = 5;
/** A part whose start failed for a passing reason waits this long times its attempts before the next. */
export const BULK_RETRY_MS = 30_000;
/** Refusals kept per part, with the member they concern. */
export const BULK_FAILURES_KEPT = 20;

export interface BulkActions {
  tags: string[];
  metafields: { namespace: string; key: string }[];
  poolId: string | null;
}

/**
 * The tags and metafields a broadcast sets in bulk: only when it has no Flow trigger, which Shopify cannot run in
 * bulk and which keeps the broadcast's Shopify actions in one task per member (decision 0018).
 */
export function bulkActionsOf(actions: readonly CampaignAction[]): BulkActions | null {
  if (actions.some((a) => a.type === "flow_trigger")) return null;
  const tags = [...new Set(actions.flatMap((a) => (a.type === "add_tags" ? a.tags : [])))];
  const metafields = actions.flatMap((a) => (a.type === "write_metafield" ? [{ namespace: a.namespace, key: a.key }] : []));
  if (!tags.length && !metafields.length) return null;
  const issue = actions.find((a) => a.type === "issue_code");
  return { tags, metafields, poolId: issue?.type === "issue_code" ? issue.poolId : null };
}

function parseActions(actions: Prisma.JsonValue): BulkActions | null {
  const parsed = CampaignAction.array().safeParse(actions);
  return parsed.success ? bulkActionsOf(parsed.data) : null;
}

// ---- planning ----------------------------------------------------------------------------------------------------

/**
 * Puts the broadcast's members who have a message and are in no part yet into new parts: everyone is tagged (as a
 * member's task did), and the metafield goes to those who got a code (their own, or the pool's fallback code).
 * Called at the end of each run of the broadcast, so members held by an empty pool join in later parts once they
 * have their message; planning again adds nothing. Two planners (a run and the sweep) take turns on an advisory
 * lock, so the second sees the first's parts.
 */
export async function planBulkActions(db: ShopDb, shopId: string, campaignId: string, partSize = BULK_PART_SIZE): Promise<number> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId }, select: { actions: true, status: true } });
  const bulk = campaign && campaign.status !== "STOPPED" ? parseActions(campaign.actions) : null;
  if (!bulk) return 0;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('bulk-plan:' || ${campaignId}::text, 0))`;
    // Every member with a message, read once for both actions; the metafield's are those with a code.
    const messaged = await tx.$queryRaw<{ customer_id: string; has_code: boolean }[]>`
      SELECT m.customer_id::text AS customer_id,
             (m.code_id IS NOT NULL OR (m.status <> 'SKIPPED' AND p.fallback_code IS NOT NULL)) AS has_code
      FROM messages m
      LEFT JOIN pools p ON p.id = ${bulk.poolId}::uuid AND p.shop_id = m.shop_id
      WHERE m.shop_id = ${shopId}::uuid AND m.campaign_id = ${campaignId}::uuid AND m.customer_id IS NOT NULL
      ORDER BY m.customer_id`;
    const rows: Prisma.BulkActionRunCreateManyInput[] = [];
    for (const kind of ["TAGS", "METAFIELD"] as const) {
      if (kind === "TAGS" ? !bulk.tags.length : !bulk.metafields.length) continue;
      const candidates = kind === "TAGS" ? messaged : messaged.filter((m) => m.has_code);
      // Members already in a part are left out here rather than in SQL: right after a broadcast's bulk insert the
      // planner believes the campaign has a handful of messages, and its anti-join against 100k planned members
      // ran for minutes (npm run bench -- bulk-actions, planning again).
      const planned = await tx.$queryRaw<{ customer_id: string }[]>`
        SELECT unnest(r.customer_ids) AS customer_id FROM bulk_action_runs r
        WHERE r.shop_id = ${shopId}::uuid AND r.campaign_id = ${campaignId}::uuid AND r.kind = ${kind}::"BulkActionKind"`;
      const done = new Set(planned.map((p) => p.customer_id));
      const members = done.size ? candidates.filter((c) => !done.has(c.customer_id)) : candidates;
      const last = await tx.bulkActionRun.aggregate({ where: { campaignId, kind }, _max: { part: true } });
      const first = (last._max.part ?? -1) + 1;
      const ids = members.map((m) => m.customer_id);
      for (let i = 0; i * partSize < ids.length; i++) {
        rows.push({ shopId, campaignId, kind, part: first + i, customerIds: ids.slice(i * partSize, (i + 1) * partSize) });
      }
    }
    if (!rows.length) return 0;
    const { count } = await tx.bulkActionRun.createMany({ data: rows });
    return count;
  });
}

/** The poll slot a look due at `atMs` runs in (its job id's tag). */
export function pollSlot(atMs: number): string {
  return `t${Math.floor(atMs / BULK_POLL_MS)}`;
}

/**
 * The job id names the poll slot it runs in, so two chains of looks (a job the sweep added while the first was only
 * late) merge into one at their next slot instead of both going on.
 */
export async function enqueueBulkActions(shopId: string, campaignId: string, delayMs = 0, tag = pollSlot(Date.now() + delayMs)): Promise<void> {
  await enqueue("campaigns", "bulkActions", { shopId, campaignId }, { jobId: jobId("bulk", campaignId, tag), ...(delayMs ? { delay: delayMs } : {}) });
}

// ---- running -----------------------------------------------------------------------------------------------------

export interface BulkAdvanceOptions {
  shopifyClient?: (domain: string) => Promise<ShopifyAdminClient>;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface BulkAdvance {
  /** Parts not finished yet (pending or running): the job looks again later while there are any. */
  open: number;
  started: number;
  finished: number;
}

interface Line {
  customerId: string;
  variables: unknown;
}

const MUTATIONS = { TAGS: BULK_TAGS_ADD, METAFIELD: BULK_METAFIELDS_SET } as const;
const ROOTS = { TAGS: "tagsAdd", METAFIELD: "metafieldsSet" } as const;

/** Starts what can start, polls what runs, records what finished. */
export async function advanceBulkActions(db: ShopDb, shopId: string, campaignId: string, options: BulkAdvanceOptions = {}): Promise<BulkAdvance> {
  const now = options.now ?? (() => new Date());
  const runs = await db.bulkActionRun.findMany({
    where: { campaignId, status: { in: ["PENDING", "RUNNING"] } },
    orderBy: [{ kind: "asc" }, { part: "asc" }],
  });
  const result: BulkAdvance = { open: 0, started: 0, finished: 0 };
  if (!runs.length) return result;
  const campaign = await db.campaign.findFirst({ where: { id: campaignId }, select: { actions: true, status: true } });
  const bulk = campaign ? parseActions(campaign.actions) : null;
  const shop = await db.shop.findFirstOrThrow({ select: { domain: true, platform: true } });
  // Shown on the campaign page, as a member's task showed it on the tasks page.
  const failOpen = async (error: string, statuses: ("PENDING" | "RUNNING")[]) => {
    const { count } = await db.bulkActionRun.updateMany({
      where: { campaignId, status: { in: statuses } },
      data: { status: "FAILED", error, claimedUntil: null, finishedAt: now() },
    });
    result.finished += count;
  };
  if (shop.platform !== "SHOPIFY") {
    await failOpen(`Tags and metafields are Shopify-only: this store is on ${shop.platform.toLowerCase()}`, ["PENDING", "RUNNING"]);
    return result;
  }
  if (!bulk || campaign?.status === "STOPPED") {
    // What Shopify runs already finishes (and is recorded); nothing more is started.
    await failOpen(bulk ? "The broadcast was stopped before these members were sent to Shopify" : "The broadcast's actions changed: nothing was sent to Shopify", ["PENDING"]);
  }
  let client: ShopifyAdminClient | undefined;
  const getClient = async () => {
    if (!client) {
      const make =
        options.shopifyClient ??
        (async (domain: string) => {
          const { shopifyAdminForShop } = await import("../../platforms/index.server");
          return shopifyAdminForShop(domain);
        });
      // No offline session (uninstalled, or never finished installing): shopifyAdminForShop throws PlatformAuthError.
      client = await make(shop.domain);
    }
    return client;
  };

  try {
    const pending = runs.filter((r) => r.status === "PENDING");
    for (const run of runs.filter((r) => r.status === "RUNNING")) {
      const polled = await poll(db, run, await getClient(), options);
      if (polled === "finished") result.finished += 1;
      // Started again in this same look when a slot is free.
      if (polled === "again") pending.push({ ...run, status: "PENDING", operationId: null, claimedUntil: null });
    }

    let slots = SHOPIFY_BULK_CONCURRENCY - (await db.bulkActionRun.count({ where: { status: "RUNNING" } }));
    for (const run of pending) {
      if (slots <= 0 || !bulk || campaign?.status === "STOPPED") break;
      const claimed = await db.bulkActionRun.updateMany({
        where: { id: run.id, status: "PENDING", OR: [{ claimedUntil: null }, { claimedUntil: { lt: now() } }] },
        data: { claimedUntil: new Date(now().getTime() + BULK_CLAIM_MS), attempts: { increment: 1 } },
      });
      if (claimed.count === 0) continue;
      const outcome = await start(db, shopId, { ...run, attempts: run.attempts + 1 }, bulk, getClient, options, now);
      if (outcome === "started") {
        result.started += 1;
        slots -= 1;
      } else if (outcome === "finished") result.finished += 1;
      // Shopify is busy (its limit) or unreachable: the other parts wait for the next look too.
      else break;
    }
  } catch (error) {
    // The store no longer lets the app in (uninstalled, token revoked): nothing can be sent or read any more.
    if (!(error instanceof PlatformAuthError)) throw error;
    await failOpen(`Shopify refused the app's access: ${error.message}`, ["PENDING", "RUNNING"]);
  }
  // Parts waiting for a slot are touched too: the sweep resumes only broadcasts nobody looks at.
  const touched = await db.bulkActionRun.updateMany({ where: { campaignId, status: { in: ["PENDING", "RUNNING"] } }, data: { updatedAt: now() } });
  result.open = touched.count;
  return result;
}

type Finish = {
  status: "SUCCEEDED" | "FAILED";
  error?: string;
  succeeded?: number;
  failed?: number;
  failures?: Prisma.InputJsonValue;
};

/**
 * Closes a part that is still as this look saw it (same status and operation), so a second look working from an
 * older reading cannot close or restart a part the first one moved on. Its progress becomes all its members.
 */
async function finishRun(db: ShopDb, run: BulkActionRun, data: Finish): Promise<boolean> {
  const { count } = await db.bulkActionRun.updateMany({
    where: { id: run.id, status: run.status, operationId: run.operationId },
    data: { error: null, ...data, processed: run.customerIds.length, claimedUntil: null, finishedAt: new Date() },
  });
  return count === 1;
}

interface Dropped {
  customerId: string;
  message: string;
}

/**
 * The part's lines, in member order, and the members left out with the reason (deleted since, or without a Shopify
 * customer id). Each member's message is found by its unique key (broadcastKey: `broadcast:<campaign>:<customer>`),
 * an index lookup whatever the planner believes of a messages table that has just grown by a whole broadcast.
 */
async function linesOf(db: ShopDb, shopId: string, run: BulkActionRun, bulk: BulkActions): Promise<{ lines: Line[]; dropped: Dropped[] }> {
  const rows = await db.$queryRaw<{ customer_id: string; platform_id: string | null; code: string | null }[]>`
    SELECT u.customer_id, cu.platform_id,
           COALESCE(c.code, CASE WHEN m.status <> 'SKIPPED' THEN p.fallback_code END) AS code
    FROM unnest(${run.customerIds}::text[]) WITH ORDINALITY AS u(customer_id, n)
    LEFT JOIN customers cu ON cu.id = u.customer_id::uuid AND cu.shop_id = ${shopId}::uuid
    LEFT JOIN messages m ON m.shop_id = ${shopId}::uuid AND m.dedupe_key = 'broadcast:' || ${run.campaignId}::text || ':' || u.customer_id
    LEFT JOIN codes c ON c.id = m.code_id AND c.shop_id = ${shopId}::uuid
    LEFT JOIN pools p ON p.id = ${bulk.poolId}::uuid AND p.shop_id = ${shopId}::uuid
    ORDER BY u.n`;
  const lines: Line[] = [];
  const dropped: Dropped[] = [];
  for (const row of rows) {
    if (row.platform_id === null) {
      dropped.push({ customerId: row.customer_id, message: "The customer was deleted before Shopify was asked" });
      continue;
    }
    let id: string;
    try {
      id = customerGid(row.platform_id);
    } catch {
      dropped.push({ customerId: row.customer_id, message: `Not a Shopify customer id: ${row.platform_id}` });
      continue;
    }
    if (run.kind === "TAGS") lines.push({ customerId: row.customer_id, variables: { id, tags: bulk.tags } });
    else if (row.code === null) dropped.push({ customerId: row.customer_id, message: "No code to write" });
    else {
      lines.push({
        customerId: row.customer_id,
        variables: {
          metafields: bulk.metafields.map((f) => ({ ownerId: id, namespace: f.namespace, key: f.key, type: "single_line_text_field", value: row.code })),
        },
      });
    }
  }
  return { lines, dropped };
}

/** userErrors of bulkOperationRunMutation that say our request is wrong: starting it again cannot help. */
const OUR_MISTAKES = /^(INVALID_MUTATION|INVALID_STAGED_UPLOAD_FILE):/;

async function start(
  db: ShopDb,
  shopId: string,
  run: BulkActionRun,
  bulk: BulkActions,
  getClient: () => Promise<ShopifyAdminClient>,
  options: BulkAdvanceOptions,
  now: () => Date,
): Promise<"started" | "busy" | "finished" | "later"> {
  const claimed: BulkActionRun = { ...run, claimedUntil: null };
  const { lines, dropped } = await linesOf(db, shopId, run, bulk);
  if (!lines.length) {
    await finishRun(db, claimed, { status: "SUCCEEDED", succeeded: 0, failed: dropped.length, failures: dropped.slice(0, BULK_FAILURES_KEPT) as unknown as Prisma.InputJsonValue });
    return "finished";
  }
  const giveUpOr = async (message: string): Promise<"finished" | "later"> => {
    if (run.attempts >= BULK_MAX_ATTEMPTS) {
      await finishRun(db, claimed, { status: "FAILED", error: `${message} (${run.attempts} tries; given up)` });
      return "finished";
    }
    // Tried again after a pause that grows with the tries (the claim keeps other looks off it until then).
    await db.bulkActionRun.update({
      where: { id: run.id },
      data: { claimedUntil: new Date(now().getTime() + BULK_RETRY_MS * run.attempts), error: `${message}; trying again` },
    });
    return "later";
  };
  let started;
  try {
    started = await startBulkMutation(await getClient(), {
      mutation: MUTATIONS[run.kind],
      lines: lines.map((l) => l.variables),
      clientIdentifier: `broadcast-${run.campaignId}-${run.kind.toLowerCase()}-${run.part}`,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof PlatformAuthError) throw error;
    // An upload the storage refused (an expired policy, a lost connection) or Shopify unreachable: a fresh
    // staged upload on the next try may well work.
    if (error instanceof RetriablePlatformError || error instanceof PermanentPlatformError) return giveUpOr(error.message);
    throw error;
  }
  if (started.type === "busy") {
    // Not this part's fault: the attempt is given back.
    await db.bulkActionRun.update({ where: { id: run.id }, data: { claimedUntil: null, attempts: { decrement: 1 } } });
    return "busy";
  }
  if (started.type === "refused") {
    if (OUR_MISTAKES.test(started.message)) {
      await finishRun(db, claimed, { status: "FAILED", error: `Shopify refused the bulk operation: ${started.message}` });
      return "finished";
    }
    return giveUpOr(`Shopify refused the bulk operation: ${started.message}`);
  }
  // The lines as sent: result line N is lineCustomerIds[N]. Members left out count as refused from here.
  await db.bulkActionRun.update({
    where: { id: run.id },
    data: {
      status: "RUNNING",
      operationId: started.operationId,
      lineCustomerIds: lines.map((l) => l.customerId),
      processed: dropped.length,
      failed: dropped.length,
      failures: dropped.slice(0, BULK_FAILURES_KEPT) as unknown as Prisma.InputJsonValue,
      claimedUntil: null,
    },
  });
  return "started";
}

const ENDED_BADLY = new Set<BulkOperationState["status"]>(["FAILED", "CANCELED", "EXPIRED", "MISSING"]);

/**
 * Whether the part finished (either way), is to be started again, or still runs. Every write is conditional on the
 * part still running this operation: a look working from an older reading changes nothing.
 */
async function poll(db: ShopDb, run: BulkActionRun, client: ShopifyAdminClient, options: BulkAdvanceOptions): Promise<"finished" | "again" | "running"> {
  const still = { id: run.id, status: "RUNNING" as const, operationId: run.operationId };
  // "running" when another look moved the part on meanwhile: nothing for this one to do.
  const again = async (why: string): Promise<"finished" | "again" | "running"> => {
    if (run.attempts >= BULK_MAX_ATTEMPTS) {
      return (await finishRun(db, run, { status: "FAILED", error: `${why} (${run.attempts} tries; given up)` })) ? "finished" : "running";
    }
    // Started again whole: the lines it ran already set the same tags and values again.
    const { count } = await db.bulkActionRun.updateMany({
      where: still,
      data: { status: "PENDING", operationId: null, processed: 0, failed: 0, failures: [], error: `${why}; started again` },
    });
    return count === 1 ? "again" : "running";
  };
  const state = await bulkOperationState(client, run.operationId!);
  if (state.status === "COMPLETED") {
    try {
      await recordResults(db, run, state.url, options);
      return "finished";
    } catch (error) {
      // A result file that is gone, refused or unreadable: the part is run again rather than left unknown.
      if (error instanceof PermanentPlatformError || error instanceof SyntaxError) return again(`Shopify's results could not be read: ${error.message}`);
      throw error;
    }
  }
  if (ENDED_BADLY.has(state.status)) {
    return again(`Shopify's bulk operation ended ${state.status.toLowerCase()}${state.errorCode ? ` (${state.errorCode})` : ""}`);
  }
  // Written on every look, so the sweep sees the part is watched.
  const dropped = run.customerIds.length - run.lineCustomerIds.length;
  await db.bulkActionRun.updateMany({ where: still, data: { processed: dropped + state.objectCount } });
  return "running";
}

async function recordResults(db: ShopDb, run: BulkActionRun, url: string | null, options: BulkAdvanceOptions): Promise<void> {
  const lines = run.lineCustomerIds;
  const seen = new Set<number>();
  const failures = (Array.isArray(run.failures) ? run.failures : []) as unknown as Dropped[];
  let failed = run.failed;
  const refuse = (customerId: string, message: string) => {
    failed += 1;
    if (failures.length < BULK_FAILURES_KEPT) failures.push({ customerId, message });
  };
  if (url) {
    await readBulkResults(
      url,
      (line) => {
        if (line.lineNumber < 0 || line.lineNumber >= lines.length || seen.has(line.lineNumber)) return;
        seen.add(line.lineNumber);
        const problems = lineProblems(line, ROOTS[run.kind]);
        if (problems.length) refuse(lines[line.lineNumber]!, problems.join("; "));
      },
      options.fetch,
    );
  }
  // A line with no result line was not confirmed: counted as refused, with the first ones named.
  for (let n = 0; n < lines.length; n++) if (!seen.has(n)) refuse(lines[n]!, "Shopify returned no result for this member");
  await finishRun(db, run, {
    status: "SUCCEEDED",
    succeeded: run.customerIds.length - failed,
    failed,
    failures: failures as unknown as Prisma.InputJsonValue,
  });
}

/** A broadcast's bulk parts are looked at every BULK_POLL_MS; one untouched for this long lost its job (Redis). */
export const STALE_BULK_MS = 3 * 60_000;

/** Broadcasts sent this long ago or less are checked for bulk actions that were never planned. */
const UNPLANNED_LOOKBACK_MS = 7 * 24 * 3600_000;

/**
 * Broadcasts whose pending or running bulk parts nobody has looked at for a while get a job again, and a broadcast
 * whose run died between its last message and planning its bulk actions gets them planned.
 */
export async function resumeStalledBulkActions(db: ShopDb, shopId: string, now = new Date(), staleMs = STALE_BULK_MS): Promise<number> {
  const cutoff = new Date(now.getTime() - staleMs);
  const unplanned = await db.$queryRaw<{ id: string; actions: Prisma.JsonValue }[]>`
    SELECT c.id::text AS id, c.actions FROM campaigns c
    WHERE c.shop_id = ${shopId}::uuid AND c.kind = 'BROADCAST' AND c.status IN ('ACTIVE', 'PAUSED') AND c.started_at IS NOT NULL
      AND c.started_at > ${new Date(now.getTime() - UNPLANNED_LOOKBACK_MS)}::timestamp AND c.updated_at < ${cutoff}::timestamp
      AND NOT EXISTS (SELECT 1 FROM bulk_action_runs r WHERE r.shop_id = c.shop_id AND r.campaign_id = c.id)`;
  let resumed = 0;
  for (const c of unplanned) {
    if (parseActions(c.actions) && (await planBulkActions(db, shopId, c.id)) > 0) {
      await enqueueBulkActions(shopId, c.id);
      resumed += 1;
    }
  }
  const stalled = await db.$queryRaw<{ campaign_id: string }[]>`
    SELECT campaign_id::text AS campaign_id FROM bulk_action_runs
    WHERE shop_id = ${shopId}::uuid AND status IN ('PENDING', 'RUNNING')
    GROUP BY campaign_id HAVING max(updated_at) < ${cutoff}::timestamp`;
  const bucket = Math.floor(now.getTime() / staleMs);
  for (const { campaign_id } of stalled) await enqueueBulkActions(shopId, campaign_id, 0, `sweep-${bucket}`);
  return resumed + stalled.length;
}

// ---- reading -----------------------------------------------------------------------------------------------------

export interface BulkActionSummary {
  kind: BulkActionKind;
  members: number;
  /** Lines Shopify has run so far, over every part. */
  processed: number;
  succeeded: number;
  failed: number;
  parts: { total: number; pending: number; running: number; succeeded: number; failed: number };
  failures: { customerId: string; customerName: string | null; message: string }[];
  errors: string[];
}

/** What the campaign page shows of a broadcast's bulk tags and metafield. */
export async function bulkActionSummary(db: ShopDb, shopId: string, campaignId: string): Promise<BulkActionSummary[]> {
  const runs = await db.bulkActionRun.findMany({
    where: { campaignId },
    orderBy: [{ kind: "asc" }, { part: "asc" }],
    select: { kind: true, status: true, processed: true, succeeded: true, failed: true, failures: true, error: true, part: true, id: true },
  });
  if (!runs.length) return [];
  const sizes = await db.$queryRaw<{ id: string; members: number }[]>`
    SELECT id::text AS id, cardinality(customer_ids)::int AS members FROM bulk_action_runs WHERE shop_id = ${shopId}::uuid AND campaign_id = ${campaignId}::uuid AND id = ANY(${runs.map((r) => r.id)}::uuid[])`;
  const membersOf = new Map(sizes.map((s) => [s.id, s.members]));
  const out: BulkActionSummary[] = [];
  for (const kind of ["TAGS", "METAFIELD"] as const) {
    const mine = runs.filter((r) => r.kind === kind);
    if (!mine.length) continue;
    const failures = mine.flatMap((r) => (Array.isArray(r.failures) ? (r.failures as { customerId: string; message: string }[]) : []));
    out.push({
      kind,
      members: mine.reduce((n, r) => n + (membersOf.get(r.id) ?? 0), 0),
      processed: mine.reduce((n, r) => n + r.processed, 0),
      succeeded: mine.reduce((n, r) => n + r.succeeded, 0),
      failed: mine.reduce((n, r) => n + r.failed, 0),
      parts: {
        total: mine.length,
        pending: mine.filter((r) => r.status === "PENDING").length,
        running: mine.filter((r) => r.status === "RUNNING").length,
        succeeded: mine.filter((r) => r.status === "SUCCEEDED").length,
        failed: mine.filter((r) => r.status === "FAILED").length,
      },
      failures: failures.slice(0, BULK_FAILURES_KEPT).map((f) => ({ ...f, customerName: null })),
      errors: [...new Set(mine.flatMap((r) => (r.error ? [r.error] : [])))],
    });
  }
  const ids = [...new Set(out.flatMap((s) => s.failures.map((f) => f.customerId)))];
  if (ids.length) {
    const customers = await db.customer.findMany({ where: { id: { in: ids } }, select: { id: true, firstName: true, lastName: true, email: true } });
    const names = new Map(customers.map((c) => [c.id, [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || null]));
    for (const s of out) for (const f of s.failures) f.customerName = names.get(f.customerId) ?? null;
  }
  return out;
}
