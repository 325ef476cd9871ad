// Unit tests: an in-memory PGlite per test file (migrated), msw in front of the Shopify store simulator.
// msw must listen before @shopify/shopify-api is imported (it captures fetch at import), which is why this runs
// as a setup file and not inside the tests.
import { afterAll } from "vitest";
import { registerDatabase } from "../../app/db.server";
import { openPglite } from "../../app/db/connect.server";
import { migrate } from "../../app/db/migrate.server";
import { resetEnvCache } from "../../app/env.server";
import { setupFetchOnlyServer, shopifyAdminHandlers, ShopifySimulator } from "../../simulator/shopify";

// Nothing listens here: unit tests see Redis as down, which is exactly the outage case for producers.
process.env.REDIS_URL = "redis://127.0.0.1:1";
delete process.env.DATABASE_URL;
resetEnvCache();

// Bulk redeem-code additions progress fast here; their pacing is the simulator's own test subject.
export const simulator = new ShopifySimulator({ bulkCodes: { startDelayMs: 20, codesPerSecond: 20_000 } });
globalThis.__testSimulator = simulator;
const server = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));
server.listen({ onUnhandledFrame: "error" });

const db = await openPglite();
await migrate(db);
registerDatabase(db);

afterAll(async () => {
  server.close();
  await db.close();
});

declare global {
  var __testSimulator: ShopifySimulator | undefined;
}
