// Sends queued messages through their channel, each at most once at a time. A job claims its rows with one UPDATE
// over rows no other transaction holds (FOR UPDATE SKIP LOCKED) that are QUEUED and not leased: the claim counts
// the attempt and leases the row until now + lease. Two workers therefore never send the same row, and a worker
// killed mid-send leaves its rows leased: they become claimable again only when the lease runs out, and the sweep
// re-enqueues them then. Delivery is at least once: a worker killed after the server accepted a message but
// before the row was marked SENT sends it again after the lease, with the same Message-ID (or provider message
// id), so the duplicate is recognisable downstream. See docs/decisions/0012-message-delivery.md.
//
// The schema has no SENDING status or lease column yet, so while a row is QUEUED its sent_at holds "not before":
// the lease end of a claimed row, or when a retried row is due. Once SENT, sent_at is when the server accepted it.
import type { Channel } from "@prisma/client";
import { classifySmtpError, sendShopEmail, type SmtpSettings } from "../../channels/email/shop-mailer.server";
import { systemMailer, type Mailer } from "../../channels/email/mailer.server";
import { postToProvider } from "../../channels/provider/webhook.server";
import type { ShopDb } from "../../db/shop-scope.server";
import { emailSettingsFor, providerEndpointFor, recordChannelError, type SendingChannel } from "../channels.server";
import { htmlToText } from "./compose";
import { enqueueSends } from "./store.server";

export interface SendOptions {
  /** How long a claim holds its rows. A chunk stops starting new sends after half of it. */
  leaseMs?: number;
  /** Attempts before a message that keeps failing transiently is marked FAILED. */
  maxAttempts?: number;
  /** Wait before attempt `attempt + 1`, after `attempt` failed transiently. */
  retryDelayMs?: (attempt: number) => number;
  /** SMTP wait per reply; the default is the transport's 30 s. */
  smtpTimeoutMs?: number;
  /** Sends in flight per job (the shop's SMTP pool has 5 connections; the rest wait in its queue). */
  inFlight?: number;
  /** The app's own mailer, used for email when the shop has no SMTP settings; defaults to SMTP_URL's. */
  systemMailer?: Mailer | null;
  /** Whether to enqueue the follow-up job for retries (tests drive retries themselves). */
  scheduleRetries?: boolean;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 6;
const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 7_200_000];

export function defaultRetryDelayMs(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(attempt, 1), RETRY_DELAYS_MS.length) - 1]!;
}

export interface SendReport {
  claimed: number;
  sent: number;
  failed: number;
  /** Back to QUEUED, due again at retryAt. */
  retrying: number;
  /** Already sent, failed, or leased by another worker: left alone. */
  notClaimed: number;
  retryAt: Date | null;
}

interface ClaimedRow {
  id: bigint;
  channel: Channel;
  recipient: string;
  subject: string | null;
  body: string;
  attempts: number;
}

type Outcome =
  | { type: "sent"; ref: string | null }
  /** `setup`: the channel itself is not usable (no settings, login refused), not just this message. */
  | { type: "rejected"; message: string; setup?: boolean }
  | { type: "retry"; message: string; scope: "server" | "message"; retryAfterMs: number | null };

interface Sender {
  send(row: ClaimedRow): Promise<Outcome>;
}

/** Stable per message: the SMTP Message-ID (<key@promo-codes.app>) and the provider's idempotency key. */
export function messageKey(shopId: string, messageId: bigint | string): string {
  return `m${messageId.toString()}.${shopId}`;
}

