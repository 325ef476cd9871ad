// Runs one task: a scenario's actions for one customer (and order), or one campaign run. The row is the truth;
// the queue only says "look at this task now", so runTask first decides from the row what, if anything, is due:
// a pending task whose time has come is claimed and executed, an executed task whose success window has passed
// becomes "conditions not met", anything else is left alone.
//
// Exactly once, across retries and killed workers: the claim is a lease (store.server.ts), and each action is
// idempotent on its own. The code is issued with the key task:<id>:code (a retry gets the same code back), each
// message is queued with the dedupe key task:<id>:msg:<index> (a retry finds it), tags and metafields are set, not
// appended, and the Flow trigger, which Shopify cannot de-duplicate, is marked in the task before it is sent and is
// never sent by a run that finds the mark (at most once; docs/decisions/0013-tasks-and-delays.md). Each action's
// result is recorded as it completes, so a retry resumes after the last recorded action with the same code.
//
// Codes run before messages (the settings enforce it). An empty static pool does what the pool says: skip the
// message (the outcome says so, campaigns count the skip), send the fallback code instead, or hold the task until
// the pool is refilled (it stays pending and is looked at again later). A pool that is gone, or a dynamic code the
// platform refused, leaves the run without a code: the step is recorded with why, a message that shows the run's
// code is skipped with that reason (never sent with a blank), and the other actions still run.
import type { CampaignStatus, Channel, EmptyPoolBehavior, Prisma, TaskStatus } from "@prisma/client";
import { randomUUID } from "node:crypto";
import type { ShopDb } from "../../db/shop-scope.server";
import { CampaignAction } from "../../domain/campaigns/campaign";
import type { TriggeredProduct } from "../../domain/messages/template";
import { cancelConditionLabel, ScenarioAction } from "../../domain/scenarios/scenario";
import { addTime, type TimeUnit } from "../../domain/time";
import { PermanentPlatformError, ThrottledError } from "../../platforms/errors";
import type { ShopifyAdminClient } from "../../platforms/shopify/admin-client.server";
import { addCustomerTags, firePromoCodeIssued, writeCodeMetafield } from "../../platforms/shopify/customer-actions.server";
import { noAddressReason, queueMessage, recipientFor, type RunCode } from "../messages/deliver.server";
import type { DynamicOptions } from "../pools/dynamic.server";
import { issueCode } from "../pools/issue.server";
import { settingsOf } from "../scenarios/scenarios.server";
import { conditionMetByStoredState } from "./follow-ups.server";
import { parseTaskContext, stepOf, type StepInput, type StepRecord, type TaskContext } from "./context";
import { scheduleTask } from "./schedule.server";
import {
  CAMPAIGN_PAUSED_OUTCOME,
  CAMPAIGN_STOPPED_OUTCOME,
  cancelTask,
  claimTask,
  closeSuccessWindows,
  dropStep,
  finishExecuted,
  holdForPausedCampaign,
  holdTask,
  markTaskFailed,
  releaseLease,
  saveSkipAndCount,
  saveStep,
} from "./store.server";
import { isUuid } from "../../domain/ids";
import { productLink } from "../messages/compose";

/** How long a claim lasts without news from its runner; each recorded action extends it. */
export const DEFAULT_LEASE_MS = 60_000;
/** A task held for an empty pool is looked at again after this long. */
export const HOLD_RETRY_MS = 10 * 60_000;
/** Jobs may fire a little early (clocks differ between machines): a task due this soon counts as due. */
const DUE_TOLERANCE_MS = 5_000;

export interface RunOptions {
  now?: () => Date;
  leaseMs?: number;
  /** Names the runner in the lease (the worker's job id, a test's label). */
  runner?: string;
  /**
   * Called around each action: before it, once it is done but not yet recorded ("performed", the window a crash
   * makes the idempotency keys matter), and after its record. Tests use it to stop a worker in the middle of a task.
   */
  onStep?: (step: { index: number; type: string; phase: "before" | "performed" | "after" }) => Promise<void> | void;
  /** The Admin API client for Shopify-native campaign actions; by default the shop's offline session. */
  shopifyClient?: (domain: string) => Promise<ShopifyAdminClient>;
  /** Passed to issueCode for dynamic pools (the platform adapter, tests' clock). */
  dynamic?: DynamicOptions;
}

