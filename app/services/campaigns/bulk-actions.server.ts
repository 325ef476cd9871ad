// A broadcast's tags and metafield as Shopify bulk mutations (decision 0022). Once every member has their code and
// message, the members are split into parts; each part of each action is one bulk_action_runs row, then one
// bulkOperationRunMutation over a JSONL file with a line per member. Shopify runs the lines outside the Admin API's
// rate limit, so 100,000 members are tagged in minutes instead of hours. The rows are the truth: a job starts the
// parts (at most five bulk mutations per shop run at once at Shopify), polls them, reads each result file and
// records what Shopify refused, member by member. A job that dies anywhere is taken over: a part claimed by a dead
// job is started again once its claim runs out, and a failed operation is started again whole. Both are safe,
// because adding a tag or setting a metafield twice leaves the customer as once.
import type { BulkActionKind, BulkActionRun, Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { CampaignAction } from "../../domain/campaigns/campaign";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { PermanentPlatformError } from "../../platforms/errors";
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
/** An operation Shopify failed (or that expired) is started again this many times in all. */
export const BULK_MAX_ATTEMPTS = 3;
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
 * Splits the broadcast's members into the parts of each action, once every member has a message: everyone is
 * tagged (as a member's task did), and the metafield goes to those who got a code (their own, or the pool's
 * fallback code). Planning again adds nothing.
 */
export async function planBulkActions(db: ShopDb, shopId: string, campaignId: string, partSize = BULK_PART_SIZE): Promise<number> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId }, select: { actions: true } });
  const bulk = campaign ? parseActions(campaign.actions) : null;
  if (!bulk) return 0;
  if ((await db.bulkActionRun.count({ where: { campaignId } })) > 0) return 0;
  const members = await db.$queryRaw<{ customer_id: string; has_code: boolean }[]>`
    SELECT m.customer_id::text AS customer_id,
           (m.code_id IS NOT NULL OR (m.status <> 'SKIPPED' AND p.fallback_code IS NOT NULL)) AS has_code
    FROM messages m
    LEFT JOIN pools p ON p.id = ${bulk.poolId}::uuid AND p.shop_id = m.shop_id
    WHERE m.shop_id = ${shopId}::uuid AND m.campaign_id = ${campaignId}::uuid AND m.customer_id IS NOT NULL
    ORDER BY m.customer_id`;
  const rows: Prisma.BulkActionRunCreateManyInput[] = [];
  const plan = (kind: BulkActionKind, ids: string[]) => {
    for (let part = 0; part * partSize < ids.length; part++) {
      rows.push({ shopId, campaignId, kind, part, customerIds: ids.slice(part * partSize, (part + 1) * partSize) });
    }
  };
  if (bulk.tags.length) plan("TAGS", members.map((m) => m.customer_id));
  if (bulk.metafields.length) plan("METAFIELD", members.filter((m) => m.has_code).map((m) => m.customer_id));
  if (!rows.length) return 0;
  const { count } = await db.bulkActionRun.createMany({ data: rows, skipDuplicates: true });
  return count;
}

/**
 * The job id names the poll slot it runs in, so two chains of looks (a job the sweep added while the first was only
 * late) merge into one at their next slot instead of both going on.
 */
export async function enqueueBulkActions(shopId: string, campaignId: string, delayMs = 0, tag = `t${Math.floor((Date.now() + delayMs) / BULK_POLL_MS)}`): Promise<void> {
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
  const campaign = await db.campaign.findFirst({ where: { id: campaignId }, select: { actions: true } });
  const bulk = campaign ? parseActions(campaign.actions) : null;
  const shop = await db.shop.findFirstOrThrow({ select: { domain: true, platform: true } });
  if (shop.platform !== "SHOPIFY") {
    // Shown on the campaign page, as a member's task showed it on the tasks page.
    const { count } = await db.bulkActionRun.updateMany({
      where: { campaignId, status: { in: ["PENDING", "RUNNING"] } },
      data: { status: "FAILED", error: `Tags and metafields are Shopify-only: this store is on ${shop.platform.toLowerCase()}`, finishedAt: now() },
    });
    return { open: 0, started: 0, finished: count };
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
      client = await make(shop.domain);
    }
    return client;
  };

  const pending = runs.filter((r) => r.status === "PENDING");
  for (const run of runs.filter((r) => r.status === "RUNNING")) {
    const polled = await poll(db, run, await getClient(), options);
    if (polled === "finished") result.finished += 1;
    // Started again in this same look when a slot is free.
    if (polled === "again") pending.push({ ...run, status: "PENDING", operationId: null, claimedUntil: null });
  }

  let slots = SHOPIFY_BULK_CONCURRENCY - (await db.bulkActionRun.count({ where: { status: "RUNNING" } }));
  for (const run of pending) {
    if (slots <= 0) break;
    if (!bulk) {
      await finishRun(db, run.id, { status: "FAILED", error: "The broadcast's actions changed: nothing was sent to Shopify" });
      result.finished += 1;
      continue;
    }
    const claimed = await db.bulkActionRun.updateMany({
      where: { id: run.id, status: "PENDING", OR: [{ claimedUntil: null }, { claimedUntil: { lt: now() } }] },
      data: { claimedUntil: new Date(now().getTime() + BULK_CLAIM_MS), attempts: { increment: 1 } },
    });
    if (claimed.count === 0) continue;
    const outcome = await start(db, shopId, run, bulk, getClient, options);
    if (outcome === "busy") break;
    if (outcome === "started") {
      result.started += 1;
      slots -= 1;
    } else result.finished += 1;
  }
  // Parts waiting for a slot are touched too: the sweep resumes only broadcasts nobody looks at.
  const touched = await db.bulkActionRun.updateMany({ where: { campaignId, status: { in: ["PENDING", "RUNNING"] } }, data: { updatedAt: now() } });
  result.open = touched.count;
  return result;
}

