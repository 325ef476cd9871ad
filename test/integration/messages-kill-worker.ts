// The worker process the kill test SIGKILLs mid-send: the real worker (every queue, the real send job) with a
// short lease, on the test's database and queue prefix (inherited from the parent's environment).
import { registerDatabase } from "../../app/db.server";
import { connectPostgres } from "../../app/db/connect.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
registerDatabase(connectPostgres(url, { max: 4 }));
const { startWorker } = await import("../../app/jobs/worker.server");
const { processSendMessages } = await import("../../app/jobs/processors/messages.server");
const leaseMs = Number(process.env.MESSAGE_LEASE_MS ?? "3000");
await startWorker({
    schedules: false,
  concurrency: 2,
  log: () => undefined,
  processors: { messages: { send: (payload) => processSendMessages(payload, { leaseMs, smtpTimeoutMs: 60_000 }) } },
});
process.stdout.write("ready\n");
