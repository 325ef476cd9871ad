// The worker process (`npm run worker`): one BullMQ Worker per queue, each job dispatched to its processor.
// Platform errors that retrying cannot fix become UnrecoverableError so BullMQ stops retrying at once.
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { pathToFileURL } from "node:url";
import { PermanentPlatformError } from "../platforms/errors";
import { queuePrefix, redisConnection } from "./connection.server";
import { queue } from "./enqueue.server";
import { isFinalFailure, recordJobFailure } from "./failures.server";
import { processPing } from "./processors/ping.server";
import { processCheckStock, processExpireCodes, processGenerate, processSyncRedeemable } from "./processors/pools.server";
import { processSweep, processSweepAll } from "./processors/sweep.server";
import { processWebhook } from "./processors/process-webhook.server";
import { QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from "./queues";

type Processors = {
  [Q in QueueName]: { [N in JobName<Q>]: (payload: JobPayload<Q, N>, job: Job) => Promise<unknown> };
};

const processors: Processors = {
  system: { ping: processPing, sweep: (p) => processSweep(p), sweepAll: () => processSweepAll() },
  webhooks: { process: processWebhook },
  pools: {
    generate: processGenerate,
    checkStock: processCheckStock,
    expireCodes: processExpireCodes,
    syncRedeemable: processSyncRedeemable,
  },
};

type ProcessorOverrides = { [Q in QueueName]?: Partial<Processors[Q]> };

async function dispatch(queueName: QueueName, job: Job, overrides: ProcessorOverrides): Promise<unknown> {
  const table = { ...processors[queueName], ...overrides[queueName] } as Record<
    string,
    (payload: unknown, job: Job) => Promise<unknown>
  >;
  const processor = table[job.name];
  if (!processor) throw new UnrecoverableError(`Unknown job ${queueName}/${job.name}`);
  try {
    return await processor(job.data, job);
  } catch (error) {
    if (error instanceof PermanentPlatformError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** Every minute, sweep every shop for stored events that never reached a worker. */
export const SWEEP_EVERY_MS = 60_000;

export interface RunningWorker {
  close(): Promise<void>;
  workers: Worker[];
}

export interface WorkerOptions {
  concurrency?: number;
  log?: (line: string) => void;
  /** Replaces processors (tests use it to inject failures). */
  processors?: ProcessorOverrides;
}

export async function startWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workers = QUEUE_NAMES.map((name) => {
    const worker = new Worker(name, (job) => dispatch(name, job, options.processors ?? {}), {
      connection: redisConnection(),
      prefix: queuePrefix(),
      concurrency: options.concurrency ?? 8,
    });
    worker.on("failed", (job, error) => {
      if (!job) return;
      if (isFinalFailure(job, error)) {
        log(`[worker] ${name}/${job.name} ${job.id} failed permanently: ${error.message}`);
        recordJobFailure(name, job, error).catch((e: unknown) => log(`[worker] could not record failure: ${String(e)}`));
      }
    });
    worker.on("error", (error) => log(`[worker] ${name}: ${error.message}`));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // A job scheduler is idempotent by id: every worker process may upsert it, BullMQ keeps one.
  await queue("system").upsertJobScheduler("sweep-all", { every: SWEEP_EVERY_MS }, { name: "sweepAll", data: {} });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

async function main() {
  const { env } = await import("../env.server");
  const concurrency = env().WORKER_CONCURRENCY;
  const running = await startWorker({ concurrency });
  console.log(`[worker] consuming ${QUEUE_NAMES.join(", ")} (concurrency ${concurrency})`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
