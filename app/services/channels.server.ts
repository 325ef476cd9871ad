// How a shop's messages leave: its own SMTP server for email, a signed JSON POST to its provider for SMS and push.
// Saving email settings logs in to the server first and stores nothing that does not work; a provider URL is
// checked for shape and reachability rules (no private addresses in production: the worker would otherwise POST
// wherever a merchant points it). Secrets (the SMTP password, the provider's signing secret) are stored encrypted
// (secrets.server.ts) and never leave the server: views only say whether they are set. A signing secret the
// merchant leaves empty is generated here and shown once.
import type { Channel, Prisma } from "@prisma/client";
import { isIP } from "node:net";
import { z } from "zod";
import { verifySmtp, type SmtpSettings } from "../channels/email/shop-mailer.server";
import type { ProviderEndpoint } from "../channels/provider/webhook.server";
import type { ShopDb } from "../db/shop-scope.server";
import { isPrivateAddress } from "../domain/private-address";
import { env } from "../env.server";
import { decryptSecret, encryptSecret, generateSigningSecret, SecretError } from "./secrets.server";

export type SendingChannel = Extract<Channel, "EMAIL" | "SMS" | "PUSH">;
export const SENDING_CHANNELS: readonly SendingChannel[] = ["EMAIL", "SMS", "PUSH"];

export function isSendingChannel(value: string): value is SendingChannel {
  return (SENDING_CHANNELS as readonly string[]).includes(value);
}

export const secretContext = (shopId: string, channel: SendingChannel) => `${shopId}:channel-${channel.toLowerCase()}-secret`;

// ---- input and views ---------------------------------------------------------------------------------------------

export interface EmailChannelInput {
  enabled: boolean;
  host: string;
  port: string;
  /** "tls" from the first byte (465) or "starttls" (upgrade when offered). */
  security: string;
  user: string;
  /** Empty keeps the stored password. */
  password: string;
  fromAddress: string;
  fromName: string;
}

export interface ProviderChannelInput {
  enabled: boolean;
  url: string;
  /** Empty keeps the stored secret, or generates one on the first save. */
  secret: string;
}

export type EmailField = "host" | "port" | "security" | "user" | "password" | "fromAddress" | "fromName";
export type ProviderField = "url" | "secret";

interface EmailConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  fromAddress: string;
  fromName: string | null;
}

interface ProviderConfig {
  url: string;
}

export interface EmailChannelView {
  channel: "EMAIL";
  enabled: boolean;
  config: EmailConfig;
  passwordSet: boolean;
  verifiedAt: Date | null;
  lastError: string | null;
}

export interface ProviderChannelView {
  channel: "SMS" | "PUSH";
  enabled: boolean;
  config: ProviderConfig;
  secretSet: boolean;
  verifiedAt: Date | null;
  lastError: string | null;
}

export type SaveEmailResult =
  | { type: "saved"; view: EmailChannelView }
  | { type: "invalid"; errors: Partial<Record<EmailField, string>> }
  /** The server could not be reached or refused the login: nothing was saved. */
  | { type: "connection_failed"; message: string };

export type SaveProviderResult =
  | { type: "saved"; view: ProviderChannelView; generatedSecret: string | null }
  | { type: "invalid"; errors: Partial<Record<ProviderField, string>> };

const ROW_SELECT = {
  channel: true,
  enabled: true,
  config: true,
  secretEncrypted: true,
  verifiedAt: true,
  lastError: true,
} as const satisfies Prisma.ChannelSettingsSelect;

type Row = Prisma.ChannelSettingsGetPayload<{ select: typeof ROW_SELECT }>;

function emailConfigOf(json: Prisma.JsonValue): EmailConfig {
  const c = (json ?? {}) as Partial<EmailConfig>;
  return {
    host: c.host ?? "",
    port: c.port ?? 587,
    secure: c.secure ?? false,
    user: c.user ?? null,
    fromAddress: c.fromAddress ?? "",
    fromName: c.fromName ?? null,
  };
}

function providerConfigOf(json: Prisma.JsonValue): ProviderConfig {
  return { url: ((json ?? {}) as Partial<ProviderConfig>).url ?? "" };
}

function emailView(row: Row): EmailChannelView {
  return {
    channel: "EMAIL",
    enabled: row.enabled,
    config: emailConfigOf(row.config),
    passwordSet: row.secretEncrypted !== null,
    verifiedAt: row.verifiedAt,
    lastError: row.lastError,
  };
}

function providerView(row: Row, channel: "SMS" | "PUSH"): ProviderChannelView {
  return {
    channel,
    enabled: row.enabled,
    config: providerConfigOf(row.config),
    secretSet: row.secretEncrypted !== null,
    verifiedAt: row.verifiedAt,
    lastError: row.lastError,
  };
}

export interface ChannelViews {
  email: EmailChannelView | null;
  sms: ProviderChannelView | null;
  push: ProviderChannelView | null;
}

