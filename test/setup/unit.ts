// Unit tests: an in-memory PGlite per test file (migrated), msw in front of the Shopify store simulator.
// msw must listen before @shopify/shopify-api is imported (it captures fetch at import), which is why this runs
// as a setup file and not inside the tests.
import { readFileSync } from "node:fs";
import { afterAll } from "vitest";
import { registerDatabase } from "../../app/db.server";
import { openPglite } from "../../app/db/connect.server";
import { migrate } from "../../app/db/migrate.server";
import { resetEnvCache } from "../../app/env.server";
import { setupFetchOnlyServer, shopifyAdminHandlers, ShopifySimulator } from "../../simulator/shopify";

// Nothing listens here: unit tests see Redis as down, which is exactly the outage case for producers.
process.env.REDIS_URL = "redis://127.0.0.1:1";
// ...and producers give up on it quickly instead of waiting for a connection that never comes.
process.env.ENQUEUE_TIMEOUT_MS = "100";
delete process.env.DATABASE_URL;
resetEnvCache();

// Bulk redeem-code additions and bulk operations progress fast here; their pacing is the simulator's own test subject.
export const simulator = new ShopifySimulator({
  bulkCodes: { startDelayMs: 20, codesPerSecond: 20_000 },
  bulkOperations: { startDelayMs: 20, linesPerSecond: 50_000 },
});
globalThis.__testSimulator = simulator;
const handlers = [...shopifyAdminHandlers(simulator)];
// --- magento simulator (begin)
// Magento stores are registered per test (test/unit/magento/helpers.ts); unknown hosts fail like unreachable servers.
import { MagentoSimulator, magentoRestHandlers } from "../../simulator/magento";
export const magentoSimulator = new MagentoSimulator();
globalThis.__testMagentoSimulator = magentoSimulator;
handlers.push(...magentoRestHandlers(magentoSimulator));
declare global {
  var __testMagentoSimulator: MagentoSimulator | undefined;
}
// --- magento simulator (end)
const server = setupFetchOnlyServer(...handlers);
// Requests to loopback reach real local servers (an SMS provider stand-in, the app itself); anything else that no
// handler answers is an error, so a test can never reach the internet by accident.
server.listen({
  onUnhandledFrame({ frame, defaults }) {
    const request = (frame.data as { request?: Request }).request;
    const host = request ? new URL(request.url).hostname : null;
    if (host === "127.0.0.1" || host === "localhost") return;
    defaults.error();
  },
});

// Opened from the run's migrated tarball (test/setup/pglite-global.ts) when there is one; migrate() then finds
// nothing to apply, and still applies what a file run on its own, without the global setup, needs.
const snapshot = process.env.TEST_PGLITE_SNAPSHOT;
const db = await openPglite(undefined, snapshot ? { from: new Blob([readFileSync(snapshot)]) } : {});
await migrate(db);
registerDatabase(db);

afterAll(async () => {
  server.close();
  await db.close();
});

declare global {
  var __testSimulator: ShopifySimulator | undefined;
}
