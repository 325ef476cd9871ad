// One app stack per browser test file: production build, PostgreSQL test database, Redis, simulator, worker.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startStack, type Stack } from "../../server/stack";
import { collectPageErrors, launchBrowser } from "./browser";
import type { TestShop } from "./shops";

export async function startBrowserStack(): Promise<Stack> {
  return startStack({
    dataDir: mkdtempSync(path.join(tmpdir(), "promo-browser-")),
    databaseUrl: process.env.TEST_DATABASE_URL,
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  });
}

export interface AdminPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page: tests expect none. */
  errors: string[];
  /** An admin address for the shop: the path with ?shop= (or &shop=) appended. */
  url: (path: string) => string;
}

export interface AdminBrowser {
  /** The file's app stack (set once beforeAll has run). */
  readonly stack: Stack;
  /** A fresh browser context on the shop's admin. */
  openAdmin(shop: TestShop): Promise<AdminPage>;
}

/**
 * One app stack and one Chromium for a browser test file, started before its tests and closed after them (with
 * every context its tests opened). Call it at the top level of the file; further setup goes in the file's own
 * beforeAll, which runs after this one.
 */
export function adminBrowserForFile(options: { viewport?: { width: number; height: number } } = {}): AdminBrowser {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    stack = await startBrowserStack();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the browser stack is not started yet (use it inside a test or a later beforeAll)");
      return stack;
    },
    async openAdmin(shop) {
      if (!browser || !stack) throw new Error("the browser stack is not started yet");
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      const appUrl = stack.appUrl;
      return { page, errors, url: (p: string) => `${appUrl}${p}${p.includes("?") ? "&" : "?"}shop=${shop.domain}` };
    },
  };
}
