// Broadcasts: a one-off send to every member of a segment at the moment it starts. The job walks the members in
// customer order, a chunk at a time: codes for the chunk in one batch (issueBatch) for a static pool, or one
// platform create per recipient (issueCode, paced by the platform client) for a dynamic one; then the messages in
// one insert, then their send jobs (the same messages queue queueMessage uses).
//
// Everything is keyed so the job can run again, whole or in part, after a retry or a worker killed anywhere:
// a customer's message is `broadcast:<campaign>:<customer>` (unique per shop, so a second insert keeps the first)
// and their code is issued under the idempotency key `broadcast:<campaign>:<customer>` (a retried batch replays
// codes already given; two runs racing on one chunk collide on that key and the loser rolls back its claim and
// replays). A customer who already has a message is passed over. One run works at a time: it holds a lease on the
// campaign row (renewed as it goes), and a run enqueued meanwhile (a second click, a sweep) leaves at once rather
// than racing it for the pool's codes, where a batch that finds the codes locked would take them as used up.
// A lease left by a dead run runs out and the next run takes it over. Progress: recipients_total is the member count
// when the broadcast started (then the number of messages once every member has one), recipients_done counts
// messages that reached a final state (sent, failed, skipped); the broadcast is finished when they meet.
import { randomUUID } from "node:crypto";
import type { Campaign, EmptyPoolBehavior, Prisma } from "@prisma/client";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import { broadcastActionsProblem, CampaignAction, SHOPIFY_ACTION_TYPES } from "../../domain/campaigns/campaign";
import type { TriggeredProduct } from "../../domain/messages/template";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import type { DynamicOptions } from "../pools/dynamic.server";
import { issueBatch, issueCode } from "../pools/issue.server";
import { livePools, missingPoolsReason, missingTemplatePools, resolveTemplateCodes, type LivePool } from "../messages/codes.server";
import { productLink, renderParts } from "../messages/compose";
import { loadTemplate, noAddressReason, recipientFor, type LoadedTemplate } from "../messages/deliver.server";
import { enqueueSends, insertMessages, messagesByKey, skipQueuedCampaignMessages, type NewMessage } from "../messages/store.server";
import { scheduleTasks } from "../tasks/schedule.server";
import { bulkActionsOf, enqueueBulkActions, planBulkActions } from "./bulk-actions.server";
import { enqueueWithin } from "../webhooks.server";

export const BROADCAST_CHUNK = 1000;
/** A broadcast held by an empty pool looks again this often. */
export const HELD_RETRY_MS = 5 * 60_000;
/** How long a run's claim on its broadcast lasts unless renewed (it is renewed per chunk and per dynamic code). */
export const BROADCAST_LEASE_MS = 5 * 60_000;

export function broadcastKey(campaignId: string, customerId: string): string {
  return `broadcast:${campaignId}:${customerId}`;
}

export function broadcastSource(campaignId: string): string {
  return `broadcast:${campaignId}`;
}

interface Plan {
  templateId: string;
  poolId: string | null;
  /** Where the code and the message are in the actions (their records are written for the member's task). */
  issueIndex: number;
  sendIndex: number;
  /**
   * With a Flow trigger, each member gets a task that runs the Shopify actions (paced by the Admin API) after their
   * code (decision 0018); without one, tags and metafield go to Shopify as bulk mutations once every member has a
   * message (decision 0022).
   */
  memberTasks: boolean;
  bulk: boolean;
}

function planOf(actions: Prisma.JsonValue): { ok: true; plan: Plan } | { ok: false; message: string } {
  const parsed = CampaignAction.array().safeParse(actions);
  if (!parsed.success) return { ok: false, message: "The broadcast's actions are not valid: edit and save it again" };
  const problem = broadcastActionsProblem(parsed.data);
  if (problem) return { ok: false, message: problem };
  const sendIndex = parsed.data.findIndex((a) => a.type === "send_message");
  const send = parsed.data[sendIndex];
  if (!send || send.type !== "send_message") return { ok: false, message: "A broadcast needs a message to send" };
  const issueIndex = parsed.data.findIndex((a) => a.type === "issue_code");
  const bulk = bulkActionsOf(parsed.data) !== null;
  const issue = parsed.data[issueIndex];
  return {
    ok: true,
    plan: {
      templateId: send.templateId,
      poolId: issue?.type === "issue_code" ? issue.poolId : null,
      issueIndex,
      sendIndex,
      memberTasks: !bulk && parsed.data.some((a) => SHOPIFY_ACTION_TYPES.includes(a.type)),
      bulk,
    },
  };
}