export type RunResult =
  | { type: "not_found" }
  /** Not due yet (the job fired early or the task was moved); its job is (re)scheduled for dueAt. */
  | { type: "not_due"; dueAt: Date }
  /** Another runner holds the task; it is looked at again when that lease ends. */
  | { type: "busy"; until: Date }
  /** Nothing to do in this status (already finished, or executed and waiting for its success window). */
  | { type: "nothing_to_do"; status: TaskStatus }
  | { type: "executed"; outcome: string | null; checkAt: Date | null; codeId: string | null }
  | { type: "held"; until: Date; reason: string }
  | { type: "cancelled"; reason: string }
  /** Its campaign is paused: it waits, without a job, until the campaign is resumed. */
  | { type: "paused"; reason: string }
  | { type: "conditions_not_met" }
  | { type: "failed"; error: string };

type Action = ScenarioAction | CampaignAction;

interface TaskRow {
  id: string;
  status: TaskStatus;
  dueAt: Date;
  checkAt: Date | null;
  scenarioId: string | null;
  campaignId: string | null;
  customerId: string | null;
  orderId: string | null;
  createdAt: Date;
  context: Prisma.JsonValue;
  scenario: { actions: Prisma.JsonValue; cancelConditions: Prisma.JsonValue } | null;
  campaign: { actions: Prisma.JsonValue; status: CampaignStatus } | null;
}

interface RunState {
  runCode: RunCode | null;
  /** The pool the run's code came from (the Flow trigger names it). */
  runPoolId: string | null;
  /** Why a code step got no code (its pool is gone, the platform refused it): messages showing the run's code are skipped. */
  codeMissing: string | null;
  /** The first code this run issued from a pool (the task's code column). */
  codeId: string | null;
  /** Set when an empty pool says to skip the message: why, for each message that is skipped. */
  skipMessages: string | null;
  notes: string[];
}

interface Run {
  db: ShopDb;
  shopId: string;
  task: TaskRow & { customerId: string };
  context: TaskContext;
  options: RunOptions;
  now: () => Date;
  leaseMs: number;
  source: string;
  pools: Map<string, { name: string; kind: string; deletedAt: Date | null }>;
  customer: { platformId: string; email: string | null };
  /**
   * Why none of the run's messages can reach the customer (no email address for an email, no phone for an SMS) when
   * nothing else carries the code to them either (a customer metafield, a Flow trigger): its code steps then issue no
   * code, as a broadcast issues none to a member it cannot address. Null when the code has a way to the customer,
   * or when the run sends no message at all (issuing is then the point, for the customer's page or the API).
   */
  undeliverable: string | null;
  shop: { domain: string; platform: string };
  products: TriggeredProduct[];
  shopify: ShopifyAdminClient | null;
}

/** The outcome of one action: a record to keep, "hold the whole task", or a failure no retry can fix. */
type StepOutcome = { type: "record"; record: StepInput; countSkip?: boolean } | { type: "hold"; reason: string } | { type: "fail"; error: string };

function parseActions(value: unknown, campaign: boolean): Action[] | null {
  if (!Array.isArray(value)) return null;
  const schema = campaign ? CampaignAction : ScenarioAction;
  const actions: Action[] = [];
  for (const raw of value) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return null;
    actions.push(parsed.data);
  }
  return actions;
}

