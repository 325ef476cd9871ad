// Integration tests talk to the real PostgreSQL (test database created by postgres-global.ts) and Redis.
// Queues get a per-file prefix so parallel files never consume each other's jobs.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { registerDatabase } from "../../app/db.server";
import { connectPostgres } from "../../app/db/connect.server";
import { resetEnvCache } from "../../app/env.server";

const url = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/promo_test";
process.env.DATABASE_URL = url;
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
process.env.QUEUE_PREFIX = `test-${randomUUID().slice(0, 8)}`;
resetEnvCache();

const db = connectPostgres(url, { max: 20 });
registerDatabase(db);

afterAll(async () => {
  await db.close();
});
