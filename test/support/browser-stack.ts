// One app stack per browser test file: production build, PostgreSQL test database, Redis, simulator, worker.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startStack, type Stack } from "../../server/stack";

export async function startBrowserStack(): Promise<Stack> {
  return startStack({
    dataDir: mkdtempSync(path.join(tmpdir(), "promo-browser-")),
    databaseUrl: process.env.TEST_DATABASE_URL,
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  });
}
