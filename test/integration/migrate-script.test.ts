// `npm run db:migrate` is the release step the README names: it must migrate a fresh database, be a no-op the
// second time, and refuse without DATABASE_URL.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const name = `promo_migrate_${process.pid}`;
const admin = "postgresql://postgres@127.0.0.1:5432/postgres";
const url = `postgresql://postgres@127.0.0.1:5432/${name}`;

async function sql(connection: string, text: string) {
  const client = new pg.Client({ connectionString: connection });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function migrateWith(env: Record<string, string | undefined>) {
  return run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/migrate.ts"], { env: { ...process.env, ...env } });
}

afterAll(async () => {
  await sql(admin, `DROP DATABASE IF EXISTS ${name}`);
});

describe("npm run db:migrate", () => {
  it("GIVEN a fresh database WHEN migrated twice THEN every migration is applied once and the second run applies nothing", async () => {
    await sql(admin, `DROP DATABASE IF EXISTS ${name}`);
    await sql(admin, `CREATE DATABASE ${name}`);
    const first = await migrateWith({ DATABASE_URL: url });
    expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 20261121000000_init/);
    const tables = await sql(url, "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('codes', 'tasks', 'channel_settings')");
    expect(tables[0]?.n).toBe(3);
    const second = await migrateWith({ DATABASE_URL: url });
    expect(second.stdout).toMatch(/^Nothing to apply: \d+ migration\(s\) already applied/);
  });

  it("GIVEN no DATABASE_URL WHEN run THEN it refuses with a message saying what to set", async () => {
    const failed = await migrateWith({ DATABASE_URL: "" }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain("DATABASE_URL is not set");
  });
});