// ---- starting ----------------------------------------------------------------------------------------------------

export type StartBroadcastResult =
  | { type: "started"; recipients: number }
  /** Already started and not finished: its job is asked to carry on (after a crash, or a Redis outage). */
  | { type: "resumed" }
  | { type: "already_finished" }
  | { type: "not_found" }
  | { type: "not_broadcast" }
  | { type: "refused"; message: string };

const ENQUEUE_TIMEOUT_MS = 2000;

async function enqueueBroadcast(shopId: string, campaignId: string, tag: string, delayMs = 0): Promise<boolean> {
  return enqueueWithin(ENQUEUE_TIMEOUT_MS, () =>
    enqueue("messages", "broadcast", { shopId, campaignId }, { jobId: jobId("broadcast", campaignId, tag), ...(delayMs ? { delay: delayMs } : {}) }),
  );
}

/**
 * Sends a draft broadcast: counts the segment's members, marks it started, and hands the rest to the job. Asked
 * again while it runs, it only makes sure the job is there.
 */
export async function startBroadcast(db: ShopDb, shopId: string, campaignId: string, now = new Date()): Promise<StartBroadcastResult> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId } });
  if (!campaign) return { type: "not_found" };
  if (campaign.kind !== "BROADCAST") return { type: "not_broadcast" };
  if (campaign.finishedAt) return { type: "already_finished" };
  if (campaign.status === "STOPPED") return { type: "refused", message: "This broadcast was stopped" };
  if (campaign.startedAt) {
    await enqueueBroadcast(shopId, campaignId, `resume-${now.getTime()}`);
    return { type: "resumed" };
  }
  const checked = await checkBroadcast(db, campaign);
  if (!checked.ok) return { type: "refused", message: checked.message };

  const recipients = await db.segmentMembership.count({ where: { segmentId: campaign.segmentId!, enteredAt: { lte: now } } });
  const { count } = await db.campaign.updateMany({
    where: { id: campaignId, startedAt: null },
    data: { status: "ACTIVE", startedAt: now, recipientsTotal: recipients, recipientsDone: 0, skippedCount: 0, ...(recipients === 0 ? { finishedAt: now } : {}) },
  });
  // Two clicks raced: the other one started it.
  if (count === 0) return { type: "resumed" };
  if (recipients > 0) await enqueueBroadcast(shopId, campaignId, "start");
  return { type: "started", recipients };
}

async function checkBroadcast(db: ShopDb, campaign: Campaign): Promise<{ ok: true; plan: Plan } | { ok: false; message: string }> {
  const plan = planOf(campaign.actions);
  if (!plan.ok) return plan;
  if (!campaign.segmentId) return { ok: false, message: "Pick a segment to send to" };
  const segment = await db.segment.findFirst({ where: { id: campaign.segmentId, deletedAt: null }, select: { id: true } });
  if (!segment) return { ok: false, message: "The segment was deleted" };
  const template = await loadTemplate(db, plan.plan.templateId);
  if (template.type === "unusable") return { ok: false, message: template.reason };
  const missing = missingTemplatePools(template.template.parts.needs, await livePools(db));
  if (missing.length > 0) return { ok: false, message: missingPoolsReason(missing) };
  if (plan.plan.poolId) {
    const pool = await db.pool.findFirst({ where: { id: plan.plan.poolId, deletedAt: null }, select: { id: true } });
    if (!pool) return { ok: false, message: "The pool to issue codes from was deleted" };
  } else if (template.template.parts.needs.runCode) {
    return { ok: false, message: "The message shows a promo code: add an action that issues one first" };
  }
  return plan;
}