export async function getChannelViews(db: ShopDb): Promise<ChannelViews> {
  const rows = await db.channelSettings.findMany({ select: ROW_SELECT });
  const find = (channel: Channel) => rows.find((r) => r.channel === channel);
  const email = find("EMAIL");
  const sms = find("SMS");
  const push = find("PUSH");
  return {
    email: email ? emailView(email) : null,
    sms: sms ? providerView(sms, "SMS") : null,
    push: push ? providerView(push, "PUSH") : null,
  };
}

// ---- validation --------------------------------------------------------------------------------------------------

const Email = z.email();
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function validateEmail(
  input: EmailChannelInput,
  hasPassword: boolean,
  allowLocal: boolean,
): { ok: true; config: EmailConfig; password: string | null } | { ok: false; errors: Partial<Record<EmailField, string>> } {
  const errors: Partial<Record<EmailField, string>> = {};
  const host = input.host.trim();
  if (!host) errors.host = "Enter your SMTP server's host name, e.g. smtp.example.com";
  else if (!HOST.test(host) && !isIP(host)) errors.host = "A host name has letters, digits, dots and dashes, like smtp.example.com";
  // The worker (and the save's connection test) would otherwise open connections into our own network.
  else if (!allowLocal && isPrivateHost(host)) errors.host = "The SMTP server must be reachable on the internet, not a local or private address";
  const port = Number(input.port.trim());
  if (!/^\d{1,5}$/.test(input.port.trim()) || port < 1 || port > 65535) errors.port = "A port is a number from 1 to 65535 (usually 587 or 465)";
  if (input.security !== "tls" && input.security !== "starttls") errors.security = "Choose how the connection is encrypted";
  const user = input.user.trim();
  if (user.length > 255) errors.user = "Keep the user name under 255 characters";
  const password = input.password;
  if (password.length > 1000) errors.password = "Keep the password under 1,000 characters";
  if (!password && user && !hasPassword) errors.password = "Enter the password for this user";
  const fromAddress = input.fromAddress.trim();
  if (!Email.safeParse(fromAddress).success) errors.fromAddress = "Enter the address your emails come from, like offers@your-store.com";
  const fromName = input.fromName.trim();
  if (fromName.length > 100) errors.fromName = "Keep the sender name under 100 characters";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { host, port, secure: input.security === "tls", user: user || null, fromAddress, fromName: fromName || null },
    password: password || null,
  };
}

/** Local and private addresses, and the names internal networks use (which never resolve to a public relay). */
function isPrivateHost(host: string): boolean {
  const name = host.replace(/\.$/, "").toLowerCase();
  return isPrivateAddress(host) || name.endsWith(".internal") || name.endsWith(".local");
}

/**
 * The provider URL the worker will POST to, or why it cannot be used. In production it must be https on a public
 * host; outside production (the demo, tests) a local http relay is allowed.
 */
export function checkProviderUrl(input: string, allowLocal = env().NODE_ENV !== "production"): { ok: true; url: string } | { ok: false; error: string } {
  const text = input.trim();
  if (!text) return { ok: false, error: "Enter the address your provider (or your relay) receives messages at" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: "This is not a web address. Enter it like https://sms.example.com/hooks/promo" };
  }
  if (url.protocol !== "https:" && !(allowLocal && url.protocol === "http:")) {
    return { ok: false, error: "Use an https:// address: messages carry customers' codes and phone numbers" };
  }
  if (url.username || url.password) return { ok: false, error: "Leave user names and passwords out of the address: requests are signed instead" };
  if (url.hash) return { ok: false, error: "Leave the #fragment out of the address" };
  if (!allowLocal && isPrivateHost(url.hostname)) return { ok: false, error: "The address must be reachable on the internet, not a local or private address" };
  if (text.length > 2000) return { ok: false, error: "Keep the address under 2,000 characters" };
  return { ok: true, url: url.toString() };
}

// ---- saving ------------------------------------------------------------------------------------------------------

export async function saveEmailChannel(
  db: ShopDb,
  shopId: string,
  input: EmailChannelInput,
  options: {
    verify?: (settings: SmtpSettings) => ReturnType<typeof verifySmtp>;
    /** Outside production (the demo, tests) a local SMTP server is allowed, as a local provider relay is. */
    allowLocal?: boolean;
  } = {},
): Promise<SaveEmailResult> {
  const existing = await db.channelSettings.findFirst({ where: { channel: "EMAIL" }, select: ROW_SELECT });
  const checked = validateEmail(input, existing?.secretEncrypted != null, options.allowLocal ?? env().NODE_ENV !== "production");
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  const context = secretContext(shopId, "EMAIL");
  let password = checked.password;
  if (password === null && checked.config.user && existing?.secretEncrypted) {
    try {
      password = decryptSecret(existing.secretEncrypted, context);
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      return { type: "invalid", errors: { password: "The stored password can no longer be read: enter it again" } };
    }
  }
  const settings: SmtpSettings = { ...checked.config, password: checked.config.user ? password : null };

  if (input.enabled) {
    const verified = await (options.verify ?? verifySmtp)(settings);
    if (!verified.ok) return { type: "connection_failed", message: `The SMTP server did not accept the connection: ${verified.message}` };
  }
  const fields = {
    enabled: input.enabled,
    config: checked.config as unknown as Prisma.InputJsonValue,
    secretEncrypted: settings.password ? encryptSecret(settings.password, context) : null,
    verifiedAt: input.enabled ? new Date() : (existing?.verifiedAt ?? null),
    lastError: null,
  };
  const row = await db.channelSettings.upsert({
    where: { shopId_channel: { shopId, channel: "EMAIL" } },
    create: { shopId, channel: "EMAIL", ...fields },
    update: fields,
    select: ROW_SELECT,
  });
  return { type: "saved", view: emailView(row) };
}

