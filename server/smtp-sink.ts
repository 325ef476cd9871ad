// A local SMTP server that accepts every message and prints it as one JSON line on stdout. The demo sends its
// emails here, and tests start it as a separate process to deliver real SMTP to. Options through env:
// SMTP_SINK_PORT (0 = any free port), SMTP_SINK_REJECT ("all" answers 550 to every message), SMTP_SINK_DELAY_MS,
// SMTP_SINK_STALL_FIRST=N (the first N messages never get an answer and are not kept: a server that hangs, as the
// client's timeout sees it; a {"type":"stalled"} line says one arrived), SMTP_SINK_QUIET=1 (benchmarks: no line
// per message, only {"type":"stats"} lines with the count, the Message-IDs seen twice and the last acceptance time).
import { SMTPServer } from "smtp-server";

const reject = process.env.SMTP_SINK_REJECT === "all";
const delayMs = Number(process.env.SMTP_SINK_DELAY_MS ?? "0");
let stallsLeft = Number(process.env.SMTP_SINK_STALL_FIRST ?? "0");
const quiet = process.env.SMTP_SINK_QUIET === "1";

const stats = { received: 0, duplicates: 0, lastAcceptedAt: 0 };
const seenIds = new Set<string>();
let printed = -1;
function printStats() {
  if (printed === stats.received) return;
  printed = stats.received;
  process.stdout.write(`${JSON.stringify({ type: "stats", ...stats })}\n`);
}
if (quiet) setInterval(printStats, 100).unref();

function count(data: Buffer) {
  const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(data.subarray(0, 4096).toString("latin1"))?.[1] ?? null;
  if (id !== null) {
    if (seenIds.has(id)) stats.duplicates++;
    else seenIds.add(id);
  }
  stats.received++;
  stats.lastAcceptedAt = Date.now();
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      if (stallsLeft > 0) {
        stallsLeft--;
        process.stdout.write(`${JSON.stringify({ type: "stalled" })}\n`);
        return;
      }
      const deliver = () => {
        if (reject) {
          const error = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
          return callback(error);
        }
        if (quiet) {
          count(Buffer.concat(chunks));
          return callback();
        }
        process.stdout.write(
          `${JSON.stringify({
            type: "message",
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString("utf8"),
          })}\n`,
        );
        callback();
      };
      if (delayMs > 0) setTimeout(deliver, delayMs);
      else deliver();
    });
  },
});

server.listen(Number(process.env.SMTP_SINK_PORT ?? "0"), "127.0.0.1", () => {
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ type: "listening", port })}\n`);
});

const stop = () => {
  if (quiet) printStats();
  server.close(() => process.exit(0));
  // Stalled sessions never end on their own.
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
