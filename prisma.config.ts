// Prisma CLI configuration. The JS schema engine avoids the binary download that no machine here can make
// (see docs/decisions/0002-migrations.md). The CLI is used to *write* migrations (`prisma migrate diff`);
// the app applies them itself with app/db/migrate.server.ts on PostgreSQL and PGlite alike.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The schema's datasource reads DATABASE_URL; without one the CLI fails to read the schema and falls back to
// downloading the Rust query engine. Generation never connects, so any well-formed URL will do here.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});
