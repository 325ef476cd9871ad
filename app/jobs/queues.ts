// Every queue, every job name and its payload type, in one place. Producers call enqueue() from
// app/jobs/enqueue.server.ts; the worker maps each (queue, job) to one processor in app/jobs/processors/.
// Every payload names its shop: failures are recorded against it and no job reads another shop's rows.
import type { JobsOptions } from "bullmq";

interface ShopJob {
  shopId: string;
}

export interface JobPayloads {
  system: {
    /** Round-trip check used by the health route and the demo smoke. */
    ping: ShopJob & { nonce: string };
    /** Re-enqueues stored events whose job Redis lost (outage, flush). */
    sweep: ShopJob;
    /** Fan-out on a schedule: one sweep per installed shop. The one job that names no shop. */
    sweepAll: Record<string, never>;
  };
  webhooks: {
    /** Processes one stored webhook event (app/services/webhooks.server.ts stored it before answering 200). */
    process: ShopJob & { eventId: string };
  };
  pools: {
    /** Generates the codes a planned code_imports row asks for (app/services/pools/imports.server.ts). */
    generate: ShopJob & { importId: string };
    /** Re-checks a pool's stock against its threshold and forecast; alerts once per crossing. */
    checkStock: ShopJob & { poolId: string };
    /** Marks codes whose expiry passed as EXPIRED, for one shop. */
    expireCodes: ShopJob;
    /** Adds a pool's codes to the chosen platform discount, 250 at a time (app/services/pools/redeemable.server.ts). */
    syncRedeemable: ShopJob & { importId: string };
  };
}

export type QueueName = keyof JobPayloads;
export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = JobPayloads[Q][N];

export const QUEUE_NAMES = ["system", "webhooks", "pools"] as const satisfies readonly QueueName[];

/**
 * Retried with exponential backoff (1 s, 2 s, 4 s, ...). Completed jobs are trimmed; failed ones are kept in
 * BullMQ's failed set and also recorded in job_failures so the admin shows them.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/** BullMQ job ids may not contain ':'; ids built from parts use '-' instead. */
export function jobId(...parts: (string | number | bigint)[]): string {
  return parts.map((p) => String(p).replaceAll(":", "_")).join("-");
}
