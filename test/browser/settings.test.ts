import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../../app/services/api-keys.server";
import type { Stack } from "../../server/stack";
import { startBrowserStack } from "../support/browser-stack";
import { collectPageErrors, launchBrowser, screenshot } from "../support/browser";
import { createTestShop, type TestShop } from "../support/shops";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let shop: TestShop;

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchBrowser();
  shop = await createTestShop({ name: "Keys Boutique" });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

const bearer = (key: string) => new Request("https://promo.test/api/v1/pools", { headers: { authorization: `Bearer ${key}` } });

describe("API keys in Settings", () => {
  it("GIVEN the merchant creates a key THEN it is shown once, works for the API, and stops working once revoked", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${stack.appUrl}/app/settings?shop=${shop.domain}`);
    await page.getByLabel("New key name").fill("ERP sync");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^pk_/);
    await screenshot(page, "settings-api-key-created");
    expect(await authenticateApiKey(bearer(key))).toMatchObject({ type: "authenticated", shopId: shop.id });

    // Stored hashed: the key text is nowhere in the database.
    const stored = await shop.db.apiKey.findMany();
    expect(JSON.stringify(stored, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(key.split("_").pop()!);

    await page.reload();
    await expect(page.getByTestId("new-api-key").count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Revoke ERP sync" }).click();
    await page.getByText('Key "ERP sync" revoked').waitFor();
    expect(await authenticateApiKey(bearer(key))).toMatchObject({ type: "revoked" });
    expect(errors).toEqual([]);
  });
});
