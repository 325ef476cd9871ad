// Creates the integration-test database on the machine's PostgreSQL once per run and applies the migrations.
// TEST_DATABASE_URL overrides the default (postgresql://postgres@127.0.0.1:5432/promo_test).
import { ensureDisposableDatabase } from "../../app/db/disposable-database.server";

export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/promo_test";

export default async function setup() {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  await ensureDisposableDatabase(url);
  process.env.TEST_DATABASE_URL = url;
}
