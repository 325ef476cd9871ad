// Permanent job failures are kept visible: BullMQ keeps the job in its failed set (removeOnFail: false) and we
// record it in job_failures, which the admin lists. A job counts as permanently failed when its last attempt
// failed or it threw UnrecoverableError.
import type { Prisma } from "@prisma/client";
import type { Job } from "bullmq";
import { UnrecoverableError } from "bullmq";
import { forShop } from "../db/shop-scope.server";

export function isFinalFailure(job: Pick<Job, "attemptsMade" | "opts">, error: Error): boolean {
  return error instanceof UnrecoverableError || error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
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
    },
  });
}

export async function listJobFailures(shopId: string, take = 50) {
  return forShop(shopId).jobFailure.findMany({ where: { resolvedAt: null }, orderBy: { failedAt: "desc" }, take });
}
