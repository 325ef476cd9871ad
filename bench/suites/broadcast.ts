// A broadcast to 100,000 segment members with a static pool, end to end on the machine's PostgreSQL and Redis:
// startBroadcast (what the campaign page calls), the real worker as its own process (`app/jobs/worker.server.ts`,
// as `npm run worker` runs it) preparing the broadcast (codes in batch, messages in bulk) and sending through the
// shop's pooled SMTP transport, to a local SMTP server process (server/smtp-sink.ts, quiet: it counts and keeps
// the Message-IDs instead of printing each message). Measured from the call to startBroadcast to the last message
// the SMTP server accepted (its own clock).
//
// Baseline, in the same run: the same number of connections (the shop transport's pool of 5) sending
// BENCH_BASELINE_MESSAGES bare emails to the same server from this process, with no database or queue: the most
// any broadcast could do through this SMTP server here. Duplicates are counted from the database (a code given
// twice, a customer with two codes or two messages) and from the SMTP server (a Message-ID received twice).
//
// Runs in its own database (promo_bench) under its own shop, deleted at the end; its queues live under their own
// prefix and are removed too. BENCH_BROADCAST_RECIPIENTS shrinks it for a quick check; BENCH_WORKER_NODE_ARGS passes
// flags to the worker's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, ensureBenchDatabase, setBenchEnv } from "../lib/bench-env";
import { startSmtpSink, type SmtpSink } from "../../test/support/smtp";
import { phaseTimer } from "../lib/phases";

const RECIPIENTS = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 100_000);
const BASELINE_MESSAGES = Number(process.env.BENCH_BASELINE_MESSAGES ?? Math.min(20_000, RECIPIENTS));
const SHOP_DOMAIN_PREFIX = "broadcast-bench-";
const QUEUE_PREFIX = "promo-bench-broadcast";
const TIMEOUT_MS = Number(process.env.BENCH_BROADCAST_TIMEOUT_MS ?? 15 * 60_000);

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

const BODY = `<!doctype html>
<html><body style="font-family: sans-serif">
  <h1>Black Friday at {{shopName}}</h1>
  <p>Hi {{firstName}},</p>
  <p>Everything is 20% off until Monday with your personal code:</p>
  <p style="font-size: 24px"><b>{{promoCode}}</b></p>
  <p>It works once, for you only, until {{codeExpiresAt}}.</p>
  <p><a href="https://bench-shop.example/collections/all">Shop now</a></p>
</body></html>`;

