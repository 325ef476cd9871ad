// Environment and database for benchmarks that drive the app's services against the machine's PostgreSQL.
// Everything here runs before any app module is imported: app/env.server.ts validates the Shopify variables on
// first use, and the services reach the database through whatever registerDatabase() was given.
import { randomBytes } from "node:crypto";

/** A dedicated database, so a benchmark never shares tables (or autovacuum) with the integration tests. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/promo_bench";
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Jobs the services enqueue while benchmarked (debounced stock checks) land under this prefix, not the app's. */
export const BENCH_QUEUE_PREFIX = "promo-bench";

export function setBenchEnv(url = BENCH_DATABASE_URL): void {
  process.env.DATABASE_URL = url;
  process.env.REDIS_URL = BENCH_REDIS_URL;
  process.env.QUEUE_PREFIX = BENCH_QUEUE_PREFIX;
  process.env.SHOPIFY_API_KEY ||= "bench-api-key";
  process.env.SHOPIFY_API_SECRET ||= "bench-api-secret";
  process.env.SHOPIFY_APP_URL ||= "https://bench.invalid";
  // The app refuses to start in production without it (the events bench runs the production build).
  process.env.APP_ENCRYPTION_KEY ||= randomBytes(32).toString("base64");
}

/** Creates the database when missing and applies the migrations (recreating it if a migration was rewritten). */
export async function ensureBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const { ensureDisposableDatabase } = await import("../../app/db/disposable-database.server");
  await ensureDisposableDatabase(url);
}

/**
 * What a suite that drives the services does first: the bench database, migrated (timed as "migrate"), and a pool
 * of `max` connections registered as the app's database.
 */
export async function openBenchDatabase(timed: <T>(name: string, fn: () => Promise<T>) => Promise<T>, max: number) {
  const url = BENCH_DATABASE_URL;
  setBenchEnv(url);
  await timed("migrate", () => ensureBenchDatabase(url));
  const { connectPostgres } = await import("../../app/db/connect.server");
  const { registerDatabase, prisma } = await import("../../app/db.server");
  const db = connectPostgres(url, { max });
  registerDatabase(db);
  const { forShop } = await import("../../app/db/shop-scope.server");
  return { url, db, prisma, forShop };
}
