import { Redis } from "ioredis";
import { database } from "../db.server";
import { appliedMigrations, readMigrations } from "../db/migrate.server";
import { env } from "../env.server";

export interface Health {
  ok: boolean;
  database: { ok: boolean; migrated: boolean; error?: string };
  redis: { ok: boolean; error?: string };
}

export async function checkHealth(): Promise<Health> {
  const [db, redis] = await Promise.all([checkDatabase(), checkRedis()]);
  return { ok: db.ok && db.migrated && redis.ok, database: db, redis };
}

async function checkDatabase(): Promise<Health["database"]> {
  try {
    const [applied, expected] = await Promise.all([appliedMigrations(database()), readMigrations()]);
    const done = new Set(applied);
    return { ok: true, migrated: expected.every((m) => done.has(m.name)) };
  } catch (error) {
    return { ok: false, migrated: false, error: (error as Error).message };
  }
}

async function checkRedis(): Promise<Health["redis"]> {
  const client = new Redis(env().REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return { ok: (await client.ping()) === "PONG" };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    client.disconnect();
  }
}