// Timestamps are the worker's clock, written as UTC like every timestamp column here (the columns carry no zone).
// The ids are looked up through the primary key from a materialized list: written as `id IN (SELECT ... FOR
// UPDATE)`, PostgreSQL planned a semi-join that rescanned the queued rows for every row of the table when its
// statistics were stale (a broadcast's 100,000 fresh rows), and one claim ran for minutes.
async function claim(db: ShopDb, shopId: string, ids: readonly string[], now: Date, leaseMs: number): Promise<ClaimedRow[]> {
  const leaseEnd = new Date(now.getTime() + leaseMs);
  return db.$queryRaw<ClaimedRow[]>`
    WITH wanted AS MATERIALIZED (
      SELECT DISTINCT unnest(${ids}::bigint[]) AS id
    ),
    picked AS MATERIALIZED (
      SELECT m.id FROM wanted JOIN messages m ON m.id = wanted.id
      WHERE m.shop_id = ${shopId}::uuid AND m.status = 'QUEUED' AND (m.sent_at IS NULL OR m.sent_at <= ${now}::timestamp)
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE messages m SET attempts = m.attempts + 1, sent_at = ${leaseEnd}::timestamp
    FROM picked
    WHERE m.id = picked.id
    RETURNING m.id, m.channel, m.recipient, m.subject, m.body, m.attempts`;
}

function failedSender(message: string): Sender {
  return { send: () => Promise.resolve({ type: "rejected", message, setup: true }) };
}

async function emailSender(db: ShopDb, shopId: string, options: SendOptions): Promise<Sender> {
  const settings = await emailSettingsFor(db, shopId);
  if (settings.type === "shop") {
    const smtp: SmtpSettings = options.smtpTimeoutMs ? { ...settings.settings, timeoutMs: options.smtpTimeoutMs } : settings.settings;
    return {
      async send(row) {
        const outcome = await sendShopEmail(shopId, smtp, {
          to: row.recipient,
          subject: row.subject ?? "",
          html: row.body,
          text: htmlToText(row.body),
          messageKey: messageKey(shopId, row.id),
        });
        if (outcome.type === "sent") return { type: "sent", ref: outcome.messageId };
        if (outcome.type === "retry") return { ...outcome, retryAfterMs: null };
        return { ...outcome, setup: outcome.message.startsWith("SMTP login failed") };
      },
    };
  }
  const mailer = options.systemMailer === undefined ? systemMailer() : options.systemMailer;
  if (!mailer) return failedSender(`${settings.reason}, and the app has no system mailer (SMTP_URL) to send with instead`);
  return {
    async send(row) {
      try {
        const info = await mailer.send({ to: row.recipient, subject: row.subject ?? "", html: row.body, text: htmlToText(row.body), idempotencyKey: messageKey(shopId, row.id) });
        return { type: "sent", ref: info.messageId };
      } catch (error) {
        const outcome = classifySmtpError(error);
        if (outcome.type === "retry") return { ...outcome, retryAfterMs: null };
        return outcome.type === "rejected" ? outcome : { type: "sent", ref: outcome.messageId };
      }
    },
  };
}

async function providerSender(db: ShopDb, shopId: string, channel: "SMS" | "PUSH"): Promise<Sender> {
  const provider = await providerEndpointFor(db, shopId, channel);
  if (provider.type === "unavailable") return failedSender(provider.reason);
  const shop = await db.shop.findFirstOrThrow({ select: { domain: true } });
  return {
    async send(row) {
      const outcome = await postToProvider(provider.endpoint, {
        messageId: messageKey(shopId, row.id),
        channel: channel === "SMS" ? "sms" : "push",
        to: row.recipient,
        body: row.body,
        shop: shop.domain,
        ...(channel === "PUSH" ? { title: row.subject } : {}),
      });
      if (outcome.type === "sent") return { type: "sent", ref: outcome.providerRef };
      if (outcome.type === "rejected") return { type: "rejected", message: outcome.message };
      return { type: "retry", message: outcome.message, scope: "server", retryAfterMs: outcome.retryAfterMs };
    },
  };
}

async function senderFor(db: ShopDb, shopId: string, channel: Channel, options: SendOptions): Promise<Sender> {
  switch (channel) {
    case "EMAIL":
      return emailSender(db, shopId, options);
    case "SMS":
    case "PUSH":
      return providerSender(db, shopId, channel);
    case "SHOPIFY":
      return failedSender("Shopify actions are not sent as messages");
  }
}

interface Result {
  row: ClaimedRow;
  /** null: not attempted (the chunk stopped first); released with the chunk's retry delay. */
  outcome: Outcome | null;
}

/**
 * Sends rows with a few in flight. A server that stops answering stops the chunk: the rows not started yet are
 * released unattempted instead of each waiting out its own timeout.
 */
