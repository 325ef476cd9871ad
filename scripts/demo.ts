// `npm run demo`: the app on its embedded defaults (PGlite, a private Redis, the store simulator with a seeded
// demo shop, the worker) with the admin at a printed URL. `npm run demo -- --smoke` starts the same thing
// headless, checks each part, shuts down and prints one JSON line last.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_MAGENTO, seedDemoMagentoMerchant } from "../server/demo-magento";
import { MissingDependencyError } from "../server/redis";
import { startStack, type Stack } from "../server/stack";
import { runSmokeChecks } from "./smoke";

const smoke = process.argv.includes("--smoke");
const log = (line: string) => (smoke ? process.stderr.write(`${line}\n`) : console.log(line));

async function main() {
  // The smoke run gets a throw-away data directory; the interactive demo keeps its data in .demo/.
  const dataDir = smoke ? mkdtempSync(path.join(tmpdir(), "promo-smoke-")) : path.resolve(".demo");
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      dataDir,
      databaseUrl: process.env.DATABASE_URL,
      redisUrl: process.env.REDIS_URL,
      port: process.env.PORT ? Number(process.env.PORT) : smoke ? undefined : 3000,
      log,
    });
  } catch (error) {
    if (error instanceof MissingDependencyError) {
      console.error(error.message);
      if (smoke) console.log(JSON.stringify({ ok: false, error: error.message }));
      process.exit(1);
    }
    throw error;
  }

  await seedDemoMagentoMerchant(stack);

  if (smoke) {
    const result = await runSmokeChecks(stack, { nonce: randomUUID() });
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(JSON.stringify(result));
    process.exit(result.ok ? 0 : 1);
  }

  console.log("");
  console.log(`  Promo codes demo is running: ${stack.appUrl}/app?shop=${stack.demoShop.domain}`);
  console.log(`  A Magento merchant's sign-in: ${stack.appUrl}/magento/login (${DEMO_MAGENTO.email} / ${DEMO_MAGENTO.password})`);
  console.log(`  Database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${dataDir}`}; Redis: ${stack.redisUrl}`);
  console.log("  Press Ctrl+C to stop.");
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  if (smoke) console.log(JSON.stringify({ ok: false, error: (error as Error).message }));
  process.exit(1);
});
