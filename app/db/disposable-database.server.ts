// Test and benchmark databases on a real PostgreSQL server: created when missing and migrated. They are
// disposable, so one holding a migration that was rewritten since is dropped and created afresh.
import pg from "pg";
import { connectPostgres } from "./connect.server";
import { migrate, MigrationChecksumError } from "./migrate.server";

export async function ensureDisposableDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const quoted = `"${name.replaceAll('"', '""')}"`;
  const apply = async () => {
    const db = connectPostgres(url, { max: 2 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  };
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoted}`);
    try {
      await apply();
    } catch (error) {
      if (!(error instanceof MigrationChecksumError)) throw error;
      await client.query(`DROP DATABASE ${quoted} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoted}`);
      await apply();
    }
  } finally {
    await client.end();
  }
}
