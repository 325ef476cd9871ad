// Opens the app's database: PostgreSQL through node-postgres, or PGlite (embedded, in-process) for the demo and
// fast tests. Both speak the same SQL, FOR UPDATE SKIP LOCKED included, so the services never branch on it.
import pg from "pg";
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";

export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Runs a script of several statements (migrations, test fixtures). */
  execScript(sql: string): Promise<void>;
  /** A parameterised statement straight through the driver, for bulk paths where Prisma's overhead shows. */
  query<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  /** Pins one connection for work that needs session state (advisory locks, multi-statement transactions). */
  withConnection<T>(fn: (conn: ScriptRunner) => Promise<T>): Promise<T>;
  /** PGlite only: the whole data directory as a tarball, which `openPglite(undefined, { from })` opens again. */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface ScriptRunner {
  execScript(sql: string): Promise<void>;
  query<Row>(sql: string): Promise<Row[]>;
}

/**
 * The pool's connection settings, with every session in UTC. Times are stored as UTC wall-clock time in `timestamp`
 * columns and compared with now() in SQL (a claim skips expired codes, an upload marks past expiries expired), and
 * PostgreSQL reads such a column in the session's TimeZone to compare it: on a server whose default zone is New
 * York, a code that expired an hour ago would still be given out. Options the URL or PGOPTIONS carry would replace
 * the app's, so they are kept and the zone is set after them (a later -c wins).
 */
function utcSessionConfig(url: string): { connectionString: string; options: string } {
  let connectionString = url;
  let fromUrl: string | null = null;
  try {
    const parsed = new URL(url);
    fromUrl = parsed.searchParams.get("options");
    if (fromUrl !== null) {
      parsed.searchParams.delete("options");
      connectionString = parsed.toString();
    }
  } catch {
    // Not a URL (a bare connection string pg parses itself): left as it is.
  }
  const options = [fromUrl ?? process.env.PGOPTIONS, "-c TimeZone=UTC"].filter((o) => !!o?.trim()).join(" ");
  return { connectionString, options };
}

export function connectPostgres(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ ...utcSessionConfig(url), max: options.max ?? 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: "postgres",
    prisma,
    async execScript(sql) {
      await pool.query(sql);
    },
    async query<Row>(sql: string, params: unknown[]) {
      return (await pool.query(sql, params)).rows as Row[];
    },
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async execScript(sql) {
            await client.query(sql);
          },
          async query<Row>(sql: string) {
            return (await client.query(sql)).rows as Row[];
          },
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * `dir` is a data directory, or undefined for an in-memory database. `from` starts an in-memory database from a
 * `dumpDataDir()` tarball: about a third of the time a new cluster takes to initialise (tests open one per file).
 */
export async function openPglite(dir?: string, options: { from?: Blob } = {}): Promise<Database> {
  // Loaded lazily: production never pays for the WebAssembly build.
  const [{ PGlite }, { PrismaPGlite }, { pg_trgm }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
  ]);
  // The migrations create pg_trgm (the customers search index); PGlite ships it as a bundle loaded here.
  const extensions = { pg_trgm };
  const client = new PGlite({ ...(dir ? { dataDir: dir } : {}), ...(options.from ? { loadDataDir: options.from } : {}), extensions });
  await client.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  return {
    kind: "pglite",
    prisma,
    async execScript(sql) {
      await client.exec(sql);
    },
    async query<Row>(sql: string, params: unknown[]) {
      return (await client.query<Row>(sql, params)).rows;
    },
    async withConnection(fn) {
      // PGlite is a single connection already.
      return fn({
        async execScript(sql) {
          await client.exec(sql);
        },
        async query<Row>(sql: string) {
          return (await client.query<Row>(sql)).rows;
        },
      });
    },
    dumpDataDir: () => client.dumpDataDir("none"),
    async close() {
      await prisma.$disconnect();
      // Without close() the process lingers for ~10 s after the work is done.
      await client.close();
    },
  };
}
