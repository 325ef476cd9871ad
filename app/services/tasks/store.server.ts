// The task row's state changes, each one guarded SQL statement. A runner claims a pending, due task by writing a
// lease into its context (UPDATE ... WHERE status = 'PENDING' AND the lease is free): PostgreSQL serialises two
// runners on the row, and the second sees the first's lease and backs off. There is no "running" status; a claim
// that its runner never finishes (a killed worker) simply runs out, and the next run picks up after the actions
// already recorded. Every final state is written only from the state it leaves (PENDING, or EXECUTED for success
// windows), so concurrent follow-ups, sweeps and runs never overwrite one another.
import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import type { StepInput } from "./context";

export interface Claim {
  context: unknown;
}

export async function claimTask(
  db: ShopDb,
  shopId: string,
  taskId: string,
  input: { now: Date; dueBy: Date; leaseUntil: Date; runner: string; actions: unknown },
): Promise<Claim | null> {
  const rows = await db.$queryRaw<{ context: unknown }[]>`
    UPDATE tasks SET
      context = jsonb_set(context, '{run}', jsonb_build_object(
        'leaseUntilMs', ${input.leaseUntil.getTime()}::bigint,
        'runner', ${input.runner}::text,
        'attempts', COALESCE((context #>> '{run,attempts}')::int, 0) + 1,
        'startedAt', COALESCE(context #>> '{run,startedAt}', ${input.now.toISOString()}::text),
        -- The first run's actions stay the run's actions: an edit of the scenario does not change a started task.
        'actions', COALESCE(context #> '{run,actions}', ${JSON.stringify(input.actions)}::jsonb))),
      updated_at = ${input.now}::timestamp
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'
      AND due_at <= ${input.dueBy}::timestamp
      AND COALESCE((context #>> '{run,leaseUntilMs}')::bigint, 0) <= ${input.now.getTime()}::bigint
    RETURNING context`;
  return rows[0] ?? null;
}

/** Records what action `index` did, and extends the runner's lease. */
export async function saveStep(db: ShopDb, shopId: string, taskId: string, index: number, record: StepInput, leaseUntil: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE tasks SET context = jsonb_set(
        jsonb_set(jsonb_set(context, '{steps}', COALESCE(context -> 'steps', '{}'::jsonb)), ARRAY['steps', ${String(index)}::text], ${JSON.stringify(record)}::jsonb),
        '{run,leaseUntilMs}', to_jsonb(${leaseUntil.getTime()}::bigint)),
      updated_at = now()
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid`;
}

/**
 * Records a code step skipped because the pool is empty and says to skip the message, and counts the skip on the
 * task's campaign in the same statement: the count moves only when the record is new, so a retried run never
 * counts one skip twice.
 */
export async function saveSkipAndCount(db: ShopDb, shopId: string, taskId: string, index: number, record: StepInput, leaseUntil: Date): Promise<void> {
  await db.$executeRaw`
    WITH marked AS (
      UPDATE tasks SET context = jsonb_set(
          jsonb_set(jsonb_set(context, '{steps}', COALESCE(context -> 'steps', '{}'::jsonb)), ARRAY['steps', ${String(index)}::text], ${JSON.stringify(record)}::jsonb),
          '{run,leaseUntilMs}', to_jsonb(${leaseUntil.getTime()}::bigint)),
        updated_at = now()
      WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND context #> ARRAY['steps', ${String(index)}::text] IS NULL
      RETURNING campaign_id
    )
    UPDATE campaigns SET skipped_count = skipped_count + 1, updated_at = now()
    WHERE id = (SELECT campaign_id FROM marked) AND shop_id = ${shopId}::uuid`;
}

/** Forgets action `index` (a Flow trigger the platform refused before running it may be sent again). */
export async function dropStep(db: ShopDb, shopId: string, taskId: string, index: number): Promise<void> {
  await db.$executeRaw`
    UPDATE tasks SET context = context #- ARRAY['steps', ${String(index)}::text], updated_at = now()
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid`;
}

/** Lets another run take the task at once (after a failure this run will not finish). */
export async function releaseLease(db: ShopDb, shopId: string, taskId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE tasks SET context = context #- '{run,leaseUntilMs}', updated_at = now()
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid`;
}

export async function finishExecuted(
  db: ShopDb,
  shopId: string,
  taskId: string,
  input: { now: Date; checkAt: Date | null; codeId: string | null; outcome: string | null },
): Promise<boolean> {
  const moved = await db.$executeRaw`
    UPDATE tasks SET status = 'EXECUTED', executed_at = ${input.now}::timestamp,
      finished_at = CASE WHEN ${input.checkAt === null} THEN ${input.now}::timestamp ELSE NULL END,
      check_at = ${input.checkAt}::timestamp, code_id = ${input.codeId}::bigint, outcome = ${input.outcome}, error = NULL,
      context = context #- '{run,leaseUntilMs}', updated_at = ${input.now}::timestamp
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'`;
  return moved > 0;
}

/** Keeps the task pending until `until` (an empty pool that holds its tasks until it is refilled). */
export async function holdTask(db: ShopDb, shopId: string, taskId: string, until: Date, reason: string): Promise<boolean> {
  const moved = await db.$executeRaw`
    UPDATE tasks SET due_at = ${until}::timestamp, outcome = ${reason}, context = context #- '{run,leaseUntilMs}', updated_at = now()
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'`;
  return moved > 0;
}

/**
 * A paused campaign's task that came due: it waits with this outcome, its due time moved out of the sweeper's
 * sight, until the campaign is resumed (releasePausedTasks) or stopped (its pending tasks are cancelled).
 */