/** Looks at one task and does what is due. Throws only for infrastructure failures (the job retries). */
export async function runTask(db: ShopDb, shopId: string, taskId: string, options: RunOptions = {}): Promise<RunResult> {
  const now = options.now ?? (() => new Date());
  if (!isUuid(taskId)) return { type: "not_found" };
  const task = await db.task.findFirst({
    where: { id: taskId },
    select: {
      id: true,
      status: true,
      dueAt: true,
      checkAt: true,
      scenarioId: true,
      campaignId: true,
      customerId: true,
      orderId: true,
      createdAt: true,
      context: true,
      scenario: { select: { actions: true, cancelConditions: true } },
      campaign: { select: { actions: true, status: true } },
    },
  });
  if (!task) return { type: "not_found" };
  const at = now();

  if (task.status === "EXECUTED" && task.checkAt) {
    if (task.checkAt.getTime() > at.getTime() + DUE_TOLERANCE_MS) {
      await scheduleTask(shopId, task.id, task.checkAt, at);
      return { type: "nothing_to_do", status: task.status };
    }
    const closed = await closeSuccessWindows(db, shopId, at, task.id);
    return closed > 0 ? { type: "conditions_not_met" } : { type: "nothing_to_do", status: task.status };
  }
  if (task.status !== "PENDING") return { type: "nothing_to_do", status: task.status };
  if (task.dueAt.getTime() > at.getTime() + DUE_TOLERANCE_MS) {
    await scheduleTask(shopId, task.id, task.dueAt, at);
    return { type: "not_due", dueAt: task.dueAt };
  }

  const refusal = (await refuseToRun(db, task)) ?? (await cancelledByStoredState(db, task));
  if (refusal) {
    if (refusal.type === "wait") {
      // A paused campaign's run: it waits, without a job, until the campaign is resumed.
      return (await holdForPausedCampaign(db, shopId, task.id, at)) ? { type: "paused", reason: refusal.reason } : reread(db, task.id, at, shopId);
    }
    if (refusal.type === "cancel") {
      return (await cancelTask(db, shopId, task.id, refusal.reason, at)) ? { type: "cancelled", reason: refusal.reason } : reread(db, task.id, at, shopId);
    }
    await markTaskFailed(db, shopId, task.id, refusal.reason, at);
    return { type: "failed", error: refusal.reason };
  }

  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const claim = await claimTask(db, shopId, task.id, {
    now: at,
    dueBy: new Date(at.getTime() + DUE_TOLERANCE_MS),
    leaseUntil: new Date(at.getTime() + leaseMs),
    runner: options.runner ?? randomUUID(),
    actions: (task.scenario ?? task.campaign)?.actions ?? [],
  });
  if (!claim) return reread(db, task.id, at, shopId);

  const context = parseTaskContext(claim.context);
  try {
    return await execute(db, shopId, { ...task, customerId: task.customerId! }, context, options, now, leaseMs);
  } catch (error) {
    // This run will not finish: let the retry claim the task at once instead of waiting out the lease.
    await releaseLease(db, shopId, task.id).catch(() => undefined);
    throw error;
  }
}

/**
 * Why a pending task cannot run now: its shop left, its customer was removed, it belongs to nothing, its campaign
 * was stopped (cancelled) or is paused (it waits).
 */
