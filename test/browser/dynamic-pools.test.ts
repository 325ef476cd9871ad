// Dynamic pools in Chromium: the merchant creates one from the form (with field errors for bad settings), a code is
// issued through the REST API and created on the store, and it shows as Assigned on the pool's codes list and on
// the customer's page; revoking it from the list ends it on the store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/services/api-keys.server";
import { parseGid } from "../../simulator/shopify";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, openHydrated } from "../support/browser";
import { createTestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 900 } });
const openAdmin = admin.openAdmin;

beforeAll(async () => {
  // Test shops are registered (and seeded) in the stack's own store simulator, which the app server talks to.
  globalThis.__testSimulator = admin.stack.simulator;
});

afterAll(async () => {
  globalThis.__testSimulator = undefined;
});

const open = openHydrated;

const POOL_PAGE = /\/app\/pools\/([0-9a-f-]{36})\?/;

describe("Dynamic pools admin in Chromium", () => {
  it("GIVEN the form WHEN the merchant creates a dynamic pool and a code is issued through the API THEN the code shows Assigned on the pool and the customer's page, and revoking it ends it on the store", async () => {
    const shop = await createTestShop({ seed: true });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url("/app/pools/new"));
    await page.getByLabel("Name").fill("Birthday 15%");
    await page.locator("label", { hasText: "Dynamic" }).click();

    // A bad value is refused next to its field, and nothing is created.
    await page.getByLabel("Percentage", { exact: true }).fill("150");
    await page.locator("label", { hasText: "A while after it is issued" }).click();
    await page.getByLabel("Valid for").fill("7");
    await page.getByLabel("Prefix").fill("BDAY-");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.getByText("The percentage can be at most 100").waitFor();
    await screenshot(page, "dynamic-pool-form-error");
    await expect(shop.db.pool.count()).resolves.toBe(0);

    await page.getByLabel("Percentage", { exact: true }).fill("15");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.waitForURL(POOL_PAGE);
    const poolId = POOL_PAGE.exec(page.url())![1]!;
    const settings = page.locator(".Polaris-DataTable");
    await settings.getByText("15% off").waitFor();
    await settings.getByText("7 days after it is issued").waitFor();
    await settings.getByText("Only the customer it was issued to").waitFor();
    await page.getByText("A code is created on your store each time a customer is issued one").waitFor();
    await screenshot(page, "dynamic-pool-empty");

    // A code issued through the API, for a customer the store knows.
    const demoCustomer = [...admin.stack.simulator.state(shop.domain).customers.values()][0]!;
    const key = await createApiKey(shop.db, shop.id, "Browser test");
    if (key.type !== "created") throw new Error(key.type);
    const response = await fetch(`${admin.stack.appUrl}/api/v1/pools/${poolId}/issue`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json", "idempotency-key": "birthday-1" },
      body: JSON.stringify({ customer: { id: demoCustomer.id, email: "ada@example.com", firstName: "Ada", lastName: "Birthday" } }),
    });
    expect(response.status).toBe(201);
    const { code } = (await response.json()) as { code: string };
    expect(code).toMatch(/^BDAY-[A-Z2-9]{7}$/);
    const discount = admin.stack.simulator.state(shop.domain).discountByCode(code)!;
    expect(discount.context).toEqual({ kind: "customers", customerIds: [demoCustomer.id] });

    await open(page, url(`/app/pools/${poolId}`));
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: code });
    await row.waitFor();
    await expect(row.getByText("Assigned").count()).resolves.toBe(1);
    await expect(row.getByRole("link", { name: "Ada Birthday" }).count()).resolves.toBe(1);
    await screenshot(page, "dynamic-pool-code-assigned");

    await row.getByRole("link", { name: "Ada Birthday" }).click();
    await page.waitForURL(/\/app\/customers\/[0-9a-f-]{36}\?/);
    // The URL changes before the customer page replaces the pool page, whose row also shows the code: wait for
    // the customer page's own row, the one naming the pool.
    const received = page.locator(".Polaris-IndexTable__TableRow", { hasText: code }).filter({ hasText: "Birthday 15%" });
    await received.waitFor();
    await expect(received.getByText("Birthday 15%").count()).resolves.toBe(1);
    await expect(received.getByText("Assigned").count()).resolves.toBe(1);
    await screenshot(page, "dynamic-code-on-customer");

    // The pools list shows a dynamic pool without stock to run out of.
    await page.getByRole("link", { name: "Pools", exact: true }).first().click();
    await page.waitForURL(/\/app\/pools\?/);
    // (The customer page's rows name the pool too: wait for the list's own cells, not just the name.)
    const listed = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Never runs out" });
    await listed.waitFor();
    await expect(listed.getByRole("link", { name: "Birthday 15%" }).count()).resolves.toBe(1);
    await expect(listed.getByText("Dynamic").count()).resolves.toBe(1);

    // Revoking it from the codes list ends it on the store.
    await open(page, url(`/app/pools/${poolId}`));
    await page.getByRole("button", { name: `Revoke code ${code}` }).click();
    // It asks first, naming the code and who loses it; cancelling leaves the code with its customer.
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`Revoke ${code}?`).waitFor();
    await dialog.getByText(/can no longer use it/).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect(shop.db.code.findFirstOrThrow({ where: { code } })).resolves.toMatchObject({ status: "ASSIGNED" });
    await page.getByRole("button", { name: `Revoke code ${code}` }).click();
    await dialog.getByRole("button", { name: "Revoke code" }).click();
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: code }).getByText("Retired").waitFor();
    const store = admin.stack.simulator.state(shop.domain);
    expect(store.discountStatus(store.discountByCode(code)!)).toBe("EXPIRED");
    expect(parseGid((await shop.db.code.findFirstOrThrow({ where: { code } })).platformRef!)?.type).toBe("DiscountCodeNode");
    expect(errors).toEqual([]);
  });

  it("GIVEN a dynamic pool WHEN the merchant issues a code from the customer's page THEN it is created and listed there", async () => {
    const shop = await createTestShop({ seed: true });
    const demoCustomer = [...admin.stack.simulator.state(shop.domain).customers.values()][1]!;
    const customer = await shop.db.customer.create({
      data: { shopId: shop.id, platformId: `gid://shopify/Customer/${demoCustomer.id}`, firstName: "Bo", email: "bo@example.com" },
    });
    const { createPool } = await import("../../app/services/pools/pools.server");
    const pool = await createPool(shop.db, shop.id, { name: "Free shipping", kind: "DYNAMIC", dynamic: { value: { type: "free_shipping" } } });
    if (pool.type !== "saved") throw new Error(pool.type);
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/customers/${customer.id}`));
    await page.getByLabel("Pool", { exact: true }).selectOption({ label: "Free shipping (dynamic: creates a code)" });
    await page.getByRole("button", { name: "Issue code" }).click();
    await page.getByText(/^Issued [A-Z2-9]{7}$/).waitFor();
    const code = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.pool.id } });
    expect(code).toMatchObject({ status: "ASSIGNED", customerId: customer.id });
    expect(admin.stack.simulator.state(shop.domain).discountByCode(code.code)?.kind).toBe("freeShipping");
    await open(page, url(`/app/customers/${customer.id}`));
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: code.code }).getByText("Assigned").waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a Magento store WHEN the merchant sets up a dynamic pool THEN the form says what Magento cannot honour, and the pool page describes the codes as they will really work", async () => {
    const shop = await createTestShop({ platform: "MAGENTO", name: "Magento Boutique" });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url("/app/pools/new"));
    await page.getByLabel("Name").fill("Welcome back");
    await page.locator("label", { hasText: "Dynamic" }).click();
    await page.getByText("Magento cannot tie a coupon to one customer").waitFor();
    await page.getByText("Magento ends a coupon at the end of a day in your store's time zone").waitFor();
    await expect(page.getByText("Magento counts a customer's uses per cart price rule").count()).resolves.toBe(0);
    await page.getByLabel("Once per customer").check();
    await page.getByText("Magento counts a customer's uses per cart price rule").waitFor();
    await screenshot(page, "dynamic-pool-form-magento");
    await page.getByLabel("Percentage", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.waitForURL(POOL_PAGE);
    const settings = page.locator(".Polaris-DataTable");
    await settings.getByText("10% off").waitFor();
    await expect(settings.getByText("Only the customer it was issued to").count()).resolves.toBe(0);
    await expect(settings.getByText(/anyone/i).count()).resolves.toBeGreaterThan(0);
    expect(errors).toEqual([]);

    // A Shopify store's form has none of these notes.
    const shopify = await createTestShop({ seed: true });
    const other = await openAdmin(shopify);
    await open(other.page, other.url("/app/pools/new"));
    await other.page.locator("label", { hasText: "Dynamic" }).click();
    await other.page.getByLabel("Once per customer").check();
    await other.page.getByLabel("Percentage", { exact: true }).waitFor();
    await expect(other.page.getByText(/Magento/).count()).resolves.toBe(0);
  });
});