async function deliver(rows: ClaimedRow[], senders: Map<Channel, Sender>, inFlight: number, deadline: number): Promise<Result[]> {
  const results: Result[] = [];
  const waiting = [...rows];
  let stopped = false;
  const lane = async () => {
    for (let row = waiting.shift(); row; row = waiting.shift()) {
      if (stopped || Date.now() > deadline) {
        results.push({ row, outcome: null });
        continue;
      }
      const outcome = await senders.get(row.channel)!.send(row);
      results.push({ row, outcome });
      if (outcome.type === "retry" && outcome.scope === "server") stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, rows.length)) }, lane));
  return results;
}

interface Written {
  id: string;
  status: "SENT" | "FAILED" | "QUEUED";
  sentAt: string | null;
  error: string | null;
  providerRef: string | null;
  attempts: number;
  claimedAttempts: number;
}

async function write(db: ShopDb, shopId: string, rows: Written[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  // One statement: the outcomes, and the broadcast's progress for the messages that reached a final state. A row
  // whose lease ran out and was claimed again (attempts moved on) belongs to that claim now. A row its campaign's
  // stop skipped while it was in flight keeps the skip, unless it went out: then it says so.
  await db.$queryRaw`
    WITH outcome AS (
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.sentAt)}::timestamp[],
        ${rows.map((r) => r.error)}::text[], ${rows.map((r) => r.providerRef)}::text[], ${rows.map((r) => r.attempts)}::int[],
        ${rows.map((r) => r.claimedAttempts)}::int[]
      ) AS u(id, status, sent_at, error, provider_ref, attempts, claimed_attempts)
    ),
    updated AS (
      UPDATE messages m
      SET status = outcome.status::"MessageStatus", sent_at = outcome.sent_at, error = outcome.error,
          provider_ref = COALESCE(outcome.provider_ref, m.provider_ref), attempts = outcome.attempts
      FROM outcome
      WHERE m.id = outcome.id AND m.shop_id = ${shopId}::uuid AND m.attempts = outcome.claimed_attempts
        AND (m.status = 'QUEUED' OR (m.status = 'SKIPPED' AND outcome.status = 'SENT'))
      RETURNING m.campaign_id, m.status
    ),
    progress AS (
      SELECT campaign_id, count(*)::int AS n FROM updated
      WHERE campaign_id IS NOT NULL AND status IN ('SENT', 'FAILED')
      GROUP BY campaign_id
    ),
    bumped AS (
      UPDATE campaigns c
      SET recipients_done = c.recipients_done + progress.n,
          finished_at = CASE
            WHEN c.finished_at IS NULL AND c.recipients_total IS NOT NULL AND c.recipients_done + progress.n >= c.recipients_total
            THEN ${now}::timestamp ELSE c.finished_at END
      FROM progress
      WHERE c.id = progress.campaign_id AND c.shop_id = ${shopId}::uuid AND c.kind = 'BROADCAST'
      RETURNING c.id
    )
    SELECT (SELECT count(*) FROM updated)::int AS updated, (SELECT count(*) FROM bumped)::int AS campaigns`;
}

/**
 * The messages are out: losing their outcome to a database blip would send them again once the lease ends, so
 * the write is retried a few times before the job gives up (and BullMQ retries it).
 */
async function writeSoon(db: ShopDb, shopId: string, rows: Written[], now: Date): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(db, shopId, rows, now);
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Releases claimed rows untouched (the job failed before sending): claimable again at once. */
async function release(db: ShopDb, shopId: string, rows: ClaimedRow[]): Promise<void> {
  const ids = rows.map((r) => r.id.toString());
  await db.$executeRaw`
    UPDATE messages SET attempts = attempts - 1, sent_at = NULL
    WHERE shop_id = ${shopId}::uuid AND id = ANY(${ids}::bigint[]) AND status = 'QUEUED'`;
}

function truncate(message: string): string {
  return message.length > 1000 ? `${message.slice(0, 997)}...` : message;
}

export async function sendMessages(db: ShopDb, shopId: string, messageIds: readonly string[], options: SendOptions = {}): Promise<SendReport> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const retryDelay = options.retryDelayMs ?? defaultRetryDelayMs;
  const started = Date.now();
  const claimed = await claim(db, shopId, messageIds, new Date(started), leaseMs);
  const report: SendReport = { claimed: claimed.length, sent: 0, failed: 0, retrying: 0, notClaimed: messageIds.length - claimed.length, retryAt: null };
  if (claimed.length === 0) return report;

  let results: Result[];
  try {
    const senders = new Map<Channel, Sender>();
    for (const channel of new Set(claimed.map((r) => r.channel))) senders.set(channel, await senderFor(db, shopId, channel, options));
    results = await deliver(claimed, senders, options.inFlight ?? 10, started + leaseMs / 2);
  } catch (error) {
    await release(db, shopId, claimed).catch(() => undefined);
    throw error;
  }

  const now = Date.now();
  const stopCause = results.find((r) => r.outcome?.type === "retry" && r.outcome.scope === "server")?.outcome;
  const written: Written[] = [];
  let retryAt: number | null = null;
  const later = (ms: number) => {
    const at = now + Math.max(0, ms);
    retryAt = retryAt === null ? at : Math.min(retryAt, at);
    return new Date(at).toISOString();
  };
  for (const { row, outcome } of results) {
    const base = { id: row.id.toString(), providerRef: null, claimedAttempts: row.attempts };
    if (outcome === null) {
      // Never attempted: the attempt the claim counted is given back.
      const delay = stopCause?.type === "retry" ? (stopCause.retryAfterMs ?? retryDelay(row.attempts)) : 0;
      const reason = stopCause?.type === "retry" ? `Waiting to retry: ${stopCause.message}` : null;
      written.push({ ...base, status: "QUEUED", sentAt: later(delay), error: reason && truncate(reason), attempts: row.attempts - 1 });
      report.retrying++;
    } else if (outcome.type === "sent") {
      written.push({ ...base, status: "SENT", sentAt: new Date(now).toISOString(), error: null, providerRef: outcome.ref, attempts: row.attempts });
      report.sent++;
    } else if (outcome.type === "rejected") {
      written.push({ ...base, status: "FAILED", sentAt: null, error: truncate(outcome.message), attempts: row.attempts });
      report.failed++;
    } else if (row.attempts >= maxAttempts) {
      written.push({ ...base, status: "FAILED", sentAt: null, error: truncate(`Gave up after ${row.attempts} attempts: ${outcome.message}`), attempts: row.attempts });
      report.failed++;
    } else {
      const delay = outcome.retryAfterMs ?? retryDelay(row.attempts);
      written.push({ ...base, status: "QUEUED", sentAt: later(delay), error: truncate(outcome.message), attempts: row.attempts });
      report.retrying++;
    }
  }
  await writeSoon(db, shopId, written, new Date(now));
  await noteChannelHealth(db, results);

  if (retryAt !== null) {
    report.retryAt = new Date(retryAt);
    if (options.scheduleRetries !== false) {
      const ids = written.filter((w) => w.status === "QUEUED").map((w) => BigInt(w.id));
      await enqueueSends(shopId, ids, { delayMs: retryAt - Date.now(), tag: `r${now}` });
    }
  }
  return report;
}

/** The settings page shows the last delivery problem of each channel; a delivery that works clears it. */
async function noteChannelHealth(db: ShopDb, results: Result[]): Promise<void> {
  const byChannel = new Map<SendingChannel, { problem: string | null; ok: boolean }>();
  for (const { row, outcome } of results) {
    if (!outcome || row.channel === "SHOPIFY") continue;
    const entry = byChannel.get(row.channel) ?? { problem: null, ok: false };
    if (outcome.type === "sent") entry.ok = true;
    else if (outcome.type === "retry" && outcome.scope === "server") entry.problem ??= outcome.message;
    else if (outcome.type === "rejected" && outcome.setup) entry.problem ??= outcome.message;
    byChannel.set(row.channel, entry);
  }
  for (const [channel, { problem, ok }] of byChannel) {
    if (problem) await recordChannelError(db, channel, problem);
    else if (ok) await db.channelSettings.updateMany({ where: { channel, lastError: { not: null } }, data: { lastError: null } });
  }
}
