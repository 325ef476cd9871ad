// Everything the app needs, started in one process without configuration: the demo (`npm run demo`) and the
// browser tests use it. PGlite is a single in-process connection, so the web server and the worker share this
// process here; in production they are separate processes on PostgreSQL (docs/decisions/0003-demo-stack.md).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import type { SetupServer } from "msw/node";
import type { Database } from "../app/db/connect.server";
import type { ShopifySimulator } from "../simulator/shopify";
// --- magento simulator (begin)
import type { MagentoSimulator } from "../simulator/magento";
// --- magento simulator (end)
import { ensureRedis, type RedisHandle } from "./redis";
import { startSmtpSink, type SmtpSink } from "./smtp-sink-process";

export const DEMO_SHOP = "demo-shop.myshopify.com";
export const DEMO_SCOPES =
  "read_products,read_customers,write_customers,read_orders,read_discounts,write_discounts,write_pixels,read_customer_events";

export interface StackOptions {
  /** Where PGlite and a private Redis keep their files. */
  dataDir: string;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  redisUrl?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface Stack {
  appUrl: string;
  redisUrl: string;
  db: Database;
  simulator: ShopifySimulator;
  // --- magento simulator (begin)
  /** Magento stores (none until a test or the demo registers one) behind the same msw server. */
  magento: MagentoSimulator;
  // --- magento simulator (end)
  demoShop: { id: string; domain: string; accessToken: string };
  /** The local SMTP server the demo shop's emails are delivered to (a separate process). */
  smtp: SmtpSink;
  apiSecret: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the app unless build/ is newer than every source file under app/. */
export function ensureBuild(log: (line: string) => void): void {
  const marker = path.resolve("build/server/index.js");
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(path.resolve("app"))) return;
  log("building the app (react-router build)...");
  const result = spawnSync(process.execPath, [path.resolve("node_modules/@react-router/dev/bin.js"), "build"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("react-router build failed");
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => undefined);
  };
  try {
    const port = options.port ?? (await freePort());
    const redis: RedisHandle = await ensureRedis({
      url: options.redisUrl,
      dataDir: path.join(options.dataDir, "redis"),
      log,
    });
    closers.push(() => redis.stop());

    const apiSecret = process.env.SHOPIFY_API_SECRET ?? `demo-secret-${randomUUID()}`;
    Object.assign(process.env, {
      NODE_ENV: process.env.NODE_ENV === "production" ? "production" : "development",
      SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "demo-api-key",
      SHOPIFY_API_SECRET: apiSecret,
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      SCOPES: DEMO_SCOPES,
      DEMO_MODE: "1",
      REDIS_URL: redis.url,
      QUEUE_PREFIX: process.env.QUEUE_PREFIX ?? `demo-${randomUUID().slice(0, 8)}`,
    });
    const { env, resetEnvCache } = await import("../app/env.server");
    resetEnvCache();
    env(); // refuses demo mode in production, before anything starts

    // The store simulator behind msw, listening before anything imports @shopify/shopify-api.
    const { ShopifySimulator, shopifyAdminHandlers, seedDemoShop, setupFetchOnlyServer } = await import(
      "../simulator/shopify"
    );
    const simulator = new ShopifySimulator();
    // --- magento simulator (begin)
    const { MagentoSimulator, magentoRestHandlers } = await import("../simulator/magento");
    const magento = new MagentoSimulator();
    // --- magento simulator (end)
    const msw: SetupServer = setupFetchOnlyServer(...shopifyAdminHandlers(simulator), ...magentoRestHandlers(magento));
    msw.listen({ onUnhandledFrame: "bypass" });
    closers.push(async () => msw.close());

    const { connectPostgres, openPglite } = await import("../app/db/connect.server");
    const { migrate } = await import("../app/db/migrate.server");
    const { registerDatabase } = await import("../app/db.server");
    const db = options.databaseUrl ? connectPostgres(options.databaseUrl) : await openPglite(path.join(options.dataDir, "pglite"));
    closers.push(() => db.close());
    const migration = await migrate(db);
    if (migration.applied.length) log(`database migrated: ${migration.applied.join(", ")}`);
    registerDatabase(db);

    ensureBuild(log);

    const { startWorker } = await import("../app/jobs/worker.server");
    const worker = await startWorker({ concurrency: 4, log });
    closers.push(() => worker.close());
    const { closeQueues } = await import("../app/jobs/enqueue.server");
    closers.push(() => closeQueues());

    const { startAppServer } = await import("./app-server");
    const server = await startAppServer({ port });
    closers.push(() => server.close());

    // Campaign emails go to a local SMTP server, so the demo sends real SMTP without reaching anyone's inbox.
    const smtp = await startSmtpSink();
    closers.push(() => smtp.stop());
    log(`emails are delivered to a local SMTP sink on 127.0.0.1:${smtp.port}`);

    const demoShop = await seedDemoStore(simulator, seedDemoShop);
    const { seedDemoData, seedDemoAutomation } = await import("./demo-seed");
    await seedDemoData({ appUrl: server.url, apiSecret, shopId: demoShop.id, domain: demoShop.domain, simulator, smtpPort: smtp.port, log });
    await seedDemoAutomation(demoShop.id);
    return { appUrl: server.url, redisUrl: redis.url, db, simulator, magento, demoShop, smtp, apiSecret, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The demo shop: seeded in the simulator, installed in the app through the same path a real install takes. */
async function seedDemoStore(
  simulator: ShopifySimulator,
  seed: (sim: ShopifySimulator, options: { domain: string }) => unknown,
): Promise<Stack["demoShop"]> {
  const accessToken = `shpat_demo_${randomUUID().replaceAll("-", "")}`;
  simulator.registerShop({ domain: DEMO_SHOP, accessToken, plan: "standard", name: "Demo Outfitters" });
  seed(simulator, { domain: DEMO_SHOP });
  const { prisma } = await import("../app/db.server");
  await prisma.session.upsert({
    where: { id: `offline_${DEMO_SHOP}` },
    create: { id: `offline_${DEMO_SHOP}`, shop: DEMO_SHOP, state: "demo", isOnline: false, accessToken, scope: DEMO_SCOPES },
    update: { accessToken, scope: DEMO_SCOPES },
  });
  await import("../app/platforms/index.server");
  const { platformFor } = await import("../app/platforms/registry.server");
  const { recordInstall } = await import("../app/services/shops.server");
  const platform = await platformFor({ id: "", domain: DEMO_SHOP, platform: "SHOPIFY" });
  const shop = await recordInstall(DEMO_SHOP, platform, DEMO_SCOPES);
  return { id: shop.id, domain: DEMO_SHOP, accessToken };
}
