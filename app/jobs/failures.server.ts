// Permanent job failures are kept visible: BullMQ keeps the job in its failed set (removeOnFail: false) and we
// record it in job_failures, which the admin lists. A job counts as permanently failed when its last attempt
// failed or it threw UnrecoverableError.
//
// A job whose attempts ran out failed for as long as its backoff lasts (about half a minute): a database restart
// or a store's outage outlasts that. Such a failure is handed back to its queue later, a few times, by the
// per-shop sweep (retryExhaustedJobs); the merchant can also retry any failure from Settings. Every processor
// is idempotent (a webhook already processed is skipped), so a retry never does twice what was done.
import type { JobFailure, Prisma } from "@prisma/client";
import { Job, UnrecoverableError } from "bullmq";
import { forShop } from "../db/shop-scope.server";
import { queue } from "./enqueue.server";
import { QUEUE_NAMES, type QueueName } from "./queues";

function isUnrecoverable(error: Error): boolean {
  return error instanceof UnrecoverableError || error.name === "UnrecoverableError";
}

export function isFinalFailure(job: Pick<Job, "attemptsMade" | "opts">, error: Error): boolean {
  return isUnrecoverable(error) || job.attemptsMade >= (job.opts.attempts ?? 1);
}

export async function recordJobFailure(queueName: string, job: Job, error: Error): Promise<void> {
  const shopId = (job.data as { shopId?: unknown }).shopId;
  if (typeof shopId !== "string" || !job.id) return;
  // One row per permanent failure. Job ids are not unique across Redis flushes or deployments, so they are
  // recorded, not used as a key.
  await forShop(shopId).jobFailure.create({
    data: {
      shopId,
      queue: queueName,
      jobName: job.name,
      jobId: job.id,
      payload: job.data as Prisma.InputJsonValue,
      error: error.message.slice(0, 4000),
      attempts: job.attemptsMade,
      retryable: !isUnrecoverable(error),
    },
  });
}

export async function listJobFailures(shopId: string, take = 50) {
  return forShop(shopId).jobFailure.findMany({ where: { resolvedAt: null }, orderBy: { failedAt: "desc" }, take });
}

/** A failure is retried on its own this long after it failed: long enough for a restart or an outage to pass. */
export const AUTO_RETRY_AFTER_MS = 10 * 60_000;
/** Failures of one job retried on their own before it is left to the merchant (each retry's failure is a row). */
export const MAX_AUTO_RETRIES = 3;
/** Failures handed back per fan-out, so a backlog of them spreads over several minutes. */
const AUTO_RETRY_BATCH = 100;

export type RetryOutcome = "retried" | "requeued" | "already_queued" | "unknown_queue";

/** A job handed back as a new job is named after the original one: its failures count together. */
const RETRY_SUFFIX = /-retry-\d+$/;

function originalJobId(jobId: string): string {
  return jobId.replace(RETRY_SUFFIX, "");
}

function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

/**
 * Hands a failed job back to its queue: the same job, its attempts counted afresh, when BullMQ still keeps it
 * failed; a new job with the same payload when Redis lost it (a flush, a new instance). A job that is waiting or
 * running again (retried already) is left alone. The failure is marked resolved in every case but an unknown queue.
 */
export async function retryJobFailure(failure: Pick<JobFailure, "id" | "shopId" | "queue" | "jobName" | "jobId" | "payload">, now = new Date()): Promise<RetryOutcome> {
  if (!isQueueName(failure.queue)) return "unknown_queue";
  const q = queue(failure.queue);
  const job = await Job.fromId(q, failure.jobId);
  let outcome: RetryOutcome;
  if (!job) {
    await q.add(failure.jobName, failure.payload, { jobId: `${originalJobId(failure.jobId)}-retry-${failure.id}` });
    outcome = "requeued";
  } else if (await job.isFailed()) {
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    outcome = "retried";
  } else {
    outcome = "already_queued";
  }
  await forShop(failure.shopId).jobFailure.updateMany({ where: { id: failure.id, resolvedAt: null }, data: { resolvedAt: now } });
  return outcome;
}

/** Settings' Retry: one of the shop's open failures handed back; null when the shop has no such open failure. */
export async function retryShopJobFailure(shopId: string, failureId: string): Promise<{ job: string; outcome: RetryOutcome } | null> {
  if (!/^\d{1,18}$/.test(failureId)) return null;
  const failure = await forShop(shopId).jobFailure.findFirst({ where: { id: BigInt(failureId), resolvedAt: null } });
  if (!failure) return null;
  return { job: `${failure.queue}/${failure.jobName}`, outcome: await retryJobFailure(failure) };
}

/**
 * The per-shop sweep's part: the shop's failures whose attempts ran out at least AUTO_RETRY_AFTER_MS ago, of jobs
 * that have not failed MAX_AUTO_RETRIES times already, handed back to their queues.
 */
export async function retryExhaustedJobs(shopId: string, now = new Date()): Promise<number> {
  const due = await forShop(shopId).$queryRaw<JobFailure[]>`
    SELECT f.id, f.shop_id AS "shopId", f.queue, f.job_name AS "jobName", f.job_id AS "jobId", f.payload
    FROM job_failures f
    WHERE f.shop_id = ${shopId}::uuid AND f.resolved_at IS NULL AND f.retryable
      AND f.failed_at <= ${new Date(now.getTime() - AUTO_RETRY_AFTER_MS)}
      AND (
        SELECT count(*) FROM job_failures o
        WHERE o.shop_id = f.shop_id AND o.queue = f.queue
          AND regexp_replace(o.job_id, ${RETRY_SUFFIX.source}, '') = regexp_replace(f.job_id, ${RETRY_SUFFIX.source}, '')
      ) <= ${MAX_AUTO_RETRIES}
    ORDER BY f.failed_at
    LIMIT ${AUTO_RETRY_BATCH}`;
  let retried = 0;
  for (const failure of due) {
    const outcome = await retryJobFailure(failure, now);
    if (outcome !== "unknown_queue") retried += 1;
  }
  return retried;
}
