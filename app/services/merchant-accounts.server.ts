// Magento merchants' own sign-in to the standalone admin. Shopify merchants sign in through Shopify (session
// tokens); a Magento store has no such host, so its merchant signs up with an email and a password, and the
// browser keeps an opaque session token in an HttpOnly cookie. Passwords are scrypt hashes; session and reset
// tokens are stored as SHA-256 hashes, so neither a database dump nor a log line signs anyone in.
// Accounts are found by email or token before any shop is known, so this service reads through the global
// client; everything it returns is the one account's own shop.
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { prisma } from "../db.server";
import { isUniqueViolation } from "../db/errors";
import type { Mailer } from "../channels/email/mailer.server";
import { MAX_PASSWORD_LENGTH, normaliseEmail, passwordProblem, signUpProblems, type FieldErrors } from "../domain/merchant-accounts";


export const SESSION_COOKIE = "promo_session";
/** A session lasts this long after its last use (renewed at most once a day). */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
const SESSION_RENEW_AFTER_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;
/** Wrong passwords in a row before the account is locked for LOCK_MS. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60 * 1000;

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize("NFKC"), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (base64), so the parameters can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Checked against when the email is unknown, so a wrong email takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Stores a new token of `kind` for the account, hashed, and returns the only copy of its clear value. */
async function createToken(account: { id: string; shopId: string }, kind: "SESSION" | "PASSWORD_RESET", ttlMs: number, now: Date): Promise<string> {
  const token = newToken();
  await prisma.merchantToken.create({
    data: {
      shopId: account.shopId,
      accountId: account.id,
      kind,
      tokenHash: hashToken(token),
      expiresAt: new Date(now.getTime() + ttlMs),
      createdAt: now,
    },
  });
  return token;
}

function createSession(account: { id: string; shopId: string }, now: Date): Promise<string> {
  return createToken(account, "SESSION", SESSION_TTL_MS, now);
}

export type SignUpResult =
  | { type: "created"; shopId: string; sessionToken: string }
  | { type: "invalid"; errors: FieldErrors }
  | { type: "email_taken" };

/**
 * Creates a Magento shop and its merchant's account, and signs the merchant in. The shop's internal domain is
 * random: the store's real address is only trusted once Settings > Magento has reached it with its token.
 */
export async function signUp(
  input: { storeName: string; email: string; password: string },
  now = new Date(),
): Promise<SignUpResult> {
  const errors = signUpProblems(input);
  if (Object.keys(errors).length > 0) return { type: "invalid", errors };
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    const account = await prisma.$transaction(async (tx) => {
      const shop = await tx.shop.create({
        data: {
          domain: `magento-${randomBytes(6).toString("hex")}`,
          platform: "MAGENTO",
          name: input.storeName.trim(),
          contactEmail: email,
        },
        select: { id: true },
      });
      return tx.merchantAccount.create({ data: { shopId: shop.id, email, passwordHash }, select: { id: true, shopId: true } });
    });
    return { type: "created", shopId: account.shopId, sessionToken: await createSession(account, now) };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "email_taken" };
    throw error;
  }
}

/**
 * Checks a password against an account. While the account is locked no password is checked; a wrong one is
 * counted, and the MAX_FAILED_LOGINS-th in a row locks the account for LOCK_MS.
 */
async function checkPassword(
  account: { id: string; passwordHash: string; lockedUntil: Date | null },
  password: string,
  now: Date,
): Promise<{ type: "right" } | { type: "wrong" } | { type: "locked"; until: Date }> {
  if (account.lockedUntil && account.lockedUntil > now) return { type: "locked", until: account.lockedUntil };
  const right = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(password, account.passwordHash));
  return right ? { type: "right" } : countWrongPassword(account.id, now);
}

async function countWrongPassword(accountId: string, now: Date): Promise<{ type: "wrong" } | { type: "locked"; until: Date }> {
  const counted = await prisma.merchantAccount.update({
    where: { id: accountId },
    data: { failedLogins: { increment: 1 } },
    select: { failedLogins: true },
  });
  if (counted.failedLogins < MAX_FAILED_LOGINS) return { type: "wrong" };
  const until = new Date(now.getTime() + LOCK_MS);
  await prisma.merchantAccount.update({ where: { id: accountId }, data: { failedLogins: 0, lockedUntil: until } });
  return { type: "locked", until };
}

