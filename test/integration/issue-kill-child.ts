// The process the keyed-issue kill test SIGKILLs: it issues a code with the app's own issueCode and an idempotency
// key. The test holds an uncommitted issuance with the same key, so this process claims its code and then waits on
// the key's unique index when it records the issuance: killed there, between claiming and recording.
import { registerDatabase } from "../../app/db.server";
import { connectPostgres } from "../../app/db/connect.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const named = new URL(url);
named.searchParams.set("application_name", process.env.APPLICATION_NAME ?? "issue-kill-child");
registerDatabase(connectPostgres(named.toString(), { max: 2 }));
const { forShop } = await import("../../app/db/shop-scope.server");
const { issueCode } = await import("../../app/services/pools/issue.server");

const shopId = process.env.SHOP_ID!;
const result = await issueCode(forShop(shopId), {
  shopId,
  poolId: process.env.POOL_ID!,
  customerId: process.env.CUSTOMER_ID!,
  idempotencyKey: process.env.IDEMPOTENCY_KEY!,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
