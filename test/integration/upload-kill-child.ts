// The web process the upload kill test SIGKILLs: it streams an upload into a pool and, once part of the file is
// staged, stops reading (a browser that stalls), says so, and waits to be killed. Uses the test's database
// (inherited from the parent's environment).
import { registerDatabase } from "../../app/db.server";
import { connectPostgres } from "../../app/db/connect.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
registerDatabase(connectPostgres(url, { max: 4 }));
const { forShop } = await import("../../app/db/shop-scope.server");
const { importUpload } = await import("../../app/services/pools/imports.server");

const shopId = process.env.SHOP_ID!;
const poolId = process.env.POOL_ID!;
const importId = process.env.IMPORT_ID!;

async function* stallingFile(): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let chunk = 0; chunk < 10; chunk++) {
    yield encoder.encode(Array.from({ length: 2_000 }, (_, i) => `KILLED-${chunk}-${i}`).join("\n") + "\n");
  }
  process.stdout.write("stalled\n");
  await new Promise(() => undefined);
}

await importUpload(forShop(shopId), { shopId, poolId, importId, format: "paste", source: stallingFile() });
