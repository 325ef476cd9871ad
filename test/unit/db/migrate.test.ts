import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openPglite } from "../../../app/db/connect.server";
import { appliedMigrations, migrate, MigrationChecksumError, readMigrations } from "../../../app/db/migrate.server";

describe("migrations on PGlite", () => {
  it("GIVEN an empty database WHEN migrated twice THEN every migration is applied once and the second run is a no-op", async () => {
    const db = await openPglite();
    try {
      const first = await migrate(db);
      const expected = (await readMigrations()).map((m) => m.name);
      expect(first.applied).toEqual(expected);
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(await appliedMigrations(db)).toEqual(expected);
      const tables = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('shops','codes','issuances','events','tasks')`,
      );
      expect(Number(tables[0]?.n)).toBe(5);
    } finally {
      await db.close();
    }
  });

  it("refuses to continue when an applied migration was edited afterwards", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrations-"));
    cpSync(path.resolve("prisma/migrations"), dir, { recursive: true });
    const db = await openPglite();
    try {
      await migrate(db, dir);
      const [first] = await readMigrations(dir);
      writeFileSync(path.join(dir, first!.name, "migration.sql"), `${first!.sql}\n-- edited\n`);
      await expect(migrate(db, dir)).rejects.toBeInstanceOf(MigrationChecksumError);
    } finally {
      await db.close();
    }
  });

  it("rolls a failing migration back whole and names it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrations-"));
    cpSync(path.resolve("prisma/migrations"), dir, { recursive: true });
    const broken = path.join(dir, "99999999999999_broken");
    cpSync(path.join(dir, (await readMigrations(dir))[0]!.name), broken, { recursive: true });
    writeFileSync(path.join(broken, "migration.sql"), `CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;`);
    const db = await openPglite();
    try {
      await expect(migrate(db, dir)).rejects.toThrow(/99999999999999_broken failed/);
      const halfDone = await db.prisma.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`,
      );
      expect(halfDone).toHaveLength(0);
      expect(await appliedMigrations(db)).not.toContain("99999999999999_broken");
    } finally {
      await db.close();
    }
  });
});