// ---- the job -----------------------------------------------------------------------------------------------------

export interface BroadcastOptions {
  chunkSize?: number;
  dynamic?: DynamicOptions;
  heldRetryMs?: number;
  log?: (line: string) => void;
  /** Whether to enqueue send jobs and the bulk actions job (tests drive sending and bulk actions themselves). */
  enqueueSends?: boolean;
  /** How long this run's lease lasts between renewals (BROADCAST_LEASE_MS). */
  leaseMs?: number;
  /** Called after each chunk is stored (tests pause or interfere there). */
  onChunk?: () => Promise<void>;
}

export type BroadcastRunResult =
  | { type: "done"; created: number; skipped: number; held: number; total: number }
  /** Paused, stopped, finished or not started: nothing new is started. */
  | { type: "not_running"; reason: string };

interface MemberRow {
  customer_id: string;
  triggered_products: Prisma.JsonValue;
  email: string | null;
  phone: string | null;
  platform_id: string;
  first_name: string | null;
  last_name: string | null;
}

interface RunCode {
  codeId: string | null;
  code: string;
  expiresAt: Date | null;
}

type CodeFor = { type: "code"; code: RunCode } | { type: "skip"; reason: string } | { type: "held" };

interface RunContext {
  db: ShopDb;
  shopId: string;
  campaign: Campaign;
  plan: Plan;
  template: LoadedTemplate;
  pool: { id: string; name: string; kind: "STATIC" | "DYNAMIC" } | null;
  pools: LivePool[];
  shopName: string;
  /** For product links: the storefront's domain on a Shopify store. */
  shop: { domain: string; platform: string };
  options: BroadcastOptions;
  lease: Lease;
}

/** The run's hold on its broadcast: taken before the first chunk, renewed as it goes, given back when it ends. */
class Lease {
  constructor(
    private readonly db: ShopDb,
    private readonly shopId: string,
    private readonly campaignId: string,
    private readonly ms: number,
    readonly token = randomUUID(),
  ) {}

  /** Takes the lease, or keeps it: false when another run holds one that has not run out. */
  async take(now = new Date()): Promise<boolean> {
    const until = new Date(now.getTime() + this.ms);
    const taken = await this.db.$executeRaw`
      UPDATE campaigns SET run_token = ${this.token}::uuid, run_lease_until = ${until}::timestamp
      WHERE id = ${this.campaignId}::uuid AND shop_id = ${this.shopId}::uuid
        AND (run_token IS NULL OR run_token = ${this.token}::uuid OR run_lease_until < ${now}::timestamp)`;
    return taken === 1;
  }

  /** Renews the lease; a run that lost it (it stalled past the lease and another run took over) stops. */
  async renew(): Promise<void> {
    if (!(await this.take())) throw new LeaseLost();
  }

  async release(): Promise<void> {
    await this.db.$executeRaw`
      UPDATE campaigns SET run_token = NULL, run_lease_until = NULL
      WHERE id = ${this.campaignId}::uuid AND shop_id = ${this.shopId}::uuid AND run_token = ${this.token}::uuid`;
  }
}

class LeaseLost extends Error {
  constructor() {
    super("Another run took this broadcast over");
  }
}

/** Dynamic codes take a platform call each: the lease is renewed this often within a chunk. */
const RENEW_EVERY_DYNAMIC = 50;

async function members(ctx: RunContext, after: string | null, take: number): Promise<MemberRow[]> {
  const startedAt = ctx.campaign.startedAt!;
  return ctx.db.$queryRaw<MemberRow[]>`
    SELECT sm.customer_id::text AS customer_id, sm.triggered_products, c.email, c.phone, c.platform_id, c.first_name, c.last_name
    FROM segment_memberships sm JOIN customers c ON c.id = sm.customer_id AND c.shop_id = sm.shop_id
    WHERE sm.shop_id = ${ctx.shopId}::uuid AND sm.segment_id = ${ctx.campaign.segmentId}::uuid AND sm.entered_at <= ${startedAt}::timestamp
      AND (${after}::uuid IS NULL OR sm.customer_id > ${after}::uuid)
    ORDER BY sm.customer_id
    LIMIT ${take}`;
}

