// The Customers list in Chromium: 50 a page with Previous and Next, a search kept in the URL, and a customer beyond
// the first page found and opened with the codes they received.
import { describe, expect, it } from "vitest";
import { issueCode } from "../../app/services/pools/issue.server";
import { adminBrowserForFile } from "../support/browser-stack";
import { openHydrated, screenshot } from "../support/browser";
import { createCustomers, createPoolWithCodes, createReissues } from "../support/pools";
import { createTestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 900 } });

describe("Customers admin in Chromium", () => {
  it("GIVEN 121 customers, the oldest holding a code WHEN the merchant pages, then searches for the oldest and opens them THEN 50 a page with Previous and Next, one match said in the singular, and their page lists the code", async () => {
    const shop = await createTestShop();
    // 120 customers created in one statement (one created_at), and the one to find, older than all of them.
    await createCustomers(shop, 120, "bulk");
    const zelda = await shop.db.customer.create({
      data: {
        shopId: shop.id,
        platformId: "gid://shopify/Customer/990001",
        email: "zelda@example.com",
        firstName: "Zelda",
        lastName: "Quartermaine",
        createdAt: new Date(Date.now() - 86_400_000),
      },
    });
    const pool = await createPoolWithCodes(shop, ["OLDEST-1"], { name: "Loyalty" });
    const issued = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: zelda.id, source: "test" });
    expect(issued.type).toBe("issued");

    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/customers"));
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByText("Showing 50 customers · 121 in all").waitFor();
    await expect(page.getByText("Zelda Quartermaine").count()).resolves.toBe(0);

    // Next twice reaches the last page, where the oldest customer is; Previous goes back.
    const previous = page.getByRole("button", { name: "Previous" });
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(() => previous.isEnabled()).toBe(true);
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL((u) => u.searchParams.get("prev")?.startsWith("first,") ?? false);
    await expect.poll(() => rows.count()).toBe(21);
    await page.getByText("Showing 21 customers · 121 in all").waitFor();
    await expect.poll(() => rows.last().innerText()).toContain("Zelda Quartermaine");
    await previous.click();
    await page.waitForURL((u) => u.searchParams.get("prev") === "first");
    await expect.poll(() => rows.count()).toBe(50);

    // A search that matches nobody says so; searching the oldest customer's name finds them from any page.
    await page.getByRole("button", { name: "Search and filter results" }).click();
    const search = page.getByPlaceholder("Search by name, email or store id");
    await search.fill("nobody-here");
    await page.waitForURL(/q=nobody-here/);
    await page.getByText('No customers match "nobody-here".').waitFor();
    await search.fill("QUARTER");
    await page.waitForURL(/q=QUARTER/);
    expect(new URL(page.url()).searchParams.get("cursor")).toBeNull();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByText('Showing 1 customer matching "QUARTER" · 121 in all').waitFor();
    await screenshot(page, "customers-search");

    // (The name is the row's link. Polaris attaches a fresh row's own click handler only on its next render, so a
    // click that lands at once on a row that just appeared can miss it.)
    await page.getByRole("link", { name: "Zelda Quartermaine" }).click();
    await page.waitForURL(new RegExp(`/app/customers/${zelda.id}\\?`));
    await page.getByRole("heading", { name: "Codes received" }).waitFor();
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: "OLDEST-1" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a customer reissued a code 120 times WHEN the merchant opens their page and pages Next THEN the 100 newest issues, then the rest down to the initial one, and Previous comes back", async () => {
    const shop = await createTestShop();
    const [ada] = await createCustomers(shop, 1, "loyal");
    const pool = await createPoolWithCodes(shop, ["REMIND-1"], { name: "Reminders" });
    const first = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada!, source: "test" });
    if (first.type !== "issued") throw new Error(first.type);
    await createReissues(shop, { poolId: pool.id, codeId: first.issued.codeId, customerId: ada! }, 120, (i) => new Date(Date.now() + (i + 1) * 60_000));

    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/customers/${ada}`));
    await page.getByRole("heading", { name: "Codes received" }).waitFor();
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    await expect.poll(() => rows.count()).toBe(100);
    await expect(rows.filter({ hasText: "Initial" }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/codesCursor=/);
    await expect.poll(() => rows.count()).toBe(21);
    await expect.poll(() => rows.last().innerText()).toMatch(/^REMIND-1\s+Reminders\s+.*Initial/s);
    await page.getByRole("button", { name: "Previous" }).click();
    await page.waitForURL((u) => !u.searchParams.has("codesCursor"));
    await expect.poll(() => rows.count()).toBe(100);
    expect(errors).toEqual([]);
  });
});
