// Automation jobs: run one task (scenario or campaign run), and the per-minute task sweeper. Tasks wait as delayed
// BullMQ jobs, which survive worker restarts; Redis can still lose them (a flush, a restart without persistence),
// so the sweeper compares the rows with the queue: a pending task past its time whose job is missing (or finished
// without running it) gets a job again, one whose job failed for good is marked failed, and success windows that
// have passed are closed. The rows are the truth, the jobs only wake them up (docs/decisions/0013-tasks-and-delays.md).
import { UnrecoverableError, type Job } from "bullmq";
import { forShop } from "../../db/shop-scope.server";
import { PermanentPlatformError } from "../../platforms/errors";
import { installedShopIds } from "../../services/shops.server";
import { runTask, type RunOptions } from "../../services/tasks/run.server";
import { scheduleTask, taskJobId } from "../../services/tasks/schedule.server";
import { closeSuccessWindows, markTaskFailed, overdueTasks } from "../../services/tasks/store.server";
import { enqueueShopSweeps, queue } from "../enqueue.server";
import type { JobPayload } from "../queues";

export const TASK_SWEEP_EVERY_MS = 60_000;
/** A due task's own job normally runs it within moments; the sweeper leaves it this long first. */
export const TASK_SWEEP_GRACE_MS = 30_000;

function isLastAttempt(job: Pick<Job, "attemptsMade" | "opts">, error: unknown): boolean {
  if (error instanceof PermanentPlatformError || error instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Runs the task; when this attempt is its last, the task is marked failed with the error before the job fails. */
export async function processRunTask(payload: JobPayload<"automation", "run">, job: Pick<Job, "id" | "attemptsMade" | "opts">, options: RunOptions = {}) {
  const db = forShop(payload.shopId);
  try {
    return await runTask(db, payload.shopId, payload.taskId, { runner: job.id, ...options });
  } catch (error) {
    if (isLastAttempt(job, error)) {
      const message = error instanceof Error ? error.message : String(error);
      await markTaskFailed(db, payload.shopId, payload.taskId, `Failed after ${job.attemptsMade + 1} attempt(s): ${message}`);
    }
    throw error;
  }
}

export interface TaskSweepResult {
  requeued: number;
  markedFailed: number;
  windowsClosed: number;
}

/** Compares the shop's overdue pending tasks with their jobs, and closes passed success windows. */
export async function processTaskSweep(payload: JobPayload<"automation", "sweep">, now = new Date()): Promise<TaskSweepResult> {
  const db = forShop(payload.shopId);
  const windowsClosed = await closeSuccessWindows(db, payload.shopId, now);
  const overdue = await overdueTasks(db, new Date(now.getTime() - TASK_SWEEP_GRACE_MS));
  let requeued = 0;
  let markedFailed = 0;
  for (const task of overdue) {
    const job = await queue("automation").getJob(taskJobId(task.id, task.dueAt));
    const state = job ? await job.getState() : "missing";
    if (state === "failed" && job) {
      // The job gave up without the task being marked (a worker killed twice mid-run, the database away at the end).
      if (await markTaskFailed(db, payload.shopId, task.id, `The task's job failed: ${job.failedReason || "no reason recorded"}`, now)) markedFailed += 1;
      continue;
    }
    if (state === "completed" && job) {
      // Its run ended without finishing the task (another runner held it, which has since gone): run it again.
      await job.remove();
    } else if (state !== "missing" && state !== "unknown") {
      continue; // waiting, delayed or active: that job will run it
    }
    if ((await scheduleTask(payload.shopId, task.id, task.dueAt, now)).type === "scheduled") requeued += 1;
  }
  return { requeued, markedFailed, windowsClosed };
}

/** One sweep per installed shop; the job id per shop and minute keeps overlapping runs from piling up. */
export async function processTaskSweepAll(now = new Date()) {
  const minute = Math.floor(now.getTime() / 60_000);
  const shopIds = await installedShopIds();
  await enqueueShopSweeps("automation", "sweep", shopIds, "task-sweep", minute);
  return { shops: shopIds.length };
}

/** Idempotent by id, like the system sweep: every worker process may upsert it, BullMQ keeps one. */
export async function scheduleAutomationJobs(): Promise<void> {
  await queue("automation").upsertJobScheduler("task-sweep-all", { every: TASK_SWEEP_EVERY_MS }, { name: "sweepAll", data: {} });
}