export async function saveProviderChannel(
  db: ShopDb,
  shopId: string,
  channel: "SMS" | "PUSH",
  input: ProviderChannelInput,
  options: { allowLocal?: boolean } = {},
): Promise<SaveProviderResult> {
  const existing = await db.channelSettings.findFirst({ where: { channel }, select: ROW_SELECT });
  const errors: Partial<Record<ProviderField, string>> = {};
  const url = checkProviderUrl(input.url, options.allowLocal);
  if (!url.ok) errors.url = url.error;
  const secret = input.secret.trim();
  if (secret && (secret.length < 16 || secret.length > 500 || /\s/.test(secret))) {
    errors.secret = "A signing secret is 16 to 500 characters without spaces (leave it empty to have one generated)";
  }
  if (!url.ok || Object.keys(errors).length > 0) return { type: "invalid", errors };

  const generatedSecret = !secret && !existing?.secretEncrypted ? generateSigningSecret() : null;
  const newSecret = secret || generatedSecret;
  const fields = {
    enabled: input.enabled,
    config: { url: url.url } satisfies ProviderConfig as unknown as Prisma.InputJsonValue,
    ...(newSecret ? { secretEncrypted: encryptSecret(newSecret, secretContext(shopId, channel)) } : {}),
    lastError: null,
  };
  const row = await db.channelSettings.upsert({
    where: { shopId_channel: { shopId, channel } },
    create: { shopId, channel, ...fields },
    update: fields,
    select: ROW_SELECT,
  });
  return { type: "saved", view: providerView(row, channel), generatedSecret };
}

// ---- for the message job -----------------------------------------------------------------------------------------

export type EmailTransportSettings =
  | { type: "shop"; settings: SmtpSettings }
  /** No usable settings of the shop's own: the caller may fall back to the app's system mailer. */
  | { type: "none"; reason: string };

export async function emailSettingsFor(db: ShopDb, shopId: string): Promise<EmailTransportSettings> {
  const row = await db.channelSettings.findFirst({ where: { channel: "EMAIL" }, select: ROW_SELECT });
  if (!row) return { type: "none", reason: "This shop has no SMTP settings (Settings > Messages)" };
  if (!row.enabled) return { type: "none", reason: "Email is turned off in this shop's message settings" };
  const config = emailConfigOf(row.config);
  let password: string | null = null;
  if (config.user && row.secretEncrypted) {
    try {
      password = decryptSecret(row.secretEncrypted, secretContext(shopId, "EMAIL"));
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      return { type: "none", reason: "The stored SMTP password can no longer be read: enter it again in Settings > Messages" };
    }
  }
  return { type: "shop", settings: { ...config, password } };
}

export type ProviderSettings = { type: "ready"; endpoint: ProviderEndpoint } | { type: "unavailable"; reason: string };

export async function providerEndpointFor(db: ShopDb, shopId: string, channel: "SMS" | "PUSH"): Promise<ProviderSettings> {
  const row = await db.channelSettings.findFirst({ where: { channel }, select: ROW_SELECT });
  const label = channel === "SMS" ? "SMS" : "Push";
  if (!row) return { type: "unavailable", reason: `This shop has no ${label} provider set up (Settings > Messages)` };
  if (!row.enabled) return { type: "unavailable", reason: `${label} is turned off in this shop's message settings` };
  if (!row.secretEncrypted) return { type: "unavailable", reason: `The ${label} provider has no signing secret` };
  try {
    const secret = decryptSecret(row.secretEncrypted, secretContext(shopId, channel));
    return { type: "ready", endpoint: { url: providerConfigOf(row.config).url, secret } };
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    return { type: "unavailable", reason: `The ${label} signing secret can no longer be read: save a new one` };
  }
}

/** What the last delivery attempt through a channel said, for the settings page; null clears it. */
export async function recordChannelError(db: ShopDb, channel: SendingChannel, message: string | null): Promise<void> {
  await db.channelSettings.updateMany({ where: { channel }, data: { lastError: message?.slice(0, 1000) ?? null } });
}
