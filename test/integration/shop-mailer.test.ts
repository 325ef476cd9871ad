import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeShopMailers, sendShopEmail, verifySmtp, type SmtpSettings } from "../../app/channels/email/shop-mailer.server";
import { startSmtpSink, type SmtpSink } from "../support/smtp";

// A real SMTP server process (server/smtp-sink.ts) receives what the shop's pooled transport sends.
let sink: SmtpSink;
let refusing: SmtpSink;

beforeAll(async () => {
  [sink, refusing] = await Promise.all([startSmtpSink(), startSmtpSink({ SMTP_SINK_REJECT: "all" })]);
});
afterAll(async () => {
  closeShopMailers();
  await Promise.all([sink.stop(), refusing.stop()]);
});

function settings(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: "127.0.0.1", port, secure: false, user: null, password: null, fromAddress: "shop@example.com", fromName: "Demo \"Shop\"", ...overrides };
}

describe("the shop's SMTP transport", () => {
  it("GIVEN a working server WHEN 20 emails go out concurrently THEN each arrives once with its stable Message-ID", async () => {
    const before = sink.messages.length;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sendShopEmail("shop-a", settings(sink.port), { to: `c${i}@example.com`, subject: `Your code ${i}`, html: `<b>CODE-${i}</b>`, text: `CODE-${i}`, messageKey: `msg-${i}` }),
      ),
    );
    expect(outcomes.every((o) => o.type === "sent")).toBe(true);
    const received = (await sink.waitFor(before + 20)).slice(before);
    expect(received).toHaveLength(20);
    const mail7 = received.find((m) => m.to.includes("c7@example.com"));
    expect(mail7?.subject).toBe("Your code 7");
    expect(mail7?.data).toMatch(/^Message-ID: <msg-7@promo-codes\.app>/im);
    expect(mail7?.data).toMatch(/^From: "?Demo Shop"? <shop@example\.com>/im);
    expect(mail7?.data).toContain("CODE-7");
  });

  it("GIVEN a server that answers 550 WHEN an email is sent THEN it is rejected, not retried", async () => {
    const outcome = await sendShopEmail("shop-b", settings(refusing.port), { to: "x@example.com", subject: "s", html: "h", text: "t", messageKey: "m-550" });
    expect(outcome.type).toBe("rejected");
    if (outcome.type === "rejected") expect(outcome.message).toContain("550");
  });

  it("GIVEN nothing listening WHEN an email is sent THEN the failure is retriable", async () => {
    const outcome = await sendShopEmail("shop-c", settings(1), { to: "x@example.com", subject: "s", html: "h", text: "t", messageKey: "m-down" });
    expect(outcome).toMatchObject({ type: "retry" });
  });

  it("GIVEN settings WHEN verified THEN a live server passes and a dead port fails with the reason", async () => {
    expect(await verifySmtp(settings(sink.port))).toEqual({ ok: true });
    const dead = await verifySmtp(settings(1));
    expect(dead.ok).toBe(false);
    if (!dead.ok) expect(dead.message).toMatch(/ECONNREFUSED|connect/i);
  });
});
