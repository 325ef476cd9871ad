// Magento merchants' own accounts: sign-up, log in with lockout, sessions, password reset, and the admin pages
// behind the session cookie (scoped to the merchant's own shop, refusing posts from other sites).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import type { Mailer, OutgoingEmail } from "../../../app/channels/email/mailer.server";
import { loader as customersLoader } from "../../../app/routes/app.customers";
import { action as newPoolAction } from "../../../app/routes/app.pools.new";
import { action as forgotAction } from "../../../app/routes/magento.forgot-password";
import { action as loginAction } from "../../../app/routes/magento.login";
import { action as logoutAction } from "../../../app/routes/magento.logout";
import {
  changePassword,
  LOCK_MS,
  MAX_FAILED_LOGINS,
  MAX_RESET_EMAILS_PER_HOUR,
  purgeExpiredMerchantTokens,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  hashToken,
  logIn,
  logOut,
  requestPasswordReset,
  resetPassword,
  sessionFromToken,
  signUp,
} from "../../../app/services/merchant-accounts.server";
import { forShop } from "../../../app/db/shop-scope.server";

const PASSWORD = "correct horse battery";
const APP = "https://promo-app.test";

function email() {
  return `owner-${randomUUID().slice(0, 8)}@store.test`;
}

async function account(address = email()) {
  const result = await signUp({ storeName: "Maple Outfitters", email: address, password: PASSWORD });
  if (result.type !== "created") throw new Error(`sign-up failed: ${JSON.stringify(result)}`);
  return { ...result, email: address };
}

function recordingMailer(): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { messageId: String(sent.length) };
    },
    close() {},
  };
}

function linkToken(message: OutgoingEmail): string {
  const match = /reset-password\?token=([^\s]+)/.exec(message.text);
  if (!match?.[1]) throw new Error(`no reset link in: ${message.text}`);
  return decodeURIComponent(match[1]);
}

