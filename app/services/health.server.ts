// Liveness and readiness for load balancers. The route is public, so it says what is down, never why: a driver's
// error message can name internal hosts and users. The reason goes to the server's log. Redis is asked through the
// process's shared counter client, not a connection per request, so probing it often costs nothing.
import { database } from "../db.server";
import { appliedMigrations, readMigrations } from "../db/migrate.server";
import { counterRedis, counterRedisReady } from "../redis/counters.server";

export interface Health {
  ok: boolean;
  database: { ok: boolean; migrated: boolean };
  redis: { ok: boolean };
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
    console.error(`[health] database: ${(error as Error).message}`);
    return { ok: false, migrated: false };
  }
}

async function checkRedis(): Promise<Health["redis"]> {
  try {
    const redis = counterRedis();
    if (!(await counterRedisReady(redis))) throw new Error(`not connected (${redis.status})`);
    return { ok: (await redis.ping()) === "PONG" };
  } catch (error) {
    console.error(`[health] redis: ${(error as Error).message}`);
    return { ok: false };
  }
}
