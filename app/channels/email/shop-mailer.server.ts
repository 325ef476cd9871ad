// Merchants' campaign emails go out through the shop's own SMTP server. One pooled transport per shop settings is
// kept in the process (a broadcast sends thousands of messages over a few open connections instead of one TCP +
// SMTP handshake each), and closed when idle. Each send answers with an outcome the message job can act on:
// "sent", "rejected" (5xx: the server refused this message and asking again won't help) or "retry" (4xx,
// connection refused, timeout).
import { createHash } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import nodemailer, { type Transporter } from "nodemailer";

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | null;
  password: string | null;
  fromAddress: string;
  fromName: string | null;
  /** How long one send may wait on the server (connect, each reply); 30 s unless a caller needs it shorter. */
  timeoutMs?: number;
}

export interface ShopEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Stable per message: becomes the Message-ID, so a resend after a crash can be recognised downstream. */
  messageKey: string;
}

export type EmailOutcome =
  | { type: "sent"; messageId: string }
  | { type: "rejected"; message: string }
  /**
   * "server": no answer at all (refused, timed out, dropped), so the next messages would fare the same;
   * "message": the server answered 4xx for this message (greylisting, a full mailbox) and others may go through.
   */
  | { type: "retry"; message: string; scope: "server" | "message" };

const IDLE_CLOSE_MS = 60_000;
const SEND_TIMEOUT_MS = 30_000;

interface PooledTransport {
  transport: Transporter;
  idleTimer: NodeJS.Timeout | null;
}

const transports = new Map<string, PooledTransport>();

function settingsKey(shopId: string, settings: SmtpSettings): string {
  return `${shopId}:${createHash("sha256").update(JSON.stringify(settings)).digest("hex")}`;
}

/**
 * nodemailer opens sockets with Nagle's algorithm on: each SMTP command then waits on the server's delayed ACK
 * (about 40 ms), which capped one connection at ~20 messages a second. Opening the socket ourselves with
 * TCP_NODELAY took a 5-connection pool from ~100 to ~780 messages a second against a local server.
 */
/**
 * With Nagle off, every write is its own system call and packet, and nodemailer writes a message in dozens of small
 * pieces (commands, headers, each transformed chunk of the body): profiling a broadcast's worker showed a quarter
 * of its CPU in those writes. Writes made in one turn of the event loop now leave as one: the socket is corked at
 * the first and uncorked once the turn is over, so a command still goes out at once and nothing waits on an ACK.
 */
function coalesceWrites(socket: net.Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as typeof socket.write;
}

function noDelaySocket(settings: SmtpSettings) {
  return (_options: unknown, callback: (error: Error | null, socket?: { connection: net.Socket; secured?: boolean }) => void) => {
    const socket = settings.secure
      ? tls.connect({ host: settings.host, port: settings.port, servername: net.isIP(settings.host) ? undefined : settings.host })
      : net.connect({ host: settings.host, port: settings.port });
    socket.setNoDelay(true);
    coalesceWrites(socket);
    const ready = settings.secure ? "secureConnect" : "connect";
    const onError = (error: Error) => callback(error);
    socket.once("error", onError);
    socket.once(ready, () => {
      socket.removeListener("error", onError);
      callback(null, { connection: socket, secured: settings.secure });
    });
  };
}

function createTransport(settings: SmtpSettings, pooled: boolean): Transporter {
  return nodemailer.createTransport({
    getSocket: noDelaySocket(settings),
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? "" } } : {}),
    ...(pooled ? { pool: true, maxConnections: 5, maxMessages: Infinity } : {}),
    connectionTimeout: Math.min(10_000, settings.timeoutMs ?? 10_000),
    greetingTimeout: Math.min(10_000, settings.timeoutMs ?? 10_000),
    socketTimeout: settings.timeoutMs ?? SEND_TIMEOUT_MS,
  });
}

function pooledTransport(shopId: string, settings: SmtpSettings): PooledTransport {
  const key = settingsKey(shopId, settings);
  let entry = transports.get(key);
  if (!entry) {
    // Settings changed: the shop's old transports close; in-flight sends on them finish first.
    for (const [other, stale] of transports) {
      if (other.startsWith(`${shopId}:`)) {
        stale.transport.close();
        transports.delete(other);
      }
    }
    entry = { transport: createTransport(settings, true), idleTimer: null };
    transports.set(key, entry);
  }
  if (entry.idleTimer) clearTimeout(entry.idleTimer);
  const current = entry;
  current.idleTimer = setTimeout(() => {
    current.transport.close();
    transports.delete(key);
  }, IDLE_CLOSE_MS);
  current.idleTimer.unref();
  return current;
}

function sender(settings: SmtpSettings): string {
  return settings.fromName ? `"${settings.fromName.replace(/["\\]/g, "")}" <${settings.fromAddress}>` : settings.fromAddress;
}

/** SMTP reply codes 5xx are permanent for this message; everything else (4xx, network, timeouts) is worth retrying. */
export function classifySmtpError(error: unknown): EmailOutcome {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = e.message ?? String(error);
  if (typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600) {
    return { type: "rejected", message: `SMTP server refused the message (${e.responseCode}): ${message}` };
  }
  if (e.code === "EAUTH") return { type: "rejected", message: `SMTP login failed: ${message}` };
  const scope = typeof e.responseCode === "number" && e.responseCode >= 400 && e.responseCode < 500 ? "message" : "server";
  return { type: "retry", message: `SMTP delivery failed${e.code ? ` (${e.code})` : ""}: ${message}`, scope };
}

export async function sendShopEmail(shopId: string, settings: SmtpSettings, email: ShopEmail): Promise<EmailOutcome> {
  const { transport } = pooledTransport(shopId, settings);
  try {
    const info = (await transport.sendMail({
      from: sender(settings),
      to: email.to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      messageId: `<${email.messageKey}@promo-codes.app>`,
    })) as { messageId: string };
    return { type: "sent", messageId: info.messageId };
  } catch (error) {
    return classifySmtpError(error);
  }
}

/** Connects and logs in without sending: what saving the settings checks. */
export async function verifySmtp(settings: SmtpSettings): Promise<{ ok: true } | { ok: false; message: string }> {
  const transport = createTransport(settings, false);
  try {
    await transport.verify();
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    transport.close();
  }
}

/** Closes every pooled transport (worker shutdown, tests). */
export function closeShopMailers(): void {
  for (const entry of transports.values()) {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.transport.close();
  }
  transports.clear();
}
