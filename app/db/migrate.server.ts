// Applies prisma/migrations/*/migration.sql in order, on PostgreSQL and PGlite alike. Migrations are *written*
// with `prisma migrate diff` (see docs/decisions/0002-migrations.md); this runner only applies them, recording
// each in Prisma's own `_prisma_migrations` table (same columns, sha256 checksum) so `prisma migrate deploy`
// would recognise the history if it is ever used instead.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "./connect.server";

// Resolved from the working directory: the built server bundle lives elsewhere than this source file, and every
// entry point (npm start, npm run worker, the demo, tests) runs from the project root.
export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.env.MIGRATIONS_DIR ?? "prisma/migrations");

// Prisma takes the same advisory lock key, so a concurrent `migrate deploy` and this runner never interleave.
const MIGRATION_LOCK_KEY = 72707369;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationChecksumError extends Error {
  override name = "MigrationChecksumError";
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export async function migrate(db: Database, dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  return db.withConnection(async (conn) => {
    await conn.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await conn.execScript(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      const done = await conn.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const doneByName = new Map(done.map((d) => [d.migration_name, d.checksum]));
      const applied: string[] = [];
      for (const m of migrations) {
        const previous = doneByName.get(m.name);
        if (previous !== undefined) {
          if (previous !== m.checksum) {
            throw new MigrationChecksumError(
              `Migration ${m.name} was edited after it was applied (checksum differs). Write a new migration instead.`,
            );
          }
          continue;
        }
        // One transaction per migration: a failure leaves the database as it was before that migration.
        try {
          await conn.execScript(`BEGIN;
${m.sql}
;
INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
  VALUES ('${randomUUID()}', '${m.checksum}', '${m.name.replaceAll("'", "''")}', now(), 1);
COMMIT;`);
        } catch (error) {
          await conn.execScript("ROLLBACK").catch(() => undefined);
          throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(m.name);
      }
      return { applied, alreadyApplied: migrations.length - applied.length };
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}

/** Names of applied migrations, for the health check and the demo smoke. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.migration_name);
}
