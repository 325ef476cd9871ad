// Debian's Chromium driven by playwright-core. The flags keep Chromium off the network this machine doesn't have.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const SCREENSHOT_DIR = path.resolve("test/screenshots");

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Loads a page and waits until React has hydrated it (the root marks `<html data-hydrated>`): before that the
 * server's HTML is on screen but no handler is attached, and Polaris' breakpoint-dependent styles are not applied.
 */
export async function openHydrated(page: Page, address: string) {
  const response = await page.goto(address, { waitUntil: "networkidle" });
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
  return response;
}

/** Fails the test on any console error or uncaught exception in the page. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/**
 * Waits for a locator to be visible; when it is not, the error says where the page was and what it showed, since
 * a CI log is all there is to read after a run on another machine.
 */
export async function waitVisible(page: Page, locator: Locator, what: string, timeout = 30_000): Promise<void> {
  try {
    await locator.waitFor({ state: "visible", timeout });
  } catch (error) {
    const text = await page
      .locator("body")
      .innerText({ timeout: 2_000 })
      .catch(() => "(the page did not answer)");
    const shown = text.replace(/\s+/g, " ").slice(0, 1500);
    throw new Error(`${what} did not show within ${timeout} ms at ${page.url()}; the page showed: ${shown}`, { cause: error });
  }
}