export const CAMPAIGN_STOPPED_OUTCOME = "Campaign stopped";
export const CAMPAIGN_PAUSED_OUTCOME = "Waiting: the campaign is paused. It runs when the campaign is resumed.";
const PAUSED_HOLD_MS = 365 * 24 * 60 * 60_000;

export async function holdForPausedCampaign(db: ShopDb, shopId: string, taskId: string, now: Date): Promise<boolean> {
  return holdTask(db, shopId, taskId, new Date(now.getTime() + PAUSED_HOLD_MS), CAMPAIGN_PAUSED_OUTCOME);
}

/** A resumed campaign's waiting tasks become due now; answers them for scheduling. */
export async function releasePausedTasks(db: ShopDb, shopId: string, campaignId: string, now: Date): Promise<{ id: string; due_at: Date }[]> {
  return db.$queryRaw<{ id: string; due_at: Date }[]>`
    UPDATE tasks SET due_at = ${now}::timestamp, outcome = NULL, updated_at = ${now}::timestamp
    WHERE shop_id = ${shopId}::uuid AND campaign_id = ${campaignId}::uuid AND status = 'PENDING' AND outcome = ${CAMPAIGN_PAUSED_OUTCOME}
    RETURNING id::text AS id, due_at`;
}

/**
 * A stopped campaign's pending tasks, except one a runner holds right now (it finishes what it started; were it
 * to die, its retry finds the campaign stopped and cancels it).
 */
export function cancelCampaignTasks(db: ShopDb, shopId: string, campaignId: string, reason: string, now: Date): Prisma.PrismaPromise<number> {
  return db.$executeRaw`
    UPDATE tasks SET status = 'CANCELLED', outcome = ${reason}, finished_at = ${now}::timestamp, updated_at = ${now}::timestamp
    WHERE shop_id = ${shopId}::uuid AND campaign_id = ${campaignId}::uuid AND status = 'PENDING'
      AND COALESCE((context #>> '{run,leaseUntilMs}')::bigint, 0) <= ${now.getTime()}::bigint`;
}

/** Ends a pending task that nobody runs right now, with why. */
export async function cancelTask(db: ShopDb, shopId: string, taskId: string, reason: string, now: Date): Promise<boolean> {
  const moved = await db.$executeRaw`
    UPDATE tasks SET status = 'CANCELLED', outcome = ${reason}, finished_at = ${now}::timestamp, updated_at = ${now}::timestamp
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'
      AND COALESCE((context #>> '{run,leaseUntilMs}')::bigint, 0) <= ${now.getTime()}::bigint`;
  return moved > 0;
}

/**
 * "Once per customer" counts what ran: a task cancelled before any run claimed it did nothing for the customer, so
 * the key it holds (one of `keys`) is renamed out of the way and the customer's next order may start a task. A task
 * a runner ever claimed keeps its key, whatever it did, and so does one for the same order (`orderId`: its event seen
 * again, a re-polled order, would only start a task cancelled for the same reason). Answers the keys freed.
 */
export async function freeKeysOfUnrunCancelledTasks(db: ShopDb, shopId: string, keys: readonly string[], orderId: string | null): Promise<string[]> {
  if (keys.length === 0 || orderId === null) return [];
  const rows = await db.$queryRaw<{ key: string }[]>`
    UPDATE tasks t SET dedupe_key = t.dedupe_key || ':cancelled:' || t.id::text, updated_at = now()
    WHERE t.shop_id = ${shopId}::uuid AND t.dedupe_key = ANY(${keys}::text[]) AND t.status = 'CANCELLED' AND t.context -> 'run' IS NULL
      AND t.order_id IS DISTINCT FROM ${orderId}::uuid
    RETURNING split_part(t.dedupe_key, ':cancelled:', 1) AS key`;
  return rows.map((r) => r.key);
}

/** A pending task whose run failed for good (retries exhausted, or a failure no retry can fix). */
export async function markTaskFailed(db: ShopDb, shopId: string, taskId: string, error: string, now = new Date()): Promise<boolean> {
  const moved = await db.$executeRaw`
    UPDATE tasks SET status = 'FAILED', error = ${error.slice(0, 4000)}, finished_at = ${now}::timestamp,
      context = context #- '{run,leaseUntilMs}', updated_at = ${now}::timestamp
    WHERE id = ${taskId}::uuid AND shop_id = ${shopId}::uuid AND status = 'PENDING'`;
  return moved > 0;
}

export const CONDITIONS_NOT_MET_OUTCOME = "No success condition was met within the waiting time";

/** Closes success windows that have passed: "conditions not met" (one task, or every due one of the shop). */
export async function closeSuccessWindows(db: ShopDb, shopId: string, now: Date, taskId: string | null = null): Promise<number> {
  return db.$executeRaw`
    UPDATE tasks SET status = 'CONDITIONS_NOT_MET', outcome = ${CONDITIONS_NOT_MET_OUTCOME}, finished_at = check_at, updated_at = ${now}::timestamp
    WHERE shop_id = ${shopId}::uuid AND status = 'EXECUTED' AND check_at IS NOT NULL AND check_at <= ${now}::timestamp
      AND (${taskId}::uuid IS NULL OR id = ${taskId}::uuid)`;
}

/** Pending tasks whose time has come (and gone by `before`): the sweeper checks each one still has a job. */
export async function overdueTasks(db: ShopDb, before: Date, limit = 500): Promise<{ id: string; dueAt: Date }[]> {
  return db.task.findMany({
    where: { status: "PENDING", dueAt: { lte: before } },
    orderBy: { dueAt: "asc" },
    take: limit,
    select: { id: true, dueAt: true },
  });
}