export async function run(log: (line: string) => void) {
  const { phases, timed } = phaseTimer();

  const url = BENCH_DATABASE_URL;
  setBenchEnv(url);
  process.env.QUEUE_PREFIX = QUEUE_PREFIX;
  await timed("migrate", () => ensureBenchDatabase(url));
  const { connectPostgres } = await import("../../app/db/connect.server");
  const { registerDatabase, prisma } = await import("../../app/db.server");
  const db = connectPostgres(url, { max: 10 });
  registerDatabase(db);
  const { forShop } = await import("../../app/db/shop-scope.server");
  const { closeQueues, queue } = await import("../../app/jobs/enqueue.server");
  const { saveEmailChannel } = await import("../../app/services/channels.server");
  const { saveTemplate } = await import("../../app/services/templates.server");
  const { startBroadcast, broadcastSource } = await import("../../app/services/campaigns/broadcast.server");
  const { closeShopMailers, sendShopEmail } = await import("../../app/channels/email/shop-mailer.server");

  /** Big tables emptied with the triggers off (superuser only), then the shop row cascades over the rest. */
  const deleteShop = async (shopId: string) => {
    const literal = `'${shopId.replaceAll("'", "''")}'::uuid`;
    await db
      .withConnection((conn) =>
        conn.execScript(`BEGIN;
          SET LOCAL session_replication_role = replica;
          DELETE FROM messages WHERE shop_id = ${literal};
          DELETE FROM issuances WHERE shop_id = ${literal};
          DELETE FROM codes WHERE shop_id = ${literal};
          DELETE FROM segment_memberships WHERE shop_id = ${literal};
          DELETE FROM customers WHERE shop_id = ${literal};
          COMMIT;`),
      )
      .catch(async (error: unknown) => {
        log(`fast cleanup unavailable (${(error as Error).message}); cascading from the shop row instead`);
        await db.execScript("ROLLBACK").catch(() => undefined);
        // Neither has a foreign key to the shop's rows (decisions 0015, 0021): the shop row's cascade misses them.
        await prisma.$executeRaw`DELETE FROM issuances WHERE shop_id = ${shopId}::uuid`;
        await prisma.$executeRaw`DELETE FROM codes WHERE pool_id IN (SELECT id FROM pools WHERE shop_id = ${shopId}::uuid)`;
      });
    await prisma.$executeRaw`DELETE FROM shops WHERE id = ${shopId}::uuid`;
  };

  await timed("cleanLeftovers", async () => {
    const leftovers = await prisma.shop.findMany({ where: { domain: { startsWith: SHOP_DOMAIN_PREFIX } }, select: { id: true } });
    for (const s of leftovers) await deleteShop(s.id);
    if (leftovers.length) log(`removed ${leftovers.length} shop(s) left by an earlier run`);
    await queue("messages").obliterate({ force: true });
  });

  let sink: SmtpSink | null = null;
  let worker: ChildProcess | null = null;
  // Marked uninstalled so that no worker's per-shop sweeps (other benchmarks' workers share this database) pick up
  // its messages: this run measures one worker sending them. Nothing on the send path looks at it.
  const shop = await prisma.shop.create({
    data: { domain: `${SHOP_DOMAIN_PREFIX}${randomUUID().slice(0, 8)}.myshopify.com`, name: "Bench Shop", uninstalledAt: new Date() },
  });
  const shopId = shop.id;
  const shopDb = forShop(shopId);
  let result: Record<string, unknown> = {};
  try {
    sink = await startSmtpSink({ SMTP_SINK_QUIET: "1" });
    const smtpSink = sink;
    const { campaignId } = await timed("arrange", () => arrange(smtpSink.port));
    log(`arranged ${RECIPIENTS.toLocaleString("en")} members, codes, template, SMTP settings (${phases.arrange}s)`);

    const baseline = await timed("baseline", () => smtpBaseline(smtpSink));
    log(`baseline: ${BASELINE_MESSAGES.toLocaleString("en")} bare emails over the 5-connection pool at ${baseline.toFixed(0)}/s`);

    worker = await timed("startWorker", () => startWorkerProcess());
    const received0 = smtpSink.stats()?.received ?? 0;
    const started = Date.now();
    const answer = await startBroadcast(shopDb, shopId, campaignId);
    if (answer.type !== "started") throw new Error(`broadcast did not start: ${JSON.stringify(answer)}`);
    const end = await timed("broadcast", () => waitForDelivery(smtpSink, received0 + RECIPIENTS, started));
    const seconds = (end - started) / 1000;
    const messagesPerSec = RECIPIENTS / seconds;
    log(`broadcast: ${RECIPIENTS.toLocaleString("en")} emails accepted by SMTP in ${seconds.toFixed(1)} s (${messagesPerSec.toFixed(0)}/s)`);

    const counts = await timed("count", () => countDuplicates(campaignId, broadcastSource(campaignId)));
    const stats = smtpSink.stats();
    result = {
      recipients: RECIPIENTS,
      messagesPerSec: round(messagesPerSec),
      duplicateCodes: counts.codesTwice + counts.customersWithTwoCodes,
      duplicateMessages: counts.customersWithTwoMessages + (stats?.duplicates ?? 0),
      seconds: round(seconds, 2),
      baselineSmtpPerSec: round(baseline),
      ratioToSmtpBaseline: round(messagesPerSec / baseline, 2),
      smtpReceived: (stats?.received ?? 0) - received0,
      smtpDuplicateMessageIds: stats?.duplicates ?? 0,
      messagesSent: counts.sent,
      issuances: counts.issuances,
      campaign: counts.campaign,
    };
  } finally {
    await timed("cleanup", async () => {
      if (worker && worker.exitCode === null) {
        worker.kill("SIGTERM");
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            worker?.kill("SIGKILL");
            resolve(null);
          }, 10_000);
          worker?.once("exit", () => {
            clearTimeout(timer);
            resolve(null);
          });
        });
      }
      closeShopMailers();
      await queue("messages")
        .obliterate({ force: true })
        .catch((error: unknown) => log(`could not clear the bench queue: ${(error as Error).message}`));
      for (const name of ["pools", "system", "segments", "campaigns", "automation", "magento", "events", "webhooks"] as const) {
        await queue(name)
          .obliterate({ force: true })
          .catch(() => undefined);
      }
      await closeQueues();
      await sink?.stop();
      await deleteShop(shopId);
    });
    await db.close();
  }
  log(`phases (s): ${JSON.stringify(phases)}`);
  const goals = {
    throughput: (result.messagesPerSec as number) >= 500,
    noDuplicateCodes: result.duplicateCodes === 0,
    noDuplicateMessages: result.duplicateMessages === 0,
  };
  return { ...result, goals, phaseSeconds: phases };

  // -------------------------------------------------------------------------------------------------------------

  async function arrange(port: number) {
    const saved = await saveEmailChannel(shopDb, shopId, {
      enabled: true,
      host: "127.0.0.1",
      port: String(port),
      security: "starttls",
      user: "",
      password: "",
      fromAddress: "news@bench-shop.example",
      fromName: "Bench Shop",
    });
    if (saved.type !== "saved") throw new Error(`SMTP settings refused: ${JSON.stringify(saved)}`);
    const pool = await shopDb.pool.create({ data: { shopId, name: "Black Friday codes" } });
    const segment = await shopDb.segment.create({ data: { shopId, name: "Everyone", rules: {} } });
    const template = await saveTemplate(shopDb, shopId, { name: "Black Friday", channel: "EMAIL", subject: "{{firstName}}, your Black Friday code", body: BODY });
    if (template.type !== "saved") throw new Error(`template refused: ${JSON.stringify(template)}`);
    await db.execScript(`
      INSERT INTO customers (id, shop_id, platform_id, email, first_name, created_at, updated_at)
        SELECT gen_random_uuid(), '${shopId}', 'gid://shopify/Customer/' || i, 'member' || i || '@bench.example', 'Member ' || i, now(), now()
        FROM generate_series(1, ${RECIPIENTS}) i;
      INSERT INTO segment_memberships (id, shop_id, segment_id, customer_id, entered_at)
        SELECT gen_random_uuid(), shop_id, '${segment.id}', id, now() - interval '1 hour' FROM customers WHERE shop_id = '${shopId}';
      INSERT INTO codes (shop_id, pool_id, code, code_key, status, expires_at, created_at)
        SELECT '${shopId}', '${pool.id}', 'BF' || lpad(i::text, 7, '0') || upper(substr(md5(i::text), 1, 4)),
               'BF' || lpad(i::text, 7, '0') || upper(substr(md5(i::text), 1, 4)), 'AVAILABLE', now() + interval '30 days', now()
        FROM generate_series(1, ${RECIPIENTS + 1000}) i;
      ANALYZE customers; ANALYZE segment_memberships; ANALYZE codes;`);
    await shopDb.segment.update({ where: { id: segment.id }, data: { memberCount: RECIPIENTS, recomputedAt: new Date() } });
    const campaign = await shopDb.campaign.create({
      data: {
        shopId,
        name: "Black Friday broadcast",
        kind: "BROADCAST",
        segmentId: segment.id,
        actions: [
          { type: "issue_code", poolId: pool.id },
          { type: "send_message", templateId: template.template.id },
        ],
      },
    });
    return { campaignId: campaign.id };
  }

  async function smtpBaseline(target: SmtpSink): Promise<number> {
    const settings = { host: "127.0.0.1", port: target.port, secure: false, user: null, password: null, fromAddress: "news@bench-shop.example", fromName: "Bench Shop" };
    const html = BODY.replace("{{shopName}}", "Bench Shop").replace("{{promoCode}}", "BF0000001ABCD");
    const before = target.stats()?.received ?? 0;
    const started = Date.now();
    let next = 0;
    const lane = async () => {
      while (next < BASELINE_MESSAGES) {
        const i = next++;
        const outcome = await sendShopEmail(`baseline-${shopId}`, settings, {
          to: `baseline${i}@bench.example`,
          subject: `Member ${i}, your Black Friday code`,
          html,
          text: html.replace(/<[^>]+>/g, ""),
          messageKey: `baseline-${i}-${shopId}`,
        });
        if (outcome.type !== "sent") throw new Error(`baseline send failed: ${JSON.stringify(outcome)}`);
      }
    };
    await Promise.all(Array.from({ length: 40 }, lane));
    const end = await waitForDelivery(target, before + BASELINE_MESSAGES, started);
    return BASELINE_MESSAGES / ((end - started) / 1000);
  }

  async function startWorkerProcess(): Promise<ChildProcess> {
    const extra = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const child = spawn(process.execPath, ["--max-semi-space-size=16", ...extra, "--import", "tsx", path.resolve("app/jobs/worker.server.ts")], {
      env: { ...process.env, DATABASE_URL: url, REDIS_URL: BENCH_REDIS_URL, QUEUE_PREFIX },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        if (text.includes("[worker] consuming")) resolve();
        for (const line of text.split("\n")) if (line.trim()) log(`  worker: ${line}`);
      });
      child.once("exit", (code) => reject(new Error(`the worker exited with ${code}`)));
    });
    return child;
  }

  /** The SMTP server's clock at the message that made `count`: when the last one was accepted. */
  async function waitForDelivery(target: SmtpSink, count: number, since: number): Promise<number> {
    let lastLog = Date.now();
    for (;;) {
      const stats = target.stats();
      if (stats && stats.received >= count) return stats.lastAcceptedAt;
      if (Date.now() - since > TIMEOUT_MS) throw new Error(`only ${stats?.received ?? 0} of ${count} messages arrived in ${TIMEOUT_MS / 1000} s`);
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ... ${stats?.received ?? 0} of ${count} accepted after ${((Date.now() - since) / 1000).toFixed(0)} s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function countDuplicates(campaignId: string, source: string) {
    const [row] = await db.query<{
      codes_twice: number;
      customers_two_codes: number;
      customers_two_messages: number;
      sent: number;
      issuances: number;
    }>(
      `SELECT
         (SELECT count(*) FROM (SELECT code_id FROM issuances WHERE shop_id = $1 AND source = $2 GROUP BY code_id HAVING count(*) > 1) x)::int AS codes_twice,
         (SELECT count(*) FROM (SELECT customer_id FROM issuances WHERE shop_id = $1 AND source = $2 GROUP BY customer_id HAVING count(*) > 1) x)::int AS customers_two_codes,
         (SELECT count(*) FROM (SELECT customer_id FROM messages WHERE shop_id = $1 AND campaign_id = $3 GROUP BY customer_id HAVING count(*) > 1) x)::int AS customers_two_messages,
         (SELECT count(*) FROM messages WHERE shop_id = $1 AND campaign_id = $3 AND status = 'SENT')::int AS sent,
         (SELECT count(*) FROM issuances WHERE shop_id = $1 AND source = $2)::int AS issuances`,
      [shopId, source, campaignId],
    );
    // The last messages' progress lands a moment after the server accepts them.
    let campaign = await shopDb.campaign.findFirstOrThrow({ where: { id: campaignId } });
    for (let i = 0; i < 50 && !campaign.finishedAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      campaign = await shopDb.campaign.findFirstOrThrow({ where: { id: campaignId } });
    }
    return {
      codesTwice: row!.codes_twice,
      customersWithTwoCodes: row!.customers_two_codes,
      customersWithTwoMessages: row!.customers_two_messages,
      sent: row!.sent,
      issuances: row!.issuances,
      campaign: { recipientsTotal: campaign.recipientsTotal, recipientsDone: campaign.recipientsDone, skipped: campaign.skippedCount, finished: campaign.finishedAt !== null },
    };
  }
}