async function thrownResponse(run: () => Promise<unknown>): Promise<Response> {
  try {
    const value = await run();
    if (value instanceof Response) return value;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected a response (redirect or refusal)");
}

const args = (request: Request) => ({ request, params: {}, context: {} }) as never;

describe("sign-up", () => {
  it("creates a Magento shop and an account whose password and session are stored only as hashes", async () => {
    const address = email();
    const result = await account(address.toUpperCase());
    const shop = await prisma.shop.findUniqueOrThrow({ where: { id: result.shopId } });
    expect(shop).toMatchObject({ platform: "MAGENTO", name: "Maple Outfitters", contactEmail: address });
    const stored = await prisma.merchantAccount.findUniqueOrThrow({ where: { shopId: result.shopId } });
    expect(stored.email).toBe(address);
    expect(stored.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored.passwordHash).not.toContain(PASSWORD);
    const tokens = await prisma.merchantToken.findMany({ where: { accountId: stored.id } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toBe(hashToken(result.sessionToken));
    expect(tokens[0]!.tokenHash).not.toBe(result.sessionToken);
    expect(await sessionFromToken(result.sessionToken)).toMatchObject({ shopId: result.shopId, email: address });
  });

  it("refuses bad fields one by one and a second account on the same email, creating nothing", async () => {
    const shopsBefore = await prisma.shop.count();
    const invalid = await signUp({ storeName: " ", email: "not-an-email", password: "short" });
    expect(invalid).toEqual({
      type: "invalid",
      errors: { storeName: expect.any(String), email: expect.stringMatching(/email address/), password: expect.stringMatching(/at least 12/) },
    });
    const address = email();
    expect(await signUp({ storeName: "Shop", email: address, password: address })).toMatchObject({
      type: "invalid",
      errors: { password: expect.stringMatching(/email/) },
    });
    await account(address);
    expect(await signUp({ storeName: "Copycat", email: ` ${address.toUpperCase()} `, password: PASSWORD })).toEqual({ type: "email_taken" });
    expect(await prisma.shop.count()).toBe(shopsBefore + 1);
  });
});

describe("log in", () => {
  it("signs in with the right password (any case of email) and not with a wrong one or an unknown email", async () => {
    const { email: address, shopId } = await account();
    expect(await logIn({ email: address, password: "wrong password!!" })).toEqual({ type: "wrong" });
    expect(await logIn({ email: email(), password: PASSWORD })).toEqual({ type: "wrong" });
    const ok = await logIn({ email: address.toUpperCase(), password: PASSWORD });
    expect(ok).toMatchObject({ type: "signed_in", shopId });
    const stored = await prisma.merchantAccount.findUniqueOrThrow({ where: { shopId } });
    expect(stored.failedLogins).toBe(0);
    expect(stored.lastLoginAt).not.toBeNull();
  });

  it(`locks the account after ${MAX_FAILED_LOGINS} wrong passwords in a row, refusing even the right one until the lock ends`, async () => {
    const { email: address } = await account();
    const now = new Date("2026-11-21T10:00:00Z");
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) expect((await logIn({ email: address, password: `guess ${i} guess` }, now)).type).toBe("wrong");
    const locked = await logIn({ email: address, password: "last guess here" }, now);
    expect(locked).toEqual({ type: "locked", until: new Date(now.getTime() + LOCK_MS) });
    expect((await logIn({ email: address, password: PASSWORD }, new Date(now.getTime() + LOCK_MS - 1000))).type).toBe("locked");
    expect((await logIn({ email: address, password: PASSWORD }, new Date(now.getTime() + LOCK_MS + 1000))).type).toBe("signed_in");
  });

  it("tells the merchant on the page when the account is locked", async () => {
    const { email: address } = await account();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await logIn({ email: address, password: `guess number ${i}` });
    const form = new URLSearchParams({ email: address, password: PASSWORD, next: "/app" });
    const answer = await loginAction(args(new Request(`${APP}/magento/login`, { method: "POST", body: form, headers: { origin: APP } })));
    expect(answer).toMatchObject({ error: expect.stringMatching(/locked until \d\d:\d\d UTC/) });
  });
});

describe("sessions", () => {
  it("end when they expire, are renewed by use after a day, and end at log out", async () => {
    const { sessionToken } = await account();
    const start = new Date();
    expect((await sessionFromToken(sessionToken, start))?.renewed).toBe(false);
    const twoDaysOn = new Date(start.getTime() + 2 * 24 * 3600_000);
    expect((await sessionFromToken(sessionToken, twoDaysOn))?.renewed).toBe(true);
    const row = await prisma.merchantToken.findUniqueOrThrow({ where: { tokenHash: hashToken(sessionToken) } });
    expect(row.expiresAt.getTime()).toBe(twoDaysOn.getTime() + SESSION_TTL_MS);
    expect(await sessionFromToken(sessionToken, new Date(twoDaysOn.getTime() + SESSION_TTL_MS + 1))).toBeNull();
    await logOut(sessionToken);
    expect(await sessionFromToken(sessionToken, twoDaysOn)).toBeNull();
    expect(await sessionFromToken("made-up-token")).toBeNull();
  });
});

describe("changing the password while signed in", () => {
  it("needs the current password, keeps this session, and signs every other browser out", async () => {
    const { email: address, sessionToken: here } = await account();
    const elsewhere = await logIn({ email: address, password: PASSWORD });
    if (elsewhere.type !== "signed_in") throw new Error("second sign-in failed");
    expect(await changePassword(here, { current: "not the password", next: "a brand new passphrase" })).toEqual({ type: "wrong_current" });
    expect(await changePassword(here, { current: PASSWORD, next: "short" })).toMatchObject({ type: "invalid" });
    expect(await changePassword(here, { current: PASSWORD, next: "a brand new passphrase" })).toEqual({ type: "changed" });
    expect(await sessionFromToken(here)).not.toBeNull();
    expect(await sessionFromToken(elsewhere.sessionToken)).toBeNull();
    expect((await logIn({ email: address, password: "a brand new passphrase" })).type).toBe("signed_in");
  });

  it("counts wrong current passwords towards the lockout, so a borrowed session can't guess the password", async () => {
    const { sessionToken } = await account();
    const now = new Date("2026-11-21T10:00:00Z");
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      expect((await changePassword(sessionToken, { current: `guess ${i} guess`, next: "a brand new passphrase" }, now)).type).toBe("wrong_current");
    }
    expect((await changePassword(sessionToken, { current: "last guess here", next: "a brand new passphrase" }, now)).type).toBe("locked");
    expect((await changePassword(sessionToken, { current: PASSWORD, next: "a brand new passphrase" }, now)).type).toBe("locked");
  });
});

describe("expired tokens", () => {
  it("are purged a day after they end; live sessions stay", async () => {
    const { sessionToken } = await account();
    const later = new Date(Date.now() + SESSION_TTL_MS + 25 * 3600_000);
    const live = await account();
    await prisma.merchantToken.update({ where: { tokenHash: hashToken(live.sessionToken) }, data: { expiresAt: new Date(later.getTime() + 1000) } });
    expect(await purgeExpiredMerchantTokens(later)).toBeGreaterThanOrEqual(1);
    expect(await prisma.merchantToken.count({ where: { tokenHash: hashToken(sessionToken) } })).toBe(0);
    expect(await prisma.merchantToken.count({ where: { tokenHash: hashToken(live.sessionToken) } })).toBe(1);
  });
});

describe("password reset", () => {
  it("mails a single-use link only to a known address; a refused password does not use it up; other sessions end", async () => {
    const { email: address, sessionToken: oldSession } = await account();
    const mailer = recordingMailer();
    expect(await requestPasswordReset(email(), { mailer, appUrl: APP })).toEqual({ type: "unknown_email" });
    expect(mailer.sent).toHaveLength(0);
    expect(await requestPasswordReset(address, { mailer: null, appUrl: APP })).toEqual({ type: "no_mailer" });

    expect(await requestPasswordReset(address, { mailer, appUrl: APP })).toEqual({ type: "sent" });
    expect(mailer.sent[0]).toMatchObject({ to: address, text: expect.stringContaining(`${APP}/magento/reset-password?token=`) });
    const token = linkToken(mailer.sent[0]!);
    expect(await prisma.merchantToken.count({ where: { tokenHash: token } })).toBe(0); // stored hashed only

    expect(await resetPassword(token, "short")).toMatchObject({ type: "invalid" });
    const done = await resetPassword(token, "a brand new passphrase");
    expect(done).toMatchObject({ type: "reset" });
    expect(await resetPassword(token, "yet another passphrase")).toEqual({ type: "invalid_link" });

    expect(await sessionFromToken(oldSession)).toBeNull();
    expect((await logIn({ email: address, password: PASSWORD })).type).toBe("wrong");
    expect((await logIn({ email: address, password: "a brand new passphrase" })).type).toBe("signed_in");
  });

  it("refuses an expired link, and uses a link once when it is submitted twice at the same moment", async () => {
    const { email: address } = await account();
    const mailer = recordingMailer();
    const asked = new Date(Date.now() - 2 * 3600_000);
    await requestPasswordReset(address, { mailer, appUrl: APP, now: asked });
    expect(await resetPassword(linkToken(mailer.sent[0]!), "a brand new passphrase")).toEqual({ type: "invalid_link" });

    await requestPasswordReset(address, { mailer, appUrl: APP });
    const token = linkToken(mailer.sent[1]!);
    const results = await Promise.all([resetPassword(token, "first passphrase wins"), resetPassword(token, "second passphrase wins")]);
    expect(results.filter((r) => r.type === "reset")).toHaveLength(1);
    expect(results.filter((r) => r.type === "invalid_link")).toHaveLength(1);
  });

  it(`sends at most ${MAX_RESET_EMAILS_PER_HOUR} reset emails an hour to one account, so the form can't flood an inbox`, async () => {
    const { email: address } = await account();
    const mailer = recordingMailer();
    const start = new Date(Date.now() + 1000);
    for (let i = 0; i < MAX_RESET_EMAILS_PER_HOUR; i++) {
      expect(await requestPasswordReset(address, { mailer, appUrl: APP, now: new Date(start.getTime() + i * 1000) })).toEqual({ type: "sent" });
    }
    expect(await requestPasswordReset(address, { mailer, appUrl: APP, now: new Date(start.getTime() + 5000) })).toEqual({ type: "too_many" });
    expect(mailer.sent).toHaveLength(MAX_RESET_EMAILS_PER_HOUR);
    expect(await requestPasswordReset(address, { mailer, appUrl: APP, now: new Date(start.getTime() + 3601_000) })).toEqual({ type: "sent" });
  });

  it("tells a form sent empty or with a mistyped address so, and makes no link", async () => {
    const { email: address, shopId } = await account();
    for (const typed of ["", "   ", address.replace("@", " at ")]) {
      const answer = (await forgotAction(
        args(new Request(`${APP}/magento/forgot-password`, { method: "POST", body: new URLSearchParams({ email: typed }), headers: { origin: APP } })),
      )) as { type?: string; data?: { error?: string }; init?: { status?: number } };
      expect(answer).toMatchObject({ type: "DataWithResponseInit", data: { error: "Enter an email address like you@example.com" }, init: { status: 400 } });
    }
    expect(await prisma.merchantToken.count({ where: { shopId, kind: "PASSWORD_RESET" } })).toBe(0);
  });

  it("unlocks a locked account", async () => {
    const { email: address } = await account();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await logIn({ email: address, password: `guess number ${i}` });
    const mailer = recordingMailer();
    await requestPasswordReset(address, { mailer, appUrl: APP });
    await resetPassword(linkToken(mailer.sent[0]!), "a brand new passphrase");
    expect((await logIn({ email: address, password: "a brand new passphrase" })).type).toBe("signed_in");
  });
});

describe("admin pages behind a merchant session", () => {
  const cookie = (token: string) => ({ cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}` });

  it("show the merchant's own shop only", async () => {
    const mine = await account();
    const theirs = await account();
    await forShop(mine.shopId).customer.create({ data: { shopId: mine.shopId, platformId: "m1", email: "mine@example.com" } });
    await forShop(theirs.shopId).customer.create({ data: { shopId: theirs.shopId, platformId: "t1", email: "theirs@example.com" } });
    const data = (await customersLoader(args(new Request(`${APP}/app/customers`, { headers: cookie(mine.sessionToken) })))) as {
      customers: { email: string | null }[];
    };
    expect(data.customers.map((c) => c.email)).toEqual(["mine@example.com"]);
  });

  it("send a browser with an expired or revoked session to log in again, clearing the cookie", async () => {
    const { sessionToken } = await account();
    await logOut(sessionToken);
    const response = await thrownResponse(() => customersLoader(args(new Request(`${APP}/app/customers?tab=2`, { headers: cookie(sessionToken) }))));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/magento/login?next=${encodeURIComponent("/app/customers?tab=2")}`);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
  });

  it("refuse a form posted from another site and accept one posted from the app", async () => {
    const { sessionToken, shopId } = await account();
    const post = (origin: string) =>
      new Request(`${APP}/app/pools/new`, {
        method: "POST",
        body: new URLSearchParams({ name: `Pool ${origin}`, kind: "STATIC" }),
        headers: { ...cookie(sessionToken), origin },
      });
    const refused = await thrownResponse(() => newPoolAction(args(post("https://evil.example"))));
    expect(refused.status).toBe(403);
    expect(await prisma.pool.count({ where: { shopId } })).toBe(0);
    const created = await thrownResponse(() => newPoolAction(args(post(APP))));
    expect(created.status).toBe(302);
    expect(await prisma.pool.count({ where: { shopId } })).toBe(1);
  });

  it("log in sets an HttpOnly cookie and follows only the app's own next page; log out ends the session", async () => {
    const { email: address } = await account();
    const login = (next: string) =>
      loginAction(
        args(
          new Request(`${APP}/magento/login`, {
            method: "POST",
            body: new URLSearchParams({ email: address, password: PASSWORD, next }),
            headers: { origin: APP },
          }),
        ),
      );
    const away = (await login("https://evil.example/app")) as Response;
    expect(away.headers.get("location")).toBe("/app");
    const back = (await login("/app/pools")) as Response;
    expect(back.headers.get("location")).toBe("/app/pools");
    const setCookie = back.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly; SameSite=Lax; Max-Age=\d+; Secure/);
    const token = decodeURIComponent(/promo_session=([^;]+)/.exec(setCookie)![1]!);
    expect(await sessionFromToken(token)).not.toBeNull();

    const out = await thrownResponse(() =>
      logoutAction(args(new Request(`${APP}/magento/logout`, { method: "POST", headers: { ...cookie(token), origin: APP } }))),
    );
    expect(out.headers.get("location")).toBe("/magento/login");
    expect(await sessionFromToken(token)).toBeNull();
  });
});
