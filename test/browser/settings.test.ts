import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
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

/** The Revoke button in the row of the key shown as `hint` (names can repeat; prefixes cannot). */
const revokeButton = (page: Page, hint: string) => page.getByRole("row").filter({ hasText: hint }).getByRole("button", { name: /^Revoke/ });

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
    const hint = `pk_${key.split("_")[1]}_…`;
    await revokeButton(page, hint).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`Revoke "ERP sync" (${hint})?`).waitFor();
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByText(`Key "ERP sync" (${hint}) revoked`).waitFor();
    expect(await authenticateApiKey(bearer(key))).toMatchObject({ type: "revoked" });
    expect(errors).toEqual([]);
  });

  it("GIVEN two keys with the same name WHEN the merchant clicks Revoke on one THEN the modal names its prefix, cancelling revokes nothing, and confirming revokes only that key", async () => {
    const other = await createTestShop({ name: "Twin Keys" });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${stack.appUrl}/app/settings?shop=${other.domain}`);
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      await page.getByLabel("New key name").fill("Warehouse");
      await page.getByRole("button", { name: "Create key" }).click();
      await expect.poll(async () => (await page.getByTestId("new-api-key").textContent())?.trim()).not.toBe(keys[0]);
      keys.push((await page.getByTestId("new-api-key").textContent())!.trim());
    }
    const [first, second] = keys.map((k) => ({ key: k, hint: `pk_${k.split("_")[1]}_…` }));
    await page.reload();

    // Cancelling leaves both keys working.
    await revokeButton(page, first!.hint).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`Revoke "Warehouse" (${first!.hint})?`).waitFor();
    await screenshot(page, "settings-api-key-revoke-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await authenticateApiKey(bearer(first!.key))).toMatchObject({ type: "authenticated" });
    expect(await authenticateApiKey(bearer(second!.key))).toMatchObject({ type: "authenticated" });
    await expect(other.db.apiKey.count({ where: { revokedAt: null } })).resolves.toBe(2);

    await revokeButton(page, first!.hint).click();
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByText(`Key "Warehouse" (${first!.hint}) revoked`).waitFor();
    expect(await authenticateApiKey(bearer(first!.key))).toMatchObject({ type: "revoked" });
    expect(await authenticateApiKey(bearer(second!.key))).toMatchObject({ type: "authenticated" });
    expect(errors).toEqual([]);
  });
});

describe("Settings layout", () => {
  it("GIVEN a Shopify store with many granted scopes WHEN Settings opens THEN the scopes line wraps inside its card", async () => {
    const scoped = await createTestShop({ name: "Scoped Store" });
    const scopes = "read_products,read_customers,write_customers,read_orders,read_discounts,write_discounts,write_pixels,read_customer_events";
    await prisma.shop.update({ where: { id: scoped.id }, data: { scopes } });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${stack.appUrl}/app/settings?shop=${scoped.domain}`);

    const line = page.getByText(/^Granted scopes:/);
    await line.getByText(/read_customer_events/).waitFor();
    const fits = await line.evaluate((el) => {
      const card = el.closest(".Polaris-ShadowBevel") ?? el.parentElement!;
      const range = document.createRange();
      range.selectNodeContents(el);
      return { textRight: range.getBoundingClientRect().right, cardRight: card.getBoundingClientRect().right, overflow: el.scrollWidth - el.clientWidth };
    });
    await screenshot(page, "settings-store-and-keys");
    expect(fits.overflow).toBeLessThanOrEqual(0);
    expect(fits.textRight).toBeLessThanOrEqual(fits.cardRight);
    expect(errors).toEqual([]);
  });

  it("GIVEN the API keys card WHEN Settings opens THEN the Create key button's label is on one line", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${stack.appUrl}/app/settings?shop=${shop.domain}`);
    // Each line of a text is its own client rect: a wrapped label has rects at two heights.
    const lines = await page.getByRole("button", { name: "Create key" }).evaluate((el) => {
      const tops = new Set<number>();
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of Array.from(range.getClientRects())) if (r.width > 0) tops.add(Math.round(r.top));
      }
      return tops.size;
    });
    expect(lines).toBe(1);
    expect(errors).toEqual([]);
  });
});
