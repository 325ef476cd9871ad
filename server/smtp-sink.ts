// A local SMTP server that accepts every message and prints it as one JSON line on stdout. The demo sends its
// emails here, and tests start it as a separate process to deliver real SMTP to. Options through env:
// SMTP_SINK_PORT (0 = any free port), SMTP_SINK_REJECT ("all" answers 550 to every message), SMTP_SINK_DELAY_MS.
import { SMTPServer } from "smtp-server";

const reject = process.env.SMTP_SINK_REJECT === "all";
const delayMs = Number(process.env.SMTP_SINK_DELAY_MS ?? "0");

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const deliver = () => {
        if (reject) {
          const error = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
          return callback(error);
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

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
