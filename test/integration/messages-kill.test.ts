import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeShopMailers } from "../../app/channels/email/shop-mailer.server";
import { closeQueues } from "../../app/jobs/enqueue.server";
import { processSendMessages } from "../../app/jobs/processors/messages.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import { saveEmailChannel } from "../../app/services/channels.server";
import { queueMessage } from "../../app/services/messages/deliver.server";
import { messageKey, sendMessages } from "../../app/services/messages/send.server";
import { sweepMessages } from "../../app/services/messages/sweep.server";
import { saveTemplate } from "../../app/services/templates.server";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { createTestShop, type TestShop } from "../support/shops";

// No customer gets two copies of one message: two workers never send the same row, and a worker killed mid-send
// leaves its rows to be sent again only once their lease has run out.
const LEASE_MS = 3000;
const sinks: SmtpSink[] = [];
const children: ChildProcess[] = [];
let worker: RunningWorker | null = null;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await worker?.close();
  await closeQueues();
  closeShopMailers();
  await Promise.all(sinks.map((s) => s.stop()));
});

async function sinkWith(env: Record<string, string> = {}) {
  const sink = await startSmtpSink(env);
  sinks.push(sink);
  return sink;
}

async function shopWithMessages(sink: SmtpSink, count: number): Promise<{ shop: TestShop; ids: string[] }> {
  const shop = await createTestShop();
  const saved = await saveEmailChannel(shop.db, shop.id, {
    enabled: true,
    host: "127.0.0.1",
    port: String(sink.port),
    security: "starttls",
    user: "",
    password: "",
    fromAddress: "offers@shop.test",
    fromName: "",
  });
  if (saved.type !== "saved") throw new Error("settings");
  const template = await saveTemplate(shop.db, shop.id, { name: "Offer", channel: "EMAIL", subject: "Your code", body: "<p>{{promoCode}}</p>" });
  if (template.type !== "saved") throw new Error("template");
  const customers = await shop.db.customer.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ shopId: shop.id, platformId: `c${i}`, email: `c${i}-${shop.id.slice(0, 8)}@example.com` })),
    select: { id: true },
  });
  const ids: string[] = [];
  for (const [i, c] of customers.entries()) {
    const result = await queueMessage(
      shop.db,
      { shopId: shop.id, customerId: c.id, templateId: template.template.id, dedupeKey: `task:${c.id}:0`, runCode: { codeId: null, code: `CODE-${i}`, expiresAt: null }, triggeredProducts: [], source: "scenario:s" },
      { enqueue: false },
    );
    if (result.type !== "queued") throw new Error(result.type);
    ids.push(result.messageId);
  }
  return { shop, ids };
}

function messageIdsIn(sink: SmtpSink, shop: TestShop): string[] {
  return sink.messages.filter((m) => m.to.some((to) => to.endsWith(`${shop.id.slice(0, 8)}@example.com`))).map((m) => /^Message-ID: (<[^>]+>)/im.exec(m.data)?.[1] ?? "");
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("message delivery under concurrency and crashes", () => {
  it("GIVEN two workers given the same 60 messages at once WHEN both send THEN each message goes out exactly once", async () => {
    const sink = await sinkWith();
    const { shop, ids } = await shopWithMessages(sink, 60);
    const reports = await Promise.all([
      sendMessages(shop.db, shop.id, ids, { scheduleRetries: false }),
      sendMessages(shop.db, shop.id, ids, { scheduleRetries: false }),
      sendMessages(shop.db, shop.id, [...ids].reverse(), { scheduleRetries: false }),
    ]);
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(60);
    await sink.waitFor(60);
    await new Promise((r) => setTimeout(r, 300));
    const received = messageIdsIn(sink, shop);
    expect(received).toHaveLength(60);
    expect(new Set(received).size).toBe(60);
    expect(await shop.db.message.count({ where: { status: "SENT", attempts: 1 } })).toBe(60);
  });

  it("GIVEN a worker killed while the server holds its messages WHEN another worker runs THEN nothing is resent before the lease ends, and each is sent once after", async () => {
    // The server takes the first 3 messages and never answers: the worker is stuck mid-send when it is killed.
    const sink = await sinkWith({ SMTP_SINK_STALL_FIRST: "3" });
    const { shop, ids } = await shopWithMessages(sink, 3);
    // tsx as a loader, not its CLI: the CLI runs the script in a grandchild that a SIGKILL would not reach.
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/integration/messages-kill-worker.ts")], {
      env: { ...process.env, MESSAGE_LEASE_MS: String(LEASE_MS) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
      child.once("exit", (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    const { enqueueSends } = await import("../../app/services/messages/store.server");
    await enqueueSends(shop.id, ids.map(BigInt));
    await waitUntil(() => sink.stalled() === 3, 15_000, "the worker to be mid-send");
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const leased = await shop.db.message.findMany({ where: { id: { in: ids.map(BigInt) } } });
    expect(leased.every((m) => m.status === "QUEUED" && m.attempts === 1)).toBe(true);

    // Another worker, with the lease still running: the rows are not claimable, and the sweep leaves them alone.
    worker = await startWorker({ schedules: false, concurrency: 2, log: () => undefined, processors: { messages: { send: (p) => processSendMessages(p, { leaseMs: LEASE_MS }) } } });
    expect(await sendMessages(shop.db, shop.id, ids)).toMatchObject({ claimed: 0, notClaimed: 3 });
    expect(await sweepMessages(shop.db, shop.id, { graceMs: 0 })).toMatchObject({ requeued: 0 });
    expect(messageIdsIn(sink, shop)).toHaveLength(0);

    // Once the lease is over, the sweep hands them to the new worker: each is sent once, with the same Message-ID.
    await waitUntil(() => Date.now() > killedAt + LEASE_MS, LEASE_MS + 1000, "the lease to end");
    await waitUntil(async () => (await sweepMessages(shop.db, shop.id, { graceMs: 0 })).requeued === 3, 5000, "the sweep to requeue");
    await waitUntil(async () => (await shop.db.message.count({ where: { id: { in: ids.map(BigInt) }, status: "SENT" } })) === 3, 15_000, "the resend");
    await new Promise((r) => setTimeout(r, 300));
    const received = messageIdsIn(sink, shop);
    expect(received.sort()).toEqual(ids.map((id) => `<${messageKey(shop.id, id)}@promo-codes.app>`).sort());
    await expect(shop.db.message.findMany({ where: { id: { in: ids.map(BigInt) } }, select: { attempts: true, status: true } })).resolves.toEqual([
      { attempts: 2, status: "SENT" },
      { attempts: 2, status: "SENT" },
      { attempts: 2, status: "SENT" },
    ]);
  });
});