export type LogInResult =
  | { type: "signed_in"; shopId: string; sessionToken: string }
  | { type: "wrong" }
  | { type: "locked"; until: Date };

/**
 * Checks an email and password. Wrong answers are counted per account: the MAX_FAILED_LOGINS-th in a row locks it
 * for LOCK_MS, and while locked no password is even checked. An unknown email costs the same scrypt as a known one
 * and gets the same answer.
 */
export async function logIn(input: { email: string; password: string }, now = new Date()): Promise<LogInResult> {
  const account = await prisma.merchantAccount.findUnique({
    where: { email: normaliseEmail(input.email) },
    select: { id: true, shopId: true, passwordHash: true, lockedUntil: true, shop: { select: { uninstalledAt: true } } },
  });
  if (!account || account.shop.uninstalledAt) {
    dummyHash ??= hashPassword(newToken());
    await verifyPassword(input.password.slice(0, MAX_PASSWORD_LENGTH), await dummyHash);
    return { type: "wrong" };
  }
  const checked = await checkPassword(account, input.password, now);
  if (checked.type !== "right") return checked;
  await prisma.merchantAccount.update({
    where: { id: account.id },
    data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now },
  });
  return { type: "signed_in", shopId: account.shopId, sessionToken: await createSession(account, now) };
}

export interface MerchantSession {
  shopId: string;
  shopDomain: string;
  email: string;
  /** The expiry moved forward: the cookie should be sent again with a fresh Max-Age. */
  renewed: boolean;
}

/** The signed-in merchant behind a session cookie's token, or null (unknown, expired, or the shop is gone). */
export async function sessionFromToken(token: string, now = new Date()): Promise<MerchantSession | null> {
  if (!token || token.length > 100) return null;
  const row = await prisma.merchantToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      kind: true,
      expiresAt: true,
      account: { select: { email: true, shopId: true, shop: { select: { domain: true, uninstalledAt: true } } } },
    },
  });
  if (!row || row.kind !== "SESSION" || row.expiresAt <= now || row.account.shop.uninstalledAt) return null;
  const renewed = row.expiresAt.getTime() - now.getTime() < SESSION_TTL_MS - SESSION_RENEW_AFTER_MS;
  if (renewed) {
    await prisma.merchantToken.update({ where: { id: row.id }, data: { expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
  }
  return { shopId: row.account.shopId, shopDomain: row.account.shop.domain, email: row.account.email, renewed };
}

export async function logOut(token: string): Promise<void> {
  if (!token) return;
  await prisma.merchantToken.deleteMany({ where: { tokenHash: hashToken(token), kind: "SESSION" } });
}

export type ResetRequestResult = { type: "sent" } | { type: "unknown_email" } | { type: "no_mailer" } | { type: "too_many" };

/** Reset emails one account can be sent per hour: the form can't be used to flood a merchant's inbox. */
export const MAX_RESET_EMAILS_PER_HOUR = 3;

/**
 * Emails a one-hour, single-use link to set a new password. The page that calls this says the same thing whether
 * or not the address has an account.
 */
export async function requestPasswordReset(
  email: string,
  options: { mailer: Mailer | null; appUrl: string; now?: Date },
): Promise<ResetRequestResult> {
  const now = options.now ?? new Date();
  const account = await prisma.merchantAccount.findUnique({
    where: { email: normaliseEmail(email) },
    select: { id: true, shopId: true, email: true, shop: { select: { name: true, uninstalledAt: true } } },
  });
  if (!account || account.shop.uninstalledAt) return { type: "unknown_email" };
  if (!options.mailer) return { type: "no_mailer" };
  const recent = await prisma.merchantToken.count({
    where: { accountId: account.id, kind: "PASSWORD_RESET", createdAt: { gt: new Date(now.getTime() - 60 * 60 * 1000) } },
  });
  if (recent >= MAX_RESET_EMAILS_PER_HOUR) return { type: "too_many" };
  const token = await createToken(account, "PASSWORD_RESET", RESET_TTL_MS, now);
  const link = `${options.appUrl}/magento/reset-password?token=${encodeURIComponent(token)}`;
  await options.mailer.send({
    to: account.email,
    subject: "Promo Codes: set a new password",
    text:
      `Someone (hopefully you) asked to set a new password for the Promo Codes account of ${account.shop.name ?? "your store"}.\n\n` +
      `Open this link within an hour to choose one; it works once:\n${link}\n\n` +
      `If you did not ask, ignore this email: your password stays as it is.`,
  });
  return { type: "sent" };
}

export type ResetResult =
  | { type: "reset"; shopId: string; sessionToken: string }
  | { type: "invalid_link" }
  | { type: "invalid"; error: string };

/** The account behind a reset link that can still be used, or null (unknown, used, expired, or not a reset link). */
async function usableResetLink(token: string, now: Date) {
  if (!token || token.length > 100) return null;
  const row = await prisma.merchantToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { kind: true, usedAt: true, expiresAt: true, account: { select: { id: true, shopId: true, email: true } } },
  });
  return row && row.kind === "PASSWORD_RESET" && !row.usedAt && row.expiresAt > now ? row : null;
}

