// Hands a task to BullMQ as a delayed job. The task row in PostgreSQL is the truth; the job only wakes the runner
// at the right time. The job id is the task id plus the moment it is for, so enqueuing the same (task, time) twice
// is one job, and a task moved to a later time (held for a refill, waiting out another runner's lease, its success
// window closing) gets a job of its own. Redis being away is not the caller's failure: the row is stored and the
// task sweeper (app/services/tasks/sweep.server.ts) enqueues due tasks whose job never reached Redis.
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";

/** Job options for task runs: platform outages get a few minutes of retries before the task is marked failed. */
export const TASK_JOB_OPTIONS = { attempts: 8, backoff: { type: "exponential", delay: 5_000 } } as const;

export function taskJobId(taskId: string, at: Date): string {
  return jobId("task", taskId, at.getTime());
}

/** A producer waits this long for Redis; past it the task is left to the sweeper rather than holding up the caller. */
export const SCHEDULE_TIMEOUT_MS = 1_000;

export type ScheduleResult = { type: "scheduled"; jobId: string } | { type: "not_scheduled"; error: string };

/**
 * Wakes the runner for this task at `at` (now or later). Idempotent per (task, time). Never throws for Redis
 * failures, and never waits long on an unreachable Redis: the sweeper finds the task by its row.
 */
export async function scheduleTask(shopId: string, taskId: string, at: Date, now = new Date()): Promise<ScheduleResult> {
  const id = taskJobId(taskId, at);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ScheduleResult>((resolve) => {
    timer = setTimeout(() => resolve({ type: "not_scheduled", error: `Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms` }), SCHEDULE_TIMEOUT_MS);
  });
  const add = enqueue("automation", "run", { shopId, taskId }, { ...TASK_JOB_OPTIONS, jobId: id, delay: Math.max(0, at.getTime() - now.getTime()) }).then(
    (): ScheduleResult => ({ type: "scheduled", jobId: id }),
    (error: unknown): ScheduleResult => ({ type: "not_scheduled", error: error instanceof Error ? error.message : String(error) }),
  );
  try {
    return await Promise.race([add, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wakes the runner for many new tasks, a hundred enqueues at a time. */
export async function scheduleTasks(shopId: string, tasks: readonly { id: string; due_at: Date }[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 100) {
    await Promise.all(tasks.slice(i, i + 100).map((t) => scheduleTask(shopId, t.id, t.due_at)));
  }
}
