// The worker process (`npm run worker`): one BullMQ Worker per queue, each job dispatched to its processor.
// Platform errors that retrying cannot fix become UnrecoverableError so BullMQ stops retrying at once.
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { pathToFileURL } from "node:url";
import { PermanentPlatformError } from "../platforms/errors";
import { queuePrefix, redisConnection } from "./connection.server";
import { queue } from "./enqueue.server";
import { isFinalFailure, recordJobFailure } from "./failures.server";
import {
  processCampaignCatchUp,
  processCampaignCatchUpAll,
  processCampaignEntriesJob,
  processBulkActions,
} from "./processors/campaigns.server";
import { processPing } from "./processors/ping.server";
import {
  processCheckStock,
  processExpireCodes,
  processGenerate,
  processSyncRedeemable,
} from "./processors/pools.server";
import { processActivatePixel, processFetchCustomers, processPixelBatch, processWebhookBatch } from "./processors/events.server";
import {
  processSegmentEvaluate,
  processSegmentExpire,
  processSegmentExpireAll,
  processSegmentRecompute,
  SEGMENT_EXPIRY_EVERY_MS,
} from "./processors/segments.server";
import { processSweep, processSweepAll } from "./processors/sweep.server";
import { processWebhook } from "./processors/process-webhook.server";
import {
  processMagentoEventJob,
  processMagentoSweepAll,
  processPollMagentoOrders,
  scheduleMagentoJobs,
} from "./processors/magento.server";
// --- messages imports (begin)
import {
  processBroadcast,
  processMessagesSweep,
  processMessagesSweepAll,
  processSendMessages,
  scheduleMessageJobs,
} from "./processors/messages.server";
// --- messages imports (end)
// --- automation imports (begin)
import {
  processRunTask,
  processTaskSweep,
  processTaskSweepAll,
  scheduleAutomationJobs,
} from "./processors/automation.server";
// --- automation imports (end)
import { QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from "./queues";

type Processors = {
  [Q in QueueName]: { [N in JobName<Q>]: (payload: JobPayload<Q, N>, job: Job) => Promise<unknown> };
};

const processors: Processors = {
  system: { ping: processPing, sweep: (p) => processSweep(p), sweepAll: () => processSweepAll() },
  webhooks: { process: (p) => processWebhook(p) },
  pools: {
    generate: processGenerate,
    checkStock: processCheckStock,
    expireCodes: processExpireCodes,
    syncRedeemable: processSyncRedeemable,
  },
  // --- storefront events (begin)
  events: { processBatch: processPixelBatch, processWebhooks: processWebhookBatch },
  pixels: { activate: processActivatePixel, fetchCustomers: processFetchCustomers },
  // --- storefront events (end)
  // --- segments (begin)
  segments: {
    evaluate: processSegmentEvaluate,
    recompute: processSegmentRecompute,
    expire: (p) => processSegmentExpire(p),
    expireAll: () => processSegmentExpireAll(),
  },
  // --- segments (end)
  // --- platform connections (begin)
  magento: {
    processEvent: processMagentoEventJob,
    pollOrders: (p) => processPollMagentoOrders(p),
    sweepAll: () => processMagentoSweepAll(),
  },
  // --- platform connections (end)
  // --- automation (begin)
  automation: {
    run: (p, job) => processRunTask(p, job),
    sweep: (p) => processTaskSweep(p),
    sweepAll: () => processTaskSweepAll(),
  },
  // --- automation (end)
  // --- messages (begin)
  messages: {
    send: (p) => processSendMessages(p),
    broadcast: (p) => processBroadcast(p),
    sweep: (p) => processMessagesSweep(p),
    sweepAll: () => processMessagesSweepAll(),
  },
  // --- messages (end)
  // --- campaigns (begin)
  campaigns: {
    processEntries: processCampaignEntriesJob,
    catchUp: processCampaignCatchUp,
    catchUpAll: () => processCampaignCatchUpAll(),
    bulkActions: (p) => processBulkActions(p),
  },
  // --- campaigns (end)
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

/** Every minute, active campaigns read the segment entries whose wake-up job was lost. */
export const CAMPAIGN_CATCH_UP_EVERY_MS = 60_000;

export interface RunningWorker {
  close(): Promise<void>;
  workers: Worker[];
}

export interface WorkerOptions {
  concurrency?: number;
  log?: (line: string) => void;
  /** Replaces processors (tests use it to inject failures). */
  processors?: ProcessorOverrides;
  /** false: consume jobs but leave the per-minute schedules alone (tests of a single job's behaviour). */
  schedules?: boolean;
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
        recordJobFailure(name, job, error).catch((e: unknown) =>
          log(`[worker] could not record failure: ${String(e)}`),
        );
      }
    });
    worker.on("error", (error) => log(`[worker] ${name}: ${error.message}`));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  if (options.schedules !== false) await upsertSchedules();
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/**
 * The per-minute sweeps and fan-outs. Their first run starts at once and covers every installed shop, which is
 * what a deployment wants. The per-shop jobs go at sweep priority (enqueueShopSweeps), so real work never waits
 * behind them; tests of a single job still start without them, as they would only add noise.
 */
async function upsertSchedules(): Promise<void> {
  // A job scheduler is idempotent by id: every worker process may upsert it, BullMQ keeps one.
  await queue("system").upsertJobScheduler("sweep-all", { every: SWEEP_EVERY_MS }, { name: "sweepAll", data: {} });
  // --- segments schedule (begin)
  await queue("segments").upsertJobScheduler(
    "segment-expire-all",
    { every: SEGMENT_EXPIRY_EVERY_MS },
    { name: "expireAll", data: {} },
  );
  // --- segments schedule (end)
  // --- platform connections schedule (begin)
  await scheduleMagentoJobs();
  // --- platform connections schedule (end)
  // --- messages schedule (begin)
  await scheduleMessageJobs();
  // --- messages schedule (end)
  // --- automation schedule (begin)
  await scheduleAutomationJobs();
  // --- automation schedule (end)
  // --- campaigns schedule (begin)
  await queue("campaigns").upsertJobScheduler(
    "campaign-catch-up-all",
    { every: CAMPAIGN_CATCH_UP_EVERY_MS },
    { name: "catchUpAll", data: {} },
  );
  // --- campaigns schedule (end)
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
