// Environment and database for benchmarks that drive the app's services against the machine's PostgreSQL.
// Everything here runs before any app module is imported: app/env.server.ts validates the Shopify variables on
// first use, and the services reach the database through whatever registerDatabase() was given.
import pg from "pg";

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
}

/** Creates the database when missing and applies the migrations (recreating it if a migration was rewritten). */
export async function ensureBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const { connectPostgres } = await import("../../app/db/connect.server");
  const { migrate, MigrationChecksumError } = await import("../../app/db/migrate.server");
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const quoted = `"${name.replaceAll('"', '""')}"`;
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoted}`);
    const apply = async () => {
      const db = connectPostgres(url, { max: 2 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    };
    try {
      await apply();
    } catch (error) {
      // The bench database is disposable.
      if (!(error instanceof MigrationChecksumError)) throw error;
      await client.query(`DROP DATABASE ${quoted} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoted}`);
      await apply();
    }
  } finally {
    await client.end();
  }
}