async function refuseToRun(db: ShopDb, task: TaskRow): Promise<{ type: "cancel" | "fail" | "wait"; reason: string } | null> {
  const shop = await db.shop.findFirst({ select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) return { type: "cancel", reason: "The store uninstalled the app" };
  if (!task.customerId) return { type: "cancel", reason: "The customer was removed (data redaction)" };
  if (!task.scenario && !task.campaign) return { type: "fail", reason: "The task belongs to no scenario or campaign" };
  if (task.campaign?.status === "STOPPED") return { type: "cancel", reason: CAMPAIGN_STOPPED_OUTCOME };
  if (task.campaign?.status === "PAUSED") return { type: "wait", reason: CAMPAIGN_PAUSED_OUTCOME };
  return null;
}

/** A cancellation condition met by an event processed before the task existed (follow-ups.server.ts). */
async function cancelledByStoredState(db: ShopDb, task: TaskRow): Promise<{ type: "cancel"; reason: string } | null> {
  if (!task.scenario) return null;
  const condition = await conditionMetByStoredState(db, { ...task, cancelConditions: task.scenario.cancelConditions });
  return condition ? { type: "cancel", reason: cancelConditionLabel(condition) } : null;
}

/** The claim failed: someone else holds the task, or it moved on. Says which, and wakes the task when due. */
async function reread(db: ShopDb, taskId: string, at: Date, shopId: string): Promise<RunResult> {
  const row = await db.task.findFirst({ where: { id: taskId }, select: { status: true, dueAt: true, context: true } });
  if (!row) return { type: "not_found" };
  if (row.status !== "PENDING") return { type: "nothing_to_do", status: row.status };
  const lease = parseTaskContext(row.context).run?.leaseUntilMs;
  if (lease && lease > at.getTime()) {
    const until = new Date(lease + 1);
    await scheduleTask(shopId, taskId, until, at);
    return { type: "busy", until };
  }
  await scheduleTask(shopId, taskId, row.dueAt, at);
  return { type: "not_due", dueAt: row.dueAt };
}

async function loadRun(
  db: ShopDb,
  shopId: string,
  task: TaskRow & { customerId: string },
  context: TaskContext,
  actions: Action[],
  options: RunOptions,
  now: () => Date,
  leaseMs: number,
): Promise<Run> {
  const poolIds = actions.flatMap((a) => (a.type === "generate_code" || a.type === "issue_code" ? [a.poolId] : []));
  const templateIds = actions.flatMap((a) => (a.type === "send_message" ? [a.templateId] : []));
  const [pools, customer, shop, products, templates] = await Promise.all([
    poolIds.length ? db.pool.findMany({ where: { id: { in: poolIds } }, select: { id: true, name: true, kind: true, deletedAt: true } }) : [],
    db.customer.findFirstOrThrow({ where: { id: task.customerId }, select: { platformId: true, email: true, phone: true } }),
    db.shop.findFirstOrThrow({ select: { domain: true, platform: true } }),
    context.triggeredProducts.length
      ? db.product.findMany({ where: { platformId: { in: context.triggeredProducts } }, select: { platformId: true, title: true, vendor: true, url: true } })
      : [],
    templateIds.length ? db.messageTemplate.findMany({ where: { id: { in: templateIds } }, select: { id: true, channel: true } }) : [],
  ]);
  return {
    db,
    shopId,
    task,
    context,
    options,
    now,
    leaseMs,
    source: task.campaignId ? `campaign:${task.campaignId}` : `scenario:${task.scenarioId}`,
    pools: new Map(pools.map((p) => [p.id, p])),
    customer,
    undeliverable: undeliverable(actions, templates, customer, shop.platform),
    shop,
    products: context.triggeredProducts.map((id) => {
      const product = products.find((p) => p.platformId === id);
      return { id, title: product?.title ?? null, vendor: product?.vendor ?? null, url: productLink(shop, product?.url) };
    }),
    shopify: null,
  };
}

function undeliverable(
  actions: Action[],
  templates: { id: string; channel: Channel }[],
  customer: { platformId: string; email: string | null; phone: string | null },
  platform: string,
): string | null {
  const messages = actions.flatMap((a) => (a.type === "send_message" ? [a.templateId] : []));
  if (messages.length === 0) return null;
  if (platform === "SHOPIFY" && actions.some((a) => a.type === "write_metafield" || a.type === "flow_trigger")) return null;
  const channels = messages.flatMap((id) => templates.filter((t) => t.id === id).map((t) => t.channel));
  if (channels.some((channel) => recipientFor(channel, customer) !== null)) return null;
  return channels.length ? noAddressReason(channels[0]!) : "The run's message templates no longer exist";
}

async function execute(
  db: ShopDb,
  shopId: string,
  task: TaskRow & { customerId: string },
  context: TaskContext,
  options: RunOptions,
  now: () => Date,
  leaseMs: number,
): Promise<RunResult> {
  const actions = parseActions(context.run?.actions, task.campaignId !== null);
  if (!actions) {
    const error = "The task's actions cannot be read (settings changed shape?)";
    await markTaskFailed(db, shopId, task.id, error, now());
    return { type: "failed", error };
  }
  const run = await loadRun(db, shopId, task, context, actions, options, now, leaseMs);
  const state: RunState = { runCode: null, runPoolId: null, codeMissing: null, codeId: null, skipMessages: null, notes: [] };
  const firstCode = actions.findIndex((a) => a.type === "generate_code" || a.type === "issue_code");

  let performed = false;
  for (const [index, action] of actions.entries()) {
    const done = stepOf(context, index);
    if (done) {
      absorb(state, await settled(run, index, done));
      continue;
    }
    // A campaign stopped while this run was under way: what is done stays done (its code was issued), nothing
    // more starts, and the run ends cancelled with the campaign's other runs.
    if (performed && (await campaignStopped(run))) {
      await releaseLease(db, shopId, task.id);
      const at = now();
      return (await cancelTask(db, shopId, task.id, CAMPAIGN_STOPPED_OUTCOME, at)) ? { type: "cancelled", reason: CAMPAIGN_STOPPED_OUTCOME } : reread(db, task.id, at, shopId);
    }
    await options.onStep?.({ index, type: action.type, phase: "before" });
    const outcome = await perform(run, state, action, index, index === firstCode);
    if (outcome.type === "hold") return hold(run, outcome.reason);
    if (outcome.type === "fail") {
      await markTaskFailed(db, shopId, task.id, outcome.error, now());
      return { type: "failed", error: outcome.error };
    }
    await options.onStep?.({ index, type: action.type, phase: "performed" });
    const lease = new Date(now().getTime() + leaseMs);
    if (outcome.countSkip && task.campaignId) await saveSkipAndCount(db, shopId, task.id, index, outcome.record, lease);
    else await saveStep(db, shopId, task.id, index, outcome.record, lease);
    absorb(state, outcome.record);
    performed = true;
    await options.onStep?.({ index, type: action.type, phase: "after" });
  }
  return finish(run, state);
}

async function campaignStopped(run: Run): Promise<boolean> {
  if (!run.task.campaignId) return false;
  const campaign = await run.db.campaign.findFirst({ where: { id: run.task.campaignId }, select: { status: true } });
  return campaign?.status === "STOPPED";
}

/** A step recorded by an earlier run. A Flow trigger that run was sending is never sent again: it is unconfirmed. */
async function settled(run: Run, index: number, done: StepRecord): Promise<StepInput> {
  if (done.kind !== "shopify" || done.status !== "firing") return done;
  const record: StepInput = { kind: "shopify", status: "unconfirmed", reason: "The Flow trigger may not have been sent (the worker stopped while sending it); it is not sent twice" };
  await saveStep(run.db, run.shopId, run.task.id, index, record, new Date(run.now().getTime() + run.leaseMs));
  return record;
}

/** Folds a step's record into the run: the code later actions pass on, and what the outcome should mention. */
function absorb(state: RunState, record: StepInput): void {
  if (record.kind === "code") {
    // A later code step replaces the run's code: each message carries the code generated before it.
    if (record.status === "issued" || record.status === "fallback") {
      state.runCode = { codeId: record.codeId ?? null, code: record.code ?? "", expiresAt: record.expiresAt ? new Date(record.expiresAt) : null };
      state.runPoolId = record.poolId ?? null;
      if (record.status === "issued") state.codeId ??= record.codeId ?? null;
    }
    if (record.skipsMessages) state.skipMessages ??= record.reason ?? "No code: the message is skipped";
    else if (record.status === "skipped") state.codeMissing ??= record.reason ?? "No code was issued";
  }
  if (record.reason && !state.notes.includes(record.reason)) state.notes.push(record.reason);
}

async function perform(run: Run, state: RunState, action: Action, index: number, firstCode: boolean): Promise<StepOutcome> {
  switch (action.type) {
    case "generate_code":
    case "issue_code":
      return issueStep(run, action.poolId, index, firstCode, action.type === "generate_code" ? action.expiry : null);
    case "send_message":
      return messageStep(run, state, action.templateId, index);
    case "add_tags":
    case "write_metafield":
    case "flow_trigger":
      return shopifyStep(run, state, action, index);
  }
}

function poolLabel(run: Run, poolId: string): string {
  const pool = run.pools.get(poolId);
  return pool ? `“${pool.name}”` : "The pool";
}

async function issueStep(
  run: Run,
  poolId: string,
  index: number,
  firstCode: boolean,
  expiry: { value: number; unit: string } | null,
): Promise<StepOutcome> {
  if (run.undeliverable) {
    const reason = `${run.undeliverable}, and nothing else carries a code to them: no code was issued, message skipped`;
    return { type: "record", countSkip: firstCode, record: { kind: "code", status: "skipped", poolId, skipsMessages: true, reason } };
  }
  const key = firstCode ? `task:${run.task.id}:code` : `task:${run.task.id}:code:${index}`;
  const pool = run.pools.get(poolId);
  // "Valid for N units from execution": dynamic codes are created now, so their end is counted from now.
  const expiresAt = expiry && pool?.kind === "DYNAMIC" ? addTime(run.now(), expiry.value, expiry.unit as TimeUnit) : undefined;
  const result = await issueCode(
    run.db,
    {
      shopId: run.shopId,
      poolId,
      customerId: run.task.customerId,
      idempotencyKey: key,
      source: run.source,
      triggeredProducts: run.context.triggeredProducts,
      ...(expiresAt ? { expiresAt } : {}),
    },
    run.options.dynamic,
  );
  const label = poolLabel(run, poolId);
  switch (result.type) {
    case "issued": {
      const { codeId, code, expiresAt: ends } = result.issued;
      return { type: "record", record: { kind: "code", status: "issued", poolId, codeId, code, expiresAt: ends?.toISOString() ?? null, reason: null } };
    }
    case "pool_empty":
      return emptyPool(label, poolId, result.behavior, result.fallbackCode);
    case "pool_not_found":
      return { type: "record", record: { kind: "code", status: "skipped", poolId, reason: `${label} no longer exists: no code was issued` } };
    case "dynamic_refused":
      return { type: "record", record: { kind: "code", status: "skipped", poolId, reason: `${label}: no code was created: ${result.message}` } };
    case "idempotency_conflict":
      // The key names this task's step: another pool or customer under it means the task was rewritten by hand.
      return { type: "fail", error: `The code key task:${run.task.id} was already used for another pool or customer` };
    case "never_issued":
    case "pool_not_static":
      return { type: "record", record: { kind: "code", status: "skipped", poolId, reason: `${label}: no code (${result.type})` } };
  }
}

function emptyPool(label: string, poolId: string, behavior: EmptyPoolBehavior, fallbackCode: string | null): StepOutcome {
  switch (behavior) {
    case "HOLD_UNTIL_REFILLED":
      return { type: "hold", reason: `${label} is empty; the task waits until it is refilled (the pool's setting)` };
    case "SEND_FALLBACK":
      if (fallbackCode) {
        const reason = `${label} is empty: the fallback code ${fallbackCode} was sent (the pool's setting)`;
        return { type: "record", record: { kind: "code", status: "fallback", poolId, code: fallbackCode, reason } };
      }
      return { type: "record", countSkip: true, record: { kind: "code", status: "skipped", poolId, skipsMessages: true, reason: `${label} is empty and has no fallback code: message skipped` } };
    case "SKIP_MESSAGE":
      return { type: "record", countSkip: true, record: { kind: "code", status: "skipped", poolId, skipsMessages: true, reason: `${label} is empty: message skipped (the pool's setting)` } };
  }
}

async function messageStep(run: Run, state: RunState, templateId: string, index: number): Promise<StepOutcome> {
  if (state.skipMessages) return { type: "record", record: { kind: "message", status: "skipped", reason: state.skipMessages } };
  const result = await queueMessage(run.db, {
    shopId: run.shopId,
    customerId: run.task.customerId,
    templateId,
    dedupeKey: `task:${run.task.id}:msg:${index}`,
    taskId: run.task.id,
    campaignId: run.task.campaignId,
    // Without a code because its pool is gone or the platform refused it (not because a pool said to skip): a
    // message that shows the run's code is skipped with the step's reason, never sent with a blank; one that does
    // not show it still goes out.
    runCode: state.runCode,
    runCodeMissing: state.codeMissing,
    triggeredProducts: run.products,
    source: run.source,
  });
  switch (result.type) {
    case "queued":
    case "duplicate":
      return { type: "record", record: { kind: "message", status: "queued", messageId: result.messageId } };
    case "skipped":
      // Counted on the campaign like an empty pool's skip (no address, a pool the template names is empty...).
      return { type: "record", countSkip: true, record: { kind: "message", status: "skipped", reason: `Message skipped: ${result.reason}` } };
    case "held":
      return { type: "hold", reason: result.reason };
  }
}

async function shopifyClient(run: Run): Promise<ShopifyAdminClient> {
  if (!run.shopify) {
    const make =
      run.options.shopifyClient ??
      (async (domain: string) => {
        // Loaded on first use: the Shopify app wiring is only needed by campaigns with Shopify-native actions.
        const { shopifyAdminForShop } = await import("../../platforms/index.server");
        return shopifyAdminForShop(domain);
      });
    run.shopify = await make(run.shop.domain);
  }
  return run.shopify;
}

async function shopifyStep(run: Run, state: RunState, action: Extract<Action, { type: "add_tags" | "write_metafield" | "flow_trigger" }>, index: number): Promise<StepOutcome> {
  const skipped = (reason: string): StepOutcome => ({ type: "record", record: { kind: "shopify", status: "skipped", reason } });
  if (run.shop.platform !== "SHOPIFY") return skipped(`${action.type}: a Shopify-only action (this store is on ${run.shop.platform.toLowerCase()})`);
  if (action.type !== "add_tags" && !state.runCode) return skipped(`${action.type}: no code to pass on`);
  const client = await shopifyClient(run);
  try {
    switch (action.type) {
      case "add_tags": {
        const result = await addCustomerTags(client, run.customer.platformId, action.tags);
        return shopifyRecord(result, "Tags");
      }
      case "write_metafield": {
        const result = await writeCodeMetafield(client, run.customer.platformId, action, state.runCode!.code);
        return shopifyRecord(result, "Metafield");
      }
      case "flow_trigger":
        return await fireFlow(run, state, index, client);
    }
  } catch (error) {
    // Refused for good (bad id, missing scope, uninstalled): recorded, and the run goes on with its other actions.
    if (error instanceof PermanentPlatformError) {
      return { type: "record", record: { kind: "shopify", status: "refused", reason: `${action.type}: ${error.message}` } };
    }
    throw error;
  }
}

function shopifyRecord(result: { type: "done" } | { type: "refused"; message: string }, what: string): StepOutcome {
  return result.type === "done"
    ? { type: "record", record: { kind: "shopify", status: "done" } }
    : { type: "record", record: { kind: "shopify", status: "refused", reason: `${what} refused by Shopify: ${result.message}` } };
}

/**
 * At most once: the mark is written before the request, so a run that dies after sending never sends again. A
 * throttled request was not run by Shopify, so its mark is dropped and the job retry sends it; any other transport
 * failure may have been run, so its mark stays and the retry records the trigger as unconfirmed.
 */
async function fireFlow(run: Run, state: RunState, index: number, client: ShopifyAdminClient): Promise<StepOutcome> {
  await saveStep(run.db, run.shopId, run.task.id, index, { kind: "shopify", status: "firing" }, new Date(run.now().getTime() + run.leaseMs));
  const code = state.runCode!;
  try {
    const result = await firePromoCodeIssued(client, {
      code: code.code,
      poolName: (state.runPoolId && run.pools.get(state.runPoolId)?.name) || "",
      expiresAt: code.expiresAt,
      platformCustomerId: run.customer.platformId,
      customerEmail: run.customer.email,
    });
    return shopifyRecord(result, "Flow trigger");
  } catch (error) {
    if (error instanceof ThrottledError || error instanceof PermanentPlatformError) await dropStep(run.db, run.shopId, run.task.id, index);
    throw error;
  }
}

async function hold(run: Run, reason: string): Promise<RunResult> {
  const until = new Date(run.now().getTime() + HOLD_RETRY_MS);
  if (!(await holdTask(run.db, run.shopId, run.task.id, until, reason))) return reread(run.db, run.task.id, run.now(), run.shopId);
  await scheduleTask(run.shopId, run.task.id, until, run.now());
  return { type: "held", until, reason };
}

async function finish(run: Run, state: RunState): Promise<RunResult> {
  const at = run.now();
  let checkAt: Date | null = null;
  if (run.task.scenarioId) {
    const scenario = await run.db.scenario.findFirst({ where: { id: run.task.scenarioId } });
    const success = scenario ? settingsOf(scenario)?.success : null;
    if (success) checkAt = addTime(at, success.wait.value, success.wait.unit);
  }
  const outcome = state.notes.length ? state.notes.join("; ") : null;
  const moved = await finishExecuted(run.db, run.shopId, run.task.id, { now: at, checkAt, codeId: state.codeId, outcome });
  if (!moved) return reread(run.db, run.task.id, at, run.shopId);
  if (checkAt) await scheduleTask(run.shopId, run.task.id, checkAt, at);
  return { type: "executed", outcome, checkAt, codeId: state.codeId };
}
