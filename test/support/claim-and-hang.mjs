// Claims a code the way issueCode does, inside an open transaction, then hangs until killed: a worker that dies
// between claiming and recording.
import pg from "pg";

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query("BEGIN");
await client.query(
  `UPDATE codes SET status = 'ASSIGNED', customer_id = $3::uuid WHERE id = (
     SELECT id FROM codes WHERE pool_id = $1::uuid AND shop_id = $2::uuid AND status = 'AVAILABLE'
     ORDER BY id + 0 LIMIT 1 FOR UPDATE SKIP LOCKED)`,
  [process.env.POOL_ID, process.env.SHOP_ID, process.env.CUSTOMER_ID],
);
process.stdout.write("claimed\n");
setInterval(() => undefined, 1000);
