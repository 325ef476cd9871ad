import { defineConfig } from "vitest/config";

// Three projects, one command (npm test):
// - unit: in-process PGlite per test file (opened from one migrated tarball per run), msw in front of the store
//   simulator; fast, no services needed.
// - integration: the machine's PostgreSQL and Redis (real row locking, real queues, worker restarts).
// - browser: a production build served on a random port, driven by playwright-core in Debian's Chromium.
// Every test creates its own shop, so files run in parallel without truncating anything.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "app/**/*.test.ts"],
          globalSetup: ["test/setup/pglite-global.ts"],
          setupFiles: ["test/setup/env.ts", "test/setup/unit.ts"],
          environment: "node",
          pool: "forks",
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/setup/postgres-global.ts"],
          setupFiles: ["test/setup/env.ts", "test/setup/integration.ts"],
          environment: "node",
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/setup/postgres-global.ts", "test/setup/build-global.ts"],
          setupFiles: ["test/setup/env.ts"],
          environment: "node",
          pool: "forks",
          fileParallelism: false,
          // expect.poll's own default (1 s) is shorter than a page navigation on a loaded CI
          // machine; a poll that waits for the page must wait as long as a locator would.
          expect: { poll: { timeout: 15_000 } },
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
