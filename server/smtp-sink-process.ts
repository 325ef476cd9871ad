// Starts server/smtp-sink.ts as its own process and reads what arrived: the demo sends its emails there, and tests
// deliver real SMTP over TCP to it.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface ReceivedEmail {
  from: string | null;
  to: string[];
  data: string;
  subject: string;
}

export interface SinkStats {
  received: number;
  duplicates: number;
  lastAcceptedAt: number;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedEmail[];
  /** Messages that arrived while the sink was set to stall (SMTP_SINK_STALL_FIRST): never answered, never kept. */
  stalled: () => number;
  /** The last counts a quiet sink (SMTP_SINK_QUIET=1) printed. */
  stats: () => SinkStats | null;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  stop(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=) as mail clients do. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === "B") return Buffer.from(text, "base64").toString("utf8");
      const bytes = text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    });
}

function headerValue(data: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, "mi").exec(data);
  return decodeWords(match?.[1]?.replace(/\r?\n[ \t]+/g, " ").trim() ?? "");
}

export async function startSmtpSink(env: Record<string, string> = {}): Promise<SmtpSink> {
  const child: ChildProcess = spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "server/smtp-sink.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const messages: ReceivedEmail[] = [];
  let stalled = 0;
  let stats: SinkStats | null = null;
  let buffer = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const event = JSON.parse(line) as { type: string; port?: number } & Omit<ReceivedEmail, "subject"> & SinkStats;
        if (event.type === "listening") resolve(event.port!);
        else if (event.type === "stalled") stalled++;
        else if (event.type === "stats") stats = { received: event.received, duplicates: event.duplicates, lastAcceptedAt: event.lastAcceptedAt };
        else messages.push({ from: event.from, to: event.to, data: event.data, subject: headerValue(event.data, "Subject") });
      }
    });
    child.once("exit", (code) => reject(new Error(`smtp sink exited with ${code}`)));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    stalled: () => stalled,
    stats: () => stats,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return messages;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