async function finishRun(
  db: ShopDb,
  id: string,
  data: { status: "SUCCEEDED" | "FAILED"; error?: string; succeeded?: number; failed?: number; processed?: number; failures?: Prisma.InputJsonValue },
) {
  await db.bulkActionRun.update({ where: { id }, data: { error: null, ...data, claimedUntil: null, finishedAt: new Date() } });
}

/**
 * The part's lines, in member order; members gone since (redacted) or without a Shopify id are left out. Each
 * member's message is found by its unique key (broadcastKey: `broadcast:<campaign>:<customer>`), an index lookup
 * whatever the planner believes of a messages table that has just grown by a whole broadcast.
 */
async function linesOf(db: ShopDb, shopId: string, run: BulkActionRun, bulk: BulkActions): Promise<Line[]> {
  const rows = await db.$queryRaw<{ customer_id: string; platform_id: string; code: string | null }[]>`
    SELECT u.customer_id::text AS customer_id, cu.platform_id,
           COALESCE(c.code, CASE WHEN m.status <> 'SKIPPED' THEN p.fallback_code END) AS code
    FROM unnest(${run.customerIds}::uuid[]) WITH ORDINALITY AS u(customer_id, n)
    JOIN customers cu ON cu.id = u.customer_id AND cu.shop_id = ${shopId}::uuid
    LEFT JOIN messages m ON m.shop_id = ${shopId}::uuid AND m.dedupe_key = 'broadcast:' || ${run.campaignId}::text || ':' || u.customer_id::text
    LEFT JOIN codes c ON c.id = m.code_id AND c.shop_id = ${shopId}::uuid
    LEFT JOIN pools p ON p.id = ${bulk.poolId}::uuid AND p.shop_id = ${shopId}::uuid
    ORDER BY u.n`;
  const lines: Line[] = [];
  for (const row of rows) {
    let id: string;
    try {
      id = customerGid(row.platform_id);
    } catch {
      continue;
    }
    if (run.kind === "TAGS") lines.push({ customerId: row.customer_id, variables: { id, tags: bulk.tags } });
    else if (row.code !== null) {
      lines.push({
        customerId: row.customer_id,
        variables: {
          metafields: bulk.metafields.map((f) => ({ ownerId: id, namespace: f.namespace, key: f.key, type: "single_line_text_field", value: row.code })),
        },
      });
    }
  }
  return lines;
}

