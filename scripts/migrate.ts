// `npm run db:migrate`: applies prisma/migrations to the database DATABASE_URL names, before a release starts.
// Already-applied migrations are skipped; one edited after it was applied stops the run (docs/decisions/0002).
import { connectPostgres } from "../app/db/connect.server";
import { migrate, MigrationChecksumError } from "../app/db/migrate.server";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: name the PostgreSQL database to migrate (postgresql://user@host:5432/db).");
  process.exit(2);
}

const db = connectPostgres(url, { max: 1 });
try {
  const result = await migrate(db);
  console.log(
    result.applied.length
      ? `Applied ${result.applied.length} migration(s): ${result.applied.join(", ")} (${result.alreadyApplied} already applied)`
      : `Nothing to apply: ${result.alreadyApplied} migration(s) already applied`,
  );
} catch (error) {
  console.error(error instanceof MigrationChecksumError ? `Refused: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
