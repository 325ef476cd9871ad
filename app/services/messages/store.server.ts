// Message rows and the jobs that send them. A row is written before anything is sent (unique per shop and dedupe
// key, so writing it twice keeps the first); the send job only wakes the row up. If Redis does not take the job,
// the row waits as QUEUED and the messages sweep enqueues it (sweep.server.ts).
import type { Channel, MessageStatus, Prisma } from "@prisma/client";
import type { JobsOptions } from "bullmq";
import type { ShopDb } from "../../db/shop-scope.server";
import { enqueueWithin } from "../webhooks.server";
import { queue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";

/** Messages per send job: enough to keep the shop's SMTP connections busy, small enough to retry cheaply. */
export const SEND_CHUNK = 100;
const ENQUEUE_TIMEOUT_MS = 2000;

export interface NewMessage {
  customerId: string | null;
  taskId: string | null;
  templateId: string | null;
  campaignId: string | null;
  codeId: string | null;
  channel: Channel;
  recipient: string;
  subject: string | null;
  body: string;
  status: Extract<MessageStatus, "QUEUED" | "SKIPPED">;
  dedupeKey: string;
  /** Why a SKIPPED message was not sent. */
  error: string | null;
}

export interface InsertedMessage {
  id: bigint;
  dedupeKey: string;
  status: MessageStatus;
}

/**
 * Inserts the rows whose dedupe key is new; rows already there are left alone and not returned. One statement over
 * arrays: a broadcast writes 1,000 rows at a time, and building that insert through the ORM cost more CPU than
 * PostgreSQL spent on it.
 */
export async function insertMessages(db: ShopDb, shopId: string, rows: NewMessage[], now = new Date()): Promise<InsertedMessage[]> {
  if (rows.length === 0) return [];
  const column = <T>(pick: (r: NewMessage) => T) => rows.map(pick);
  return db.$queryRaw<InsertedMessage[]>`
    INSERT INTO messages (shop_id, customer_id, task_id, template_id, campaign_id, code_id, channel, recipient, subject, body,
                          status, dedupe_key, error, attempts, created_at)
    SELECT ${shopId}::uuid, r.customer_id, r.task_id, r.template_id, r.campaign_id, r.code_id, r.channel::"Channel", r.recipient,
           r.subject, r.body, r.status::"MessageStatus", r.dedupe_key, r.error, 0, ${now}::timestamp
    FROM unnest(
      ${column((r) => r.customerId)}::uuid[], ${column((r) => r.taskId)}::uuid[], ${column((r) => r.templateId)}::uuid[],
      ${column((r) => r.campaignId)}::uuid[], ${column((r) => r.codeId)}::bigint[], ${column((r) => r.channel)}::text[],
      ${column((r) => r.recipient)}::text[], ${column((r) => r.subject)}::text[], ${column((r) => r.body)}::text[],
      ${column((r) => r.status)}::text[], ${column((r) => r.dedupeKey)}::text[], ${column((r) => r.error)}::text[]
    ) AS r(customer_id, task_id, template_id, campaign_id, code_id, channel, recipient, subject, body, status, dedupe_key, error)
    ON CONFLICT (shop_id, dedupe_key) DO NOTHING
    RETURNING id, dedupe_key AS "dedupeKey", status::text AS status`;
}

/** Messages already stored under these dedupe keys. */
export async function messagesByKey(db: ShopDb, shopId: string, keys: readonly string[]): Promise<InsertedMessage[]> {
  if (keys.length === 0) return [];
  return db.$queryRaw<InsertedMessage[]>`
    SELECT id, dedupe_key AS "dedupeKey", status::text AS status FROM messages
    WHERE shop_id = ${shopId}::uuid AND dedupe_key = ANY(${keys}::text[])`;
}

export const CAMPAIGN_STOPPED_MESSAGE = "The campaign was stopped before this message was sent";

/**
 * A stopped campaign's messages that have not gone out: skipped, so no send job sends them. One a sender has in
 * flight at this moment still goes; its outcome then overwrites the skip when it was sent (send.server.ts).
 */
export function skipQueuedCampaignMessages(db: ShopDb, shopId: string, campaignId: string): Prisma.PrismaPromise<number> {
  return db.$executeRaw`
    UPDATE messages SET status = 'SKIPPED', error = ${CAMPAIGN_STOPPED_MESSAGE}
    WHERE shop_id = ${shopId}::uuid AND campaign_id = ${campaignId}::uuid AND status = 'QUEUED'`;
}

/**
 * Adds send jobs for these messages, SEND_CHUNK per job. False when Redis did not take them in time: the rows stay
 * QUEUED and the sweep enqueues them.
 */
export async function enqueueSends(shopId: string, ids: readonly bigint[], options: { delayMs?: number; tag?: string } = {}): Promise<boolean> {
  if (ids.length === 0) return true;
  const jobs: { name: "send"; data: { shopId: string; messageIds: string[] }; opts: JobsOptions }[] = [];
  for (let i = 0; i < ids.length; i += SEND_CHUNK) {
    const chunk = ids.slice(i, i + SEND_CHUNK);
    jobs.push({
      name: "send",
      data: { shopId, messageIds: chunk.map(String) },
      opts: {
        // The first id names the chunk; a tag tells a retry or a sweep apart from the first send of it.
        jobId: jobId("msg", chunk[0]!, chunk.length, ...(options.tag ? [options.tag] : [])),
        ...(options.delayMs ? { delay: Math.max(0, Math.round(options.delayMs)) } : {}),
      },
    });
  }
  return enqueueWithin(ENQUEUE_TIMEOUT_MS, () => queue("messages").addBulk(jobs));
}
