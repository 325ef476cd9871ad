// Creates the integration-test database on the machine's PostgreSQL once per run and applies the migrations.
// TEST_DATABASE_URL overrides the default (postgresql://postgres@127.0.0.1:5432/promo_test).
import pg from "pg";
import { connectPostgres } from "../../app/db/connect.server";
import { migrate, MigrationChecksumError } from "../../app/db/migrate.server";

export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/promo_test";

export default async function setup() {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const quoted = `"${name.replaceAll('"', '""')}"`;
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoted}`);
  const migrateTestDatabase = async () => {
    const db = connectPostgres(url, { max: 2 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  };
  try {
    await migrateTestDatabase();
  } catch (error) {
    // The test database is disposable: when it holds a migration that was rewritten since, start it afresh.
    if (!(error instanceof MigrationChecksumError)) throw error;
    await client.query(`DROP DATABASE ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
    await migrateTestDatabase();
  }
  await client.end();
  process.env.TEST_DATABASE_URL = url;
}
