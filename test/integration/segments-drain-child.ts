// A worker that dies mid-drain: it evaluates the shop's pending requests and writes the outcome, then hangs inside
// the transaction until killed (test/integration/segments-worker.test.ts sends SIGKILL). Not a test file itself.
import { connectPostgres } from "../../app/db/connect.server";
import { registerDatabase } from "../../app/db.server";
import { drainRequests } from "../../app/services/segments/requests.server";

const db = connectPostgres(process.env.DATABASE_URL!, { max: 2 });
registerDatabase(db);
await drainRequests(process.env.SHOP_ID!, {
  now: () => new Date(Number(process.env.NOW_MS)),
  onWritten: async () => {
    process.stdout.write("written\n");
    await new Promise(() => undefined);
  },
});
