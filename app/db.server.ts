// The Prisma client the app uses. Production (and integration tests) connect to PostgreSQL from DATABASE_URL;
// the demo and the fast tests open an embedded PGlite first and register it here before anything imports the
// app, since PGlite lives inside the process that opened it.
import type { PrismaClient } from "@prisma/client";
import { connectPostgres, type Database } from "./db/connect.server";
import { env } from "./env.server";

declare global {
  var __promoDatabase: Database | undefined;
}

export function registerDatabase(db: Database): void {
  globalThis.__promoDatabase = db;
}

export function database(): Database {
  if (!globalThis.__promoDatabase) {
    const url = env().DATABASE_URL;
    if (!url) {
      throw new Error(
        "No database: set DATABASE_URL to a PostgreSQL server, or start the app with `npm run demo` (embedded PGlite).",
      );
    }
    globalThis.__promoDatabase = connectPostgres(url);
  }
  return globalThis.__promoDatabase;
}

/**
 * The unscoped client. Only shop-level bookkeeping (install, uninstall, session storage, API key lookup) and the
 * scoping helper itself use it; everything else goes through forShop() in app/db/shop-scope.server.ts.
 */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = database().prisma;
    const value = Reflect.get(client, property, client) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(client) : value;
  },
});