function productIds(json: Prisma.JsonValue): string[] {
  return Array.isArray(json) ? json.map(String) : [];
}

function emptyPoolOutcome(behavior: EmptyPoolBehavior, fallbackCode: string | null, poolName: string): CodeFor {
  if (behavior === "HOLD_UNTIL_REFILLED") return { type: "held" };
  if (behavior === "SEND_FALLBACK" && fallbackCode) return { type: "code", code: { codeId: null, code: fallbackCode, expiresAt: null } };
  return { type: "skip", reason: `Pool "${poolName}" is empty` };
}

async function batchWithReplay(ctx: RunContext, poolId: string, customerIds: string[]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await issueBatch(ctx.db, {
        shopId: ctx.shopId,
        poolId,
        customerIds,
        source: broadcastSource(ctx.campaign.id),
        batchKey: broadcastSource(ctx.campaign.id),
      });
    } catch (error) {
      // Another run of this broadcast issued part of the chunk first: this batch rolled back, and asking again
      // replays what that run issued.
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

/** The run's code for each recipient of the chunk: a batch for a static pool, one create each for a dynamic one. */
async function codesFor(ctx: RunContext, recipients: MemberRow[]): Promise<Map<string, CodeFor>> {
  const out = new Map<string, CodeFor>();
  const { pool } = ctx;
  if (!ctx.plan.poolId) return out;
  if (!pool) {
    for (const r of recipients) out.set(r.customer_id, { type: "skip", reason: "The pool to issue codes from was deleted" });
    return out;
  }
  if (pool.kind === "STATIC") {
    const batch = await batchWithReplay(ctx, pool.id, recipients.map((r) => r.customer_id));
    for (const issued of batch.issued) out.set(issued.customerId, { type: "code", code: { codeId: issued.codeId, code: issued.code, expiresAt: issued.expiresAt } });
    for (const customerId of batch.unserved) {
      out.set(
        customerId,
        batch.pool ? emptyPoolOutcome(batch.pool.emptyBehavior, batch.pool.fallbackCode, pool.name) : { type: "skip", reason: "The pool to issue codes from was deleted" },
      );
    }
    return out;
  }
  for (const [i, r] of recipients.entries()) {
    if (i > 0 && i % RENEW_EVERY_DYNAMIC === 0) await ctx.lease.renew();
    const result = await issueCode(
      ctx.db,
      {
        shopId: ctx.shopId,
        poolId: pool.id,
        customerId: r.customer_id,
        idempotencyKey: broadcastKey(ctx.campaign.id, r.customer_id),
        source: broadcastSource(ctx.campaign.id),
        triggeredProducts: productIds(r.triggered_products),
      },
      ctx.options.dynamic,
    );
    if (result.type === "issued") out.set(r.customer_id, { type: "code", code: { codeId: result.issued.codeId, code: result.issued.code, expiresAt: result.issued.expiresAt } });
    else if (result.type === "pool_empty") out.set(r.customer_id, emptyPoolOutcome(result.behavior, result.fallbackCode, pool.name));
    else if (result.type === "dynamic_refused") out.set(r.customer_id, { type: "skip", reason: `Pool "${pool.name}" could not create a code: ${result.message}` });
    else if (result.type === "pool_not_found") out.set(r.customer_id, { type: "skip", reason: "The pool to issue codes from was deleted" });
    else throw new Error(`issuing a broadcast code answered ${result.type}`);
  }
  return out;
}

async function productsFor(ctx: RunContext, rows: MemberRow[]): Promise<Map<string, TriggeredProduct>> {
  if (!ctx.template.parts.needs.triggeredProducts) return new Map();
  const ids = [...new Set(rows.flatMap((r) => productIds(r.triggered_products)))];
  if (ids.length === 0) return new Map();
  const products = await ctx.db.product.findMany({ where: { platformId: { in: ids } }, select: { platformId: true, title: true, vendor: true, url: true } });
  return new Map(products.map((p) => [p.platformId, { id: p.platformId, title: p.title, vendor: p.vendor, url: productLink(ctx.shop, p.url) }]));
}

interface ChunkResult {
  queuedIds: bigint[];
  created: number;
  skipped: number;
  held: number;
}

async function runChunk(ctx: RunContext, rows: MemberRow[]): Promise<ChunkResult> {
  const { db, campaign, template } = ctx;
  const keys = rows.map((r) => broadcastKey(campaign.id, r.customer_id));
  const existing = await messagesByKey(db, ctx.shopId, keys);
  const done = new Set(existing.map((m) => m.dedupeKey));
  // Queued by an earlier run whose send jobs may not have reached Redis: asking again is harmless (claims are atomic).
  const requeue = existing.filter((m) => m.status === "QUEUED").map((m) => m.id);
  const todo = rows.filter((r) => !done.has(broadcastKey(campaign.id, r.customer_id)));

  const newRows: NewMessage[] = [];
  const base = (r: MemberRow) => ({
    customerId: r.customer_id,
    taskId: null,
    templateId: template.id,
    campaignId: campaign.id,
    channel: template.channel,
    dedupeKey: broadcastKey(campaign.id, r.customer_id),
  });
  const skip = (r: MemberRow, reason: string) =>
    newRows.push({ ...base(r), codeId: null, recipient: "", subject: null, body: "", status: "SKIPPED", error: reason });

  // A pool the template names was deleted (or renamed) since the broadcast started: every message is skipped with
  // the reason, before the chunk's codes are issued.
  const missing = missingTemplatePools(template.parts.needs, ctx.pools);
  const addressed: { row: MemberRow; to: string }[] = [];
  for (const r of todo) {
    const to = recipientFor(template.channel, { email: r.email, phone: r.phone, platformId: r.platform_id });
    if (missing.length > 0) skip(r, missingPoolsReason(missing));
    else if (to) addressed.push({ row: r, to });
    else skip(r, noAddressReason(template.channel));
  }

  const codes = await codesFor(ctx, addressed.map((a) => a.row));
  const products = await productsFor(ctx, addressed.map((a) => a.row));
  let held = 0;
  for (const { row, to } of addressed) {
    const code = ctx.plan.poolId ? codes.get(row.customer_id) : undefined;
    if (code?.type === "held") {
      held++;
      continue;
    }
    if (code?.type === "skip") {
      skip(row, code.reason);
      continue;
    }
    const runCode = code?.type === "code" ? code.code : null;
    const own = await resolveTemplateCodes(
      db,
      {
        shopId: ctx.shopId,
        customerId: row.customer_id,
        dedupeKey: broadcastKey(campaign.id, row.customer_id),
        source: broadcastSource(campaign.id),
        needs: template.parts.needs,
        triggeredProductIds: productIds(row.triggered_products),
      },
      { pools: ctx.pools, dynamic: ctx.options.dynamic },
    );
    if (own.type === "held") {
      held++;
      continue;
    }
    if (own.type === "skip") {
      skip(row, own.reason);
      continue;
    }
    const rendered = renderParts(template.channel, template.parts, {
      runCode: runCode?.code ?? null,
      codeExpiresAt: runCode?.expiresAt ?? own.first?.expiresAt ?? null,
      customer: { firstName: row.first_name, lastName: row.last_name, email: row.email },
      shopName: ctx.shopName,
      poolCodes: own.poolCodes,
      lastPoolCodes: own.lastPoolCodes,
      triggeredProducts: productIds(row.triggered_products).map((id) => products.get(id) ?? { id }),
    });
    newRows.push({
      ...base(row),
      codeId: runCode?.codeId ?? own.first?.codeId ?? null,
      recipient: to,
      subject: rendered.subject,
      body: rendered.body,
      status: "QUEUED",
      error: null,
    });
  }

  const inserted = await insertMessages(db, ctx.shopId, newRows);
  const skipped = inserted.filter((m) => m.status === "SKIPPED").length;
  if (skipped > 0) {
    await db.$executeRaw`
      UPDATE campaigns SET skipped_count = skipped_count + ${skipped}, recipients_done = recipients_done + ${skipped}, updated_at = ${new Date()}::timestamp
      WHERE id = ${campaign.id}::uuid AND shop_id = ${ctx.shopId}::uuid`;
  } else {
    // A heartbeat: the sweep leaves a broadcast alone while its job keeps touching it.
    await db.$executeRaw`UPDATE campaigns SET updated_at = ${new Date()}::timestamp WHERE id = ${campaign.id}::uuid AND shop_id = ${ctx.shopId}::uuid`;
  }
  if (ctx.plan.memberTasks) await createMemberTasks(ctx, keys);
  const queuedIds = [...requeue, ...inserted.filter((m) => m.status === "QUEUED").map((m) => m.id)];
  return { queuedIds, created: inserted.length - skipped, skipped, held };
}

/**
 * The tags, metafield and Flow trigger of a broadcast run per member as a campaign task: the task runner already
 * paces them at the shop's Admin API rate, retries what can be retried, never fires Flow twice, and shows each
 * member's outcome on the tasks page. The task starts with the broadcast's code and message already recorded as
 * its steps (read back from the member's message, so a chunk done by an earlier run gets its tasks too), so the
 * runner does only the rest. One task per member: keyed like the message, a second run adds none.
 */
async function createMemberTasks(ctx: RunContext, keys: string[]): Promise<void> {
  const { plan } = ctx;
  const now = new Date();
  const created = await ctx.db.$queryRaw<{ id: string; due_at: Date }[]>`
    INSERT INTO tasks (id, shop_id, campaign_id, customer_id, status, due_at, dedupe_key, context, created_at, updated_at)
    SELECT gen_random_uuid(), m.shop_id, m.campaign_id, m.customer_id, 'PENDING', ${now}::timestamp, m.dedupe_key,
           jsonb_build_object(
             'trigger', 'broadcast',
             'triggeredAt', ${now.toISOString()}::text,
             'triggeredProducts', '[]'::jsonb,
             'steps',
             jsonb_build_object(${String(plan.sendIndex)}::text,
               CASE WHEN m.status = 'SKIPPED'
                    THEN jsonb_build_object('kind', 'message', 'status', 'skipped', 'reason', m.error)
                    ELSE jsonb_build_object('kind', 'message', 'status', 'queued', 'messageId', m.id::text) END)
             || CASE WHEN ${plan.issueIndex} < 0 THEN '{}'::jsonb
                ELSE jsonb_build_object(${String(plan.issueIndex)}::text,
                  CASE WHEN c.id IS NOT NULL
                       THEN jsonb_build_object('kind', 'code', 'status', 'issued', 'poolId', c.pool_id::text, 'codeId', c.id::text,
                              'code', c.code, 'expiresAt', to_char(c.expires_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                       WHEN m.status <> 'SKIPPED' AND p.fallback_code IS NOT NULL
                       THEN jsonb_build_object('kind', 'code', 'status', 'fallback', 'poolId', p.id::text, 'code', p.fallback_code)
                       ELSE jsonb_build_object('kind', 'code', 'status', 'skipped', 'poolId', ${plan.poolId}::text, 'skipsMessages', true,
                              'reason', COALESCE(m.error, 'No code was given to this member')) END) END),
           ${now}::timestamp, ${now}::timestamp
    FROM messages m
    LEFT JOIN codes c ON c.id = m.code_id AND c.shop_id = m.shop_id
    LEFT JOIN pools p ON p.id = ${plan.poolId}::uuid AND p.shop_id = m.shop_id
    WHERE m.shop_id = ${ctx.shopId}::uuid AND m.dedupe_key = ANY(${keys}::text[])
    ON CONFLICT (shop_id, dedupe_key) DO NOTHING
    RETURNING id::text, due_at`;
  await scheduleTasks(ctx.shopId, created);
}

/**
 * PostgreSQL plans by what it last measured of a table. A broadcast can grow `messages` and `issuances` from
 * nothing to 100,000 rows in a minute, before autovacuum measures them again; planned for an empty table, each
 * send job's claim and outcome write scanned every queued row instead of looking up its 100 ids. So once the
 * tables hold clearly more than the planner knows, they are measured again (best effort: only the tables' owner
 * may, and autovacuum does it eventually anyway).
 */
async function refreshStatistics(db: ShopDb, rowsWritten: number, log: (line: string) => void): Promise<void> {
  try {
    const known = await db.$queryRaw<{ rows: number }[]>`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'messages'::regclass`;
    if ((known[0]?.rows ?? 0) >= rowsWritten) return;
    await db.$executeRaw`ANALYZE messages`;
    await db.$executeRaw`ANALYZE issuances`;
  } catch (error) {
    log(`[broadcast] could not refresh table statistics: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Once every member has a message: the total becomes the number of messages, and the broadcast may be finished. */
async function settleTotal(db: ShopDb, shopId: string, campaignId: string): Promise<number> {
  const total = await db.message.count({ where: { campaignId } });
  const now = new Date();
  await db.$executeRaw`
    UPDATE campaigns SET recipients_total = ${total},
      finished_at = CASE WHEN finished_at IS NULL AND recipients_done >= ${total} THEN ${now}::timestamp ELSE finished_at END,
      updated_at = ${now}::timestamp
    WHERE id = ${campaignId}::uuid AND shop_id = ${shopId}::uuid`;
  return total;
}

export async function runBroadcast(db: ShopDb, shopId: string, campaignId: string, options: BroadcastOptions = {}): Promise<BroadcastRunResult> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId } });
  if (!campaign || campaign.kind !== "BROADCAST") return { type: "not_running", reason: "No such broadcast" };
  if (!campaign.startedAt) return { type: "not_running", reason: "Not started" };
  if (campaign.finishedAt) return { type: "not_running", reason: "Finished" };
  if (campaign.status !== "ACTIVE") return { type: "not_running", reason: `The broadcast is ${campaign.status.toLowerCase()}` };
  const checked = planOf(campaign.actions);
  if (!checked.ok) return { type: "not_running", reason: checked.message };
  const loaded = await loadTemplate(db, checked.plan.templateId);
  if (loaded.type === "unusable") {
    await db.campaign.updateMany({ where: { id: campaignId }, data: { status: "STOPPED", finishedAt: new Date() } });
    (options.log ?? console.warn)(`[broadcast] ${campaignId} stopped: ${loaded.reason}`);
    return { type: "not_running", reason: loaded.reason };
  }
  const lease = new Lease(db, shopId, campaignId, options.leaseMs ?? BROADCAST_LEASE_MS);
  if (!(await lease.take())) return { type: "not_running", reason: "Another run is sending this broadcast" };
  try {
    return await runWithLease(db, shopId, campaign, checked.plan, loaded.template, lease, options);
  } catch (error) {
    if (error instanceof LeaseLost) return { type: "not_running", reason: error.message };
    throw error;
  } finally {
    await lease.release();
  }
}

/** The broadcast is no longer running (stopped): its queued messages are skipped, and the run says why. */
async function notRunning(ctx: RunContext): Promise<BroadcastRunResult | null> {
  const row = await ctx.db.campaign.findFirst({ where: { id: ctx.campaign.id }, select: { status: true } });
  if (row?.status === "ACTIVE") return null;
  if (row?.status === "STOPPED") await skipQueuedCampaignMessages(ctx.db, ctx.shopId, ctx.campaign.id);
  return { type: "not_running", reason: `The broadcast is ${row?.status.toLowerCase() ?? "gone"}` };
}

async function runWithLease(
  db: ShopDb,
  shopId: string,
  campaign: Campaign,
  plan: Plan,
  template: LoadedTemplate,
  lease: Lease,
  options: BroadcastOptions,
): Promise<BroadcastRunResult> {
  const campaignId = campaign.id;
  const pool = plan.poolId
    ? await db.pool.findFirst({ where: { id: plan.poolId, deletedAt: null }, select: { id: true, name: true, kind: true } })
    : null;
  const shop = await db.shop.findFirstOrThrow({ select: { name: true, domain: true, platform: true } });
  const ctx: RunContext = {
    db,
    shopId,
    campaign,
    plan,
    template,
    pool,
    pools: template.parts.needs.initialPools.length || template.parts.needs.reissuePools.length ? await livePools(db) : [],
    shopName: shop.name ?? shop.domain,
    shop,
    options,
    lease,
  };

  const chunkSize = options.chunkSize ?? BROADCAST_CHUNK;
  const totals = { created: 0, skipped: 0, held: 0 };
  let after: string | null = null;
  let measuredAt = 0;
  for (;;) {
    if (after !== null) await lease.renew();
    const rows = await members(ctx, after, chunkSize);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.customer_id;
    const chunk = await runChunk(ctx, rows);
    totals.created += chunk.created;
    totals.skipped += chunk.skipped;
    totals.held += chunk.held;
    const written = totals.created + totals.skipped;
    if (written >= Math.max(chunkSize, measuredAt * 4)) {
      measuredAt = written;
      await refreshStatistics(db, written, options.log ?? console.warn);
    }
    // Stopped while this chunk was written: the stop skipped the messages already there, and this chunk's are
    // skipped here before any is handed to a sender. Looked at again after the chunk is handed over, for a stop
    // that lands meanwhile (its own skip then catches what no sender has claimed yet).
    const stopped = await notRunning(ctx);
    if (stopped) return stopped;
    if (options.enqueueSends !== false) await enqueueSends(shopId, chunk.queuedIds);
    await options.onChunk?.();
    const stoppedAfter = await notRunning(ctx);
    if (stoppedAfter) return stoppedAfter;
    if (rows.length < chunkSize) break;
  }
  if (plan.bulk) {
    // The members who have their message and code get their tags and metafield from Shopify in bulk; members held
    // by an empty pool join in later parts, planned by the run that gives them their message. Planned before the
    // total is settled: a run that died after settling would find the broadcast finished and plan nothing.
    const planned = await planBulkActions(db, shopId, campaignId);
    if (planned > 0 && options.enqueueSends !== false) await enqueueBulkActions(shopId, campaignId);
  }
  if (totals.held > 0) {
    // An empty pool set to hold: the held recipients get their message once it is refilled.
    await enqueueBroadcast(shopId, campaignId, `held-${Date.now()}`, options.heldRetryMs ?? HELD_RETRY_MS);
    return { type: "done", ...totals, total: campaign.recipientsTotal ?? 0 };
  }
  const total = await settleTotal(db, shopId, campaignId);
  return { type: "done", ...totals, total };
}

// ---- for the sweep -----------------------------------------------------------------------------------------------

/** Broadcast jobs are lost with Redis too: one not touched for this long and still short of messages is resumed. */
export const STALE_BROADCAST_MS = 10 * 60_000;

/** Started, unfinished broadcasts whose job stopped touching them while members still lack a message. */
export async function resumeStalledBroadcasts(db: ShopDb, shopId: string, staleMs = STALE_BROADCAST_MS, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - staleMs);
  const stalled = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id::text AS id FROM campaigns c
    WHERE c.shop_id = ${shopId}::uuid AND c.kind = 'BROADCAST' AND c.status = 'ACTIVE' AND c.started_at IS NOT NULL
      AND c.finished_at IS NULL AND c.updated_at < ${cutoff}::timestamp
      AND (SELECT count(*) FROM messages m WHERE m.campaign_id = c.id AND m.shop_id = c.shop_id) < COALESCE(c.recipients_total, 0)`;
  const bucket = Math.floor(now.getTime() / staleMs);
  for (const { id } of stalled) await enqueueBroadcast(shopId, id, `sweep-${bucket}`);
  return stalled.length;
}
