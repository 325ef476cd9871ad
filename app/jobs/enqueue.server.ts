// Typed producer side of the queues.
import { Queue, type JobsOptions } from "bullmq";
import { queuePrefix, redisConnection } from "./connection.server";
import { DEFAULT_JOB_OPTIONS, type JobName, type JobPayload, type QueueName } from "./queues";

const queues = new Map<QueueName, Queue>();

export function queue(name: QueueName): Queue {
  let q = queues.get(name);
  if (!q) {
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
  return queue(queueName).add(name, payload, options);
}

export async function closeQueues(): Promise<void> {
  await Promise.all([...queues.values()].map((q) => q.close()));
  queues.clear();
}
