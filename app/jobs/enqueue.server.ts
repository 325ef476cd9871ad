// Typed producer side of the queues.
import { Queue, type JobsOptions } from "bullmq";
import { queuePrefix, redisConnection } from "./connection.server";
import { DEFAULT_JOB_OPTIONS, jobId, type JobName, type JobPayload, type QueueName } from "./queues";

const queues = new Map<QueueName, Queue>();
/** Set while closeQueues runs: a debounced enqueue firing during shutdown must not open a connection then. */
let closing = false;

export function queue(name: QueueName): Queue {
  let q = queues.get(name);
  if (!q) {
    if (closing) throw new QueuesClosingError(name);
    q = new Queue(name, {
      // Producers fail fast while Redis is away (the caller has already stored what matters and a sweeper
      // re-enqueues it); only workers wait on a blocked connection.
      connection: { ...redisConnection(), maxRetriesPerRequest: 1, enableOfflineQueue: false },
      prefix: queuePrefix(),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    // An unreachable Redis must surface as a failed enqueue, not an unhandled 'error' event.
    q.on("error", () => undefined);
    queues.set(name, q);
  }
  return q;
}

/**
 * Adds a job. Give a jobId to make the enqueue idempotent: BullMQ ignores a second add with the same id while
 * the first is still known to it.
 */
export async function enqueue<Q extends QueueName, N extends JobName<Q>>(
  queueName: Q,
  name: N,
  payload: JobPayload<Q, N>,
  options: JobsOptions = {},
) {
  // While Redis is unreachable BullMQ waits for the connection indefinitely; producers must not hang with it.
  // The add may still land once Redis is back: job ids make that harmless, and what matters is already stored.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError(queueName, enqueueTimeoutMs())), enqueueTimeoutMs());
  });
  try {
    return await Promise.race([queue(queueName).add(name, payload, options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * BullMQ priority of per-shop sweep jobs. Jobs without a priority are taken before any prioritised one, so a
 * minute's sweeps for every installed shop never queue ahead of a message to send or a task that is due.
 */
export const SWEEP_PRIORITY = 100;
/** Jobs per addBulk: one round trip for many shops, without one huge Redis call. */
const SWEEP_BULK = 500;

/**
 * The per-minute fan-out: one job per shop, added in bulk at sweep priority. The job id per shop and minute keeps
 * a minute's sweeps from piling up when two schedulers fire, or a sweep is still waiting a minute later.
 */
export async function enqueueShopSweeps<Q extends QueueName, N extends JobName<Q>>(
  queueName: Q,
  name: N,
  shopIds: readonly string[],
  idPrefix: string,
  minute: number,
): Promise<void> {
  for (let i = 0; i < shopIds.length; i += SWEEP_BULK) {
    const jobs = shopIds.slice(i, i + SWEEP_BULK).map((shopId) => ({
      name,
      data: { shopId },
      opts: { jobId: jobId(idPrefix, shopId, minute), priority: SWEEP_PRIORITY },
    }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EnqueueTimeoutError(queueName, enqueueTimeoutMs())), enqueueTimeoutMs());
    });
    try {
      await Promise.race([queue(queueName).addBulk(jobs), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export class EnqueueTimeoutError extends Error {
  override name = "EnqueueTimeoutError";
  constructor(queueName: string, ms: number) {
    super(`Redis did not take the ${queueName} job within ${ms} ms`);
  }
}

/** ENQUEUE_TIMEOUT_MS, 3 s by default: long enough for a slow Redis, short enough to answer a webhook in time. */
export function enqueueTimeoutMs(): number {
  const value = Number(process.env.ENQUEUE_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 3000;
}

export class QueuesClosingError extends Error {
  override name = "QueuesClosingError";
  constructor(queueName: string) {
    super(`The ${queueName} queue is not opened: the process is closing its queues`);
  }
}

/**
 * Closes every queue this process opened. A queue still connecting is first given the enqueue timeout to finish:
 * BullMQ's close of a connection that is still initializing drops the connection's error listeners, and the
 * failing initialization then rejects with nobody listening (an unhandled rejection, which ends a Node process).
 */
export async function closeQueues(): Promise<void> {
  closing = true;
  try {
    await Promise.all(
      [...queues.values()].map(async (q) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, enqueueTimeoutMs());
        });
        try {
          await Promise.race([q.waitUntilReady().then(() => undefined, () => undefined), timeout]);
        } finally {
          clearTimeout(timer);
        }
        await q.close();
      }),
    );
    queues.clear();
  } finally {
    closing = false;
  }
}