async function start(
  db: ShopDb,
  shopId: string,
  run: BulkActionRun,
  bulk: BulkActions,
  getClient: () => Promise<ShopifyAdminClient>,
  options: BulkAdvanceOptions,
): Promise<"started" | "busy" | "finished"> {
  const lines = await linesOf(db, shopId, run, bulk);
  if (!lines.length) {
    await finishRun(db, run.id, { status: "SUCCEEDED", processed: 0, succeeded: 0, failed: 0 });
    return "finished";
  }
  const release = () => db.bulkActionRun.update({ where: { id: run.id }, data: { claimedUntil: null, attempts: { decrement: 1 } } });
  let started;
  try {
    started = await startBulkMutation(await getClient(), {
      mutation: MUTATIONS[run.kind],
      lines: lines.map((l) => l.variables),
      clientIdentifier: `broadcast-${run.campaignId}-${run.kind.toLowerCase()}-${run.part}`,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof PermanentPlatformError) {
      await finishRun(db, run.id, { status: "FAILED", error: error.message });
      return "finished";
    }
    // Transient: the part goes back to pending, and the job's retry (or the next look) starts it.
    await release();
    throw error;
  }
  if (started.type === "busy") {
    await release();
    return "busy";
  }
  if (started.type === "refused") {
    await finishRun(db, run.id, { status: "FAILED", error: `Shopify refused the bulk operation: ${started.message}` });
    return "finished";
  }
  // The lines as sent: result line N is customerIds[N].
  await db.bulkActionRun.update({
    where: { id: run.id },
    data: { status: "RUNNING", operationId: started.operationId, customerIds: lines.map((l) => l.customerId), processed: 0, claimedUntil: null },
  });
  return "started";
}

const ENDED_BADLY = new Set<BulkOperationState["status"]>(["FAILED", "CANCELED", "EXPIRED", "MISSING"]);

/** Whether the part finished (either way), is to be started again, or still runs. */
async function poll(db: ShopDb, run: BulkActionRun, client: ShopifyAdminClient, options: BulkAdvanceOptions): Promise<"finished" | "again" | "running"> {
  const state = await bulkOperationState(client, run.operationId!);
  if (state.status === "COMPLETED") {
    await recordResults(db, run, state.url, options);
    return "finished";
  }
  if (ENDED_BADLY.has(state.status)) {
    const why = `Shopify's bulk operation ended ${state.status.toLowerCase()}${state.errorCode ? ` (${state.errorCode})` : ""}`;
    if (run.attempts < BULK_MAX_ATTEMPTS) {
      // Started again whole: the lines it ran already set the same tags and values again.
      await db.bulkActionRun.update({ where: { id: run.id }, data: { status: "PENDING", operationId: null, processed: 0, error: `${why}; started again` } });
      return "again";
    }
    await finishRun(db, run.id, { status: "FAILED", error: `${why} ${run.attempts} times; given up` });
    return "finished";
  }
  // Written on every look, so the sweep sees the part is watched.
  await db.bulkActionRun.update({ where: { id: run.id }, data: { processed: state.objectCount } });
  return "running";
}

async function recordResults(db: ShopDb, run: BulkActionRun, url: string | null, options: BulkAdvanceOptions): Promise<void> {
  const seen = new Set<number>();
  const failures: { customerId: string; message: string }[] = [];
  let failed = 0;
  if (url) {
    await readBulkResults(
      url,
      (line) => {
        if (line.lineNumber < 0 || line.lineNumber >= run.customerIds.length || seen.has(line.lineNumber)) return;
        seen.add(line.lineNumber);
        const problems = lineProblems(line, ROOTS[run.kind]);
        if (!problems.length) return;
        failed += 1;
        if (failures.length < BULK_FAILURES_KEPT) failures.push({ customerId: run.customerIds[line.lineNumber]!, message: problems.join("; ") });
      },
      options.fetch,
    );
  }
  // A line with no result line was not confirmed: counted as refused, with the first ones named.
  for (let n = 0; n < run.customerIds.length; n++) {
    if (seen.has(n)) continue;
    failed += 1;
    if (failures.length < BULK_FAILURES_KEPT) failures.push({ customerId: run.customerIds[n]!, message: "Shopify returned no result for this member" });
  }
  await finishRun(db, run.id, {
    status: "SUCCEEDED",
    processed: run.customerIds.length,
    succeeded: run.customerIds.length - failed,
    failed,
    failures,
  });
}

/** A broadcast's bulk parts are looked at every BULK_POLL_MS; one untouched for this long lost its job (Redis). */
export const STALE_BULK_MS = 3 * 60_000;

/** Broadcasts whose pending or running bulk parts nobody has looked at for a while get a job again. */
export async function resumeStalledBulkActions(db: ShopDb, shopId: string, now = new Date(), staleMs = STALE_BULK_MS): Promise<number> {
  const stalled = await db.$queryRaw<{ campaign_id: string }[]>`
    SELECT campaign_id::text AS campaign_id FROM bulk_action_runs
    WHERE shop_id = ${shopId}::uuid AND status IN ('PENDING', 'RUNNING')
    GROUP BY campaign_id HAVING max(updated_at) < ${new Date(now.getTime() - staleMs)}::timestamp`;
  const bucket = Math.floor(now.getTime() / staleMs);
  for (const { campaign_id } of stalled) await enqueueBulkActions(shopId, campaign_id, 0, `sweep-${bucket}`);
  return stalled.length;
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