/** Whether a reset link can still be used (for the page that asks for the new password). */
export async function resetLinkUsable(token: string, now = new Date()): Promise<boolean> {
  return (await usableResetLink(token, now)) !== null;
}

/**
 * Sets a new password through a reset link. The link is claimed with one conditional update, so it works once
 * even when submitted twice at the same moment; a password that is refused does not use it up. Every other
 * session of the account ends, and the browser that reset the password is signed in.
 */
export async function resetPassword(token: string, password: string, now = new Date()): Promise<ResetResult> {
  const owner = await usableResetLink(token, now);
  if (!owner) return { type: "invalid_link" };
  const tokenHash = hashToken(token);
  const problem = passwordProblem(password, owner.account.email);
  if (problem) return { type: "invalid", error: problem };
  const passwordHash = await hashPassword(password);
  const claimed = await prisma.$transaction(async (tx) => {
    const used = await tx.merchantToken.updateMany({
      where: { tokenHash, kind: "PASSWORD_RESET", usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (used.count === 0) return false;
    await tx.merchantAccount.update({ where: { id: owner.account.id }, data: { passwordHash, failedLogins: 0, lockedUntil: null } });
    await tx.merchantToken.deleteMany({
      where: { accountId: owner.account.id, OR: [{ kind: "SESSION" }, { kind: "PASSWORD_RESET", tokenHash: { not: tokenHash } }] },
    });
    return true;
  });
  if (!claimed) return { type: "invalid_link" };
  return { type: "reset", shopId: owner.account.shopId, sessionToken: await createSession(owner.account, now) };
}

export type ChangePasswordResult = { type: "changed" } | { type: "wrong_current" } | { type: "locked"; until: Date } | { type: "invalid"; error: string };

/**
 * Changes the password of the account behind a session. The current password is checked (and a wrong one counts
 * towards the lockout, so a borrowed session can't be used to guess it); every other session of the account ends.
 */
export async function changePassword(
  sessionToken: string,
  input: { current: string; next: string },
  now = new Date(),
): Promise<ChangePasswordResult> {
  const session = await prisma.merchantToken.findUnique({
    where: { tokenHash: hashToken(sessionToken) },
    select: { kind: true, expiresAt: true, account: { select: { id: true, email: true, passwordHash: true, lockedUntil: true } } },
  });
  if (!session || session.kind !== "SESSION" || session.expiresAt <= now) return { type: "wrong_current" };
  const { account } = session;
  const checked = await checkPassword(account, input.current, now);
  if (checked.type === "locked") return checked;
  if (checked.type === "wrong") return { type: "wrong_current" };
  const problem = passwordProblem(input.next, account.email);
  if (problem) return { type: "invalid", error: problem };
  const passwordHash = await hashPassword(input.next);
  await prisma.$transaction([
    prisma.merchantAccount.update({ where: { id: account.id }, data: { passwordHash, failedLogins: 0 } }),
    prisma.merchantToken.deleteMany({ where: { accountId: account.id, kind: "SESSION", tokenHash: { not: hashToken(sessionToken) } } }),
  ]);
  return { type: "changed" };
}

/** Drops sessions and reset links that ended more than a day ago (the system sweep calls it). */
export async function purgeExpiredMerchantTokens(now = new Date()): Promise<number> {
  const { count } = await prisma.merchantToken.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } } });
  return count;
}
