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
  // --- storefront events (begin)
  events: {
    /**
     * Processes one pixel batch the endpoint stored (app/services/pixel/ingest.server.ts): customers, visitor
     * links, products, then segment evaluation. The sweeper re-enqueues stored events whose job Redis lost.
     */
    processBatch: ShopJob & { eventIds: string[] };
    /**
     * Processes stored webhook events that arrived together (app/services/webhooks.server.ts writes a burst in one
     * INSERT and enqueues one job per shop for it): each event as webhooks/process would, one at a time.
     */
    processWebhooks: ShopJob & { eventIds: string[] };
  };
  /** Kept apart from `events`, whose idleness the sweeper reads (a retrying activation must not hold it up). */
  pixels: {
    /** Activates (or re-points) the shop's web pixel with webPixelCreate / webPixelUpdate after install. */
    activate: ShopJob;
    /** Reads from the Admin API the details of customers a pixel batch named but the app never had (customer-details.server.ts). */
    fetchCustomers: ShopJob & { customerIds: string[] };
  };
  // --- storefront events (end)
  // --- segments (begin)
  segments: {
    /** Drains the shop's pending segment evaluations (app/services/segments/requests.server.ts). */
    evaluate: ShopJob;
    /** Evaluates every customer of the shop against one segment version: backfill after a create or an edit. */
    recompute: ShopJob & { segmentId: string; version: number };
    /** Re-checks members whose window expired and non-members due to enter, drains leftovers; hourly, recounts. */
    expire: ShopJob & { recount?: boolean };
    /** Fan-out on a schedule: one expire per shop with live segments. Names no shop, like system/sweepAll. */
    expireAll: Record<string, never>;
  };
  // --- segments (end)
  // --- platform connections (begin)
  magento: {
    /** Applies one event a Magento store pushed to /magento/events (app/services/magento/events.server.ts). */
    processEvent: ShopJob & { eventId: string };
    /**
     * Reads the shop's orders changed since its cursor (GET /V1/orders by updated_at). `resume` continues a run
     * that stopped at its page limit, from the cursor itself.
     */
    pollOrders: ShopJob & { resume?: boolean };
    /** Every minute: one pollOrders per connected Magento shop, and stored events whose job Redis lost. Names no shop. */
    sweepAll: Record<string, never>;
  };
  // --- platform connections (end)
  // --- automation (begin)
  automation: {
    /**
     * Advances one task (app/services/tasks/run.server.ts): runs it when it is due and pending, closes its success
     * window when that has passed. Job ids are task id + time (app/services/tasks/schedule.server.ts).
     */
    run: ShopJob & { taskId: string };
    /** Enqueues the shop's due tasks whose job Redis lost and closes success windows that passed. */
    sweep: ShopJob;
    /** Every minute: one sweep per installed shop. Names no shop, like system/sweepAll. */
    sweepAll: Record<string, never>;
  };
  // --- automation (end)
  // --- messages (begin)
  messages: {
    /** Sends these queued messages through their channel (app/services/messages/send.server.ts); claims are atomic. */
    send: ShopJob & { messageIds: string[] };
    /** Prepares a broadcast: codes in batch, messages in bulk, then send jobs (app/services/campaigns/broadcast.server.ts). */
    broadcast: ShopJob & { campaignId: string };
    /** Re-enqueues queued messages whose job Redis lost or whose lease ran out, and stalled broadcasts. */
    sweep: ShopJob;
    /** Fan-out on a schedule: one sweep per installed shop. Names no shop, like system/sweepAll. */
    sweepAll: Record<string, never>;
  };
  // --- messages (end)
  // --- campaigns (begin)
  campaigns: {
    /** Turns one campaign's new segment entries into runs (app/services/campaigns/entries.server.ts). */
    processEntries: ShopJob & { campaignId: string };
    /** Per-minute catch-up: every active campaign of one shop reads the entries whose wake-up was lost. */
    catchUp: ShopJob;
    /** Fan-out on a schedule: one catchUp per shop with an active campaign. Names no shop. */
    catchUpAll: Record<string, never>;
    /**
     * Starts, polls and records a broadcast's bulk tags and metafield (app/services/campaigns/bulk-actions.server.ts);
     * enqueues itself again while any part runs.
     */
    bulkActions: ShopJob & { campaignId: string };
  };
  // --- campaigns (end)
}

export type QueueName = keyof JobPayloads;
export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = JobPayloads[Q][N];

export const QUEUE_NAMES = ["system", "webhooks", "pools", "events", "pixels", "segments", "magento", "campaigns", "automation", "messages"] as const satisfies readonly QueueName[];

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
