import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsSecretOf } from "../../app/services/platform-connections.server";
import { SHOP_HEADER, SIGNATURE_HEADER, signEventsBody } from "../../app/services/magento/events.server";
import type { Stack } from "../../server/stack";
import { startBrowserStack } from "../support/browser-stack";
import { collectPageErrors, launchBrowser, screenshot } from "../support/browser";
import { createTestShop, type TestShop } from "../support/shops";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let shop: TestShop;
const baseUrl = `https://m-${randomUUID().slice(0, 8)}.magento.test`;
const token = `intg_${randomUUID().replaceAll("-", "")}`;

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchBrowser();
  shop = await createTestShop({ platform: "MAGENTO", name: "Magento Boutique" });
  // A 2.4.4+ store whose OAuth setting still refuses integration tokens as bearer tokens.
  stack.magento.registerStore({ baseUrl, token, name: "Maple Outfitters", currency: "EUR", bearerIntegrationTokens: false });
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("Settings > Magento", () => {
  it("GIVEN the merchant saves the connection THEN it is tested first, the 2.4.4 setting is explained, the secret is shown once, and signed events flow in", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${stack.appUrl}/app/settings/magento?shop=${shop.domain}`);
    await page.getByLabel("Store base URL").fill(baseUrl);
    await page.getByLabel("Integration access token").fill(token);
    await page.getByRole("button", { name: "Save and test connection" }).click();

    // Magento refuses the token as a bearer token: nothing is saved and the page says what to change in Magento.
    await page.getByText("The connection did not work; nothing was saved").waitFor();
    expect(await page.getByTestId("connection-error").textContent()).toMatch(/HTTP 401/);
    expect(await page.getByTestId("connection-hint").textContent()).toMatch(/Allow OAuth Access Tokens to be used as standalone Bearer tokens/);
    await screenshot(page, "magento-settings-test-failed");
    expect(await shop.db.platformConnection.count()).toBe(0);

    // The merchant turns the setting on in Magento and saves again.
    stack.magento.setBearerIntegrationTokens(baseUrl, true);
    await page.getByRole("button", { name: "Save and test connection" }).click();
    await page.getByText("Connected to Maple Outfitters").waitFor();
    const secret = (await page.getByTestId("events-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The form starts over from what was saved: the token typed in is not kept in the page. The reset lands with the
    // loader's revalidation, which can come a render after the success banner.
    await expect.poll(() => page.getByLabel("Integration access token").inputValue(), { timeout: 10_000 }).toBe("");
    await screenshot(page, "magento-settings-connected");

    const row = await shop.db.platformConnection.findFirstOrThrow();
    expect(row.baseUrl).toBe(baseUrl);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(await eventsSecretOf(shop.db, shop.id)).toBe(secret);

    // Shown once: after a reload the secret and the token are gone from the page; it only says they are set.
    await page.reload();
    await page.getByText("A token is saved (it is never shown)").waitFor();
    await expect(page.getByTestId("events-secret").count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(token);
    expect(await page.getByTestId("events-shop-id").textContent()).toBe(shop.id);
    const eventsUrl = (await page.getByTestId("events-url").textContent()) ?? "";
    expect(eventsUrl).toBe(`${stack.appUrl}/magento/events`);

    // The store pushes an order with the secret; the worker in the stack turns it into an order.
    const body = JSON.stringify({
      id: "evt-1",
      type: "order.placed",
      data: {
        order: {
          entity_id: 501,
          increment_id: "000000501",
          state: "processing",
          created_at: "2026-11-21 09:00:00",
          customer_id: 77,
          customer_email: "grace@example.com",
          coupon_code: "SPRING-77",
          grand_total: "42.00",
          order_currency_code: "EUR",
        },
      },
    });
    const response = await fetch(eventsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", [SHOP_HEADER]: shop.id, [SIGNATURE_HEADER]: signEventsBody(body, secret) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, stored: 1, duplicates: 0 });
    const order = await waitFor("the pushed order", () => shop.db.order.findFirst({ where: { platformId: "501" } }));
    expect(order).toMatchObject({ discountCodes: ["SPRING-77"], financialStatus: "paid" });

    const forged = await fetch(eventsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", [SHOP_HEADER]: shop.id, [SIGNATURE_HEADER]: signEventsBody(body, "guess") },
      body,
    });
    expect(forged.status).toBe(401);
    expect(errors).toEqual([]);
  });
});
