// The Pools admin pages in Chromium: creating pools, uploading (with progress and the per-line report), pasting,
// generating, the codes list with customers, the customer page, low stock and deleting a pool.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCode } from "../../app/services/pools/issue.server";
import { createPool } from "../../app/services/pools/pools.server";
import { seedDemoShop } from "../../simulator/shopify";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, openHydrated } from "../support/browser";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 900 } });
const openAdmin = admin.openAdmin;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "pools-browser-"));
});

afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function newPool(shop: TestShop, name: string, extra: { lowStockThreshold?: number } = {}) {
  const result = await createPool(shop.db, shop.id, { name, ...extra });
  if (result.type !== "saved") throw new Error(`pool not created: ${result.type}`);
  return result.pool;
}

/** Samples the upload progress bar's value every few milliseconds, in the page, until told to stop. */
async function recordProgress(page: Page, testId: string) {
  await page.evaluate((id) => {
    const w = window as unknown as { __progress: number[]; __progressTimer: number };
    w.__progress = [];
    const sample = () => {
      const bar = document.querySelector<HTMLProgressElement>(`[data-testid="${id}"] progress`);
      if (bar) w.__progress.push(bar.value);
    };
    w.__progressTimer = window.setInterval(sample, 20);
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, testId);
  return async (): Promise<number[]> =>
    page.evaluate(() => {
      const w = window as unknown as { __progress: number[]; __progressTimer: number };
      window.clearInterval(w.__progressTimer);
      return w.__progress;
    });
}

const open = openHydrated;

/**
 * A full-page screenshot with the viewport as tall as the page first: Polaris' sticky table header and pagination
 * are placed for the viewport, and a taller capture than the viewport draws them mid-table.
 */
async function snap(page: Page, name: string) {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  for (let i = 0; i < 3; i++) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (height === page.viewportSize()?.height) break;
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
    await page.waitForTimeout(400); // Polaris re-measures tabs and sticky headers after a resize
  }
  await screenshot(page, name);
  await page.setViewportSize(size);
}

function writeTemp(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

const POOL_PAGE = /\/app\/pools\/[0-9a-f-]{36}\?/;

describe("Pools admin in Chromium", () => {
  it("GIVEN a shop without pools WHEN the merchant creates one from the form THEN it is listed, and a duplicate name is refused inline", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url("/app/pools"));
    await page.getByText("No code pools yet").waitFor();
    await snap(page, "pools-empty");

    await page.getByRole("link", { name: "Create pool" }).first().click();
    await page.waitForURL(/\/app\/pools\/new\?/);
    await page.getByLabel("Name").fill("Summer sale");
    await page.getByLabel("Description").fill("Codes for the summer newsletter");
    await page.getByLabel("Low-stock alert").fill("10");
    await page.locator("label", { hasText: "Send a fixed fallback code" }).click();
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.getByText("A fallback code is required").waitFor();
    await page.getByRole("textbox", { name: "Fallback code" }).fill("SORRY-10");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.waitForURL(POOL_PAGE);
    await page.locator(".Polaris-Header-Title", { hasText: "Summer sale" }).waitFor();

    // The same form edits it on the pool's page.
    await page.getByLabel("Low-stock alert").fill("25");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved").waitFor();
    await expect(shop.db.pool.findFirst({ select: { lowStockThreshold: true, fallbackCode: true } })).resolves.toEqual({
      lowStockThreshold: 25,
      fallbackCode: "SORRY-10",
    });

    await page.getByRole("link", { name: "Pools", exact: true }).first().click();
    await page.waitForURL(/\/app\/pools\?/);
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Summer sale" });
    await row.waitFor();
    await expect(row.getByText("Static").count()).resolves.toBe(1);
    await expect(row.getByText("No codes yet").count()).resolves.toBe(1);
    await expect(row.locator("svg[role=img] title").textContent()).resolves.toContain("issued in the last 30 days");

    await page.getByRole("link", { name: "Create pool" }).first().click();
    await page.waitForURL(/\/app\/pools\/new\?/);
    await page.getByLabel("Name").fill("summer sale");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.getByText('A pool named "summer sale" already exists').waitFor();
    expect(page.url()).toMatch(/\/app\/pools\/new\?/);
    await snap(page, "pool-form-name-taken");
    await expect(shop.db.pool.count()).resolves.toBe(1);

    // A dynamic pool takes its code settings instead of stock options, and has nothing to upload.
    await page.getByLabel("Name").fill("Birthday");
    await page.locator("label", { hasText: "Dynamic" }).click();
    await expect(page.getByLabel("Low-stock alert").count()).resolves.toBe(0);
    await page.getByLabel("Percentage", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Create pool" }).click();
    await page.waitForURL(POOL_PAGE);
    await page.getByText("10% off").waitFor();
    await expect(page.getByRole("button", { name: "Upload file" }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN a pool WHEN a CSV with good lines, a duplicate and bad lines is uploaded THEN progress then the report shows counts and the rejected lines, and the list shows the new totals", async () => {
    const shop = await createTestShop();
    const pool = await newPool(shop, "Newsletter");
    const file = writeTemp(
      "codes.csv",
      [
        "code,expires",
        "GOOD-001,",
        "GOOD-002,",
        "good-001,",
        "BAD CODE!,",
        "GOOD-003,2030-01-01",
        "GOOD-004,next tuesday",
        "OLD-005,2020-01-01",
        "",
      ].join("\n"),
    );
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.getByText("Upload codes").waitFor();
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByText("codes.csv").waitFor();
    const stop = await recordProgress(page, "upload-progress");
    await page.getByRole("button", { name: "Upload file" }).click();
    const result = page.getByTestId("upload-result");
    await result.waitFor();
    const seen = await stop();
    expect(seen.length).toBeGreaterThan(0); // the progress bar was on screen before the result

    await result.getByText("codes.csv: 4 codes added").waitFor();
    const counts = await result.locator('[data-testid^="upload-count-"]').allInnerTexts();
    expect(counts.map((t) => t.replace(/\s+/g, " ").trim())).toEqual(["Accepted 4", "Duplicates 1", "Rejected 2"]);
    // The code that arrived expired is added (a later upload of it is a duplicate) but said to be never given out.
    await expect(result.getByTestId("upload-not-issuable").innerText()).resolves.toBe(
      "Of the codes accepted, 1 already past their expiry (listed as expired): they are never given out.",
    );
    const rows = await page.getByTestId("rejected-lines").locator("tbody tr").allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, " ").trim())).toEqual([
      "4 Duplicate of an earlier line good-001",
      "5 Characters a code cannot have BAD CODE!",
      "7 Expiry date not understood (use YYYY-MM-DD) next tuesday",
    ]);
    await snap(page, "pool-upload-result");
    // Two of the three go out, so each column of the list has its own number.
    for (const customerId of await createCustomers(shop, 2)) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId });

    await page.getByRole("link", { name: "Pools", exact: true }).first().click();
    await page.waitForURL(/\/app\/pools\?/);
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Newsletter" });
    await row.waitFor();
    const cells = (await row.locator("td").allInnerTexts()).map((t) => t.trim());
    // Type, total, remaining, assigned, redeemed; then % remaining and the forecast (1 left at 2 a week: 3 days).
    expect(cells.slice(1, 6)).toEqual(["Static", "4", "1", "2", "0"]);
    expect(cells[6]).toContain("25%");
    expect(cells.join(" ")).toContain("Runs out in about 3 days");
    // The small chart of issues per day names what it draws.
    await row.getByRole("img", { name: "Newsletter: 2 codes issued in the last 30 days, 2 in the last 7" }).waitFor();
    await snap(page, "pools-list");
    expect(errors).toEqual([]);
  });

  it("GIVEN an upload with duplicates and more rejected lines than are listed WHEN the page is reloaded and the merchant opens the run from the recent uploads THEN its report lists the same lines and reasons and states the cap", async () => {
    const shop = await createTestShop();
    const pool = await newPool(shop, "Reloaded");
    const lines = ["code", "KEEP-1", "KEEP-2", "keep-1", "KEEP-3", "KEEP-4", "KEEP-2"];
    for (let i = 0; i < 203; i++) lines.push(`BAD ${i}!`);
    const file = writeTemp("report.csv", `${lines.join("\n")}\n`);
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole("button", { name: "Upload file" }).click();
    const result = page.getByTestId("upload-result");
    await result.getByText("report.csv: 4 codes added").waitFor();
    await result.getByText("2 duplicates skipped and 203 lines rejected; see the lines below.").waitFor();
    const tidy = (rows: string[]) => rows.map((r) => r.replace(/\s+/g, " ").trim());
    const listed = tidy(await result.getByTestId("rejected-lines").locator("tbody tr").allInnerTexts());
    expect(listed).toHaveLength(200);
    expect(listed.slice(0, 3)).toEqual(["4 Duplicate of an earlier line keep-1", "7 Duplicate of an earlier line KEEP-2", "8 Characters a code cannot have BAD 0!"]);
    const cap = "Only the first 200 lines not taken are listed; 5 more lines are not shown.";
    await result.getByText(cap).waitFor();

    // After a reload the upload's result is gone from the page; the recent uploads table opens its report.
    await open(page, url(`/app/pools/${pool.id}`));
    await expect(page.getByTestId("upload-result").count()).resolves.toBe(0);
    await page.getByRole("link", { name: /^View the report of report\.csv, started / }).click();
    await page.waitForURL(/\/app\/pools\/[0-9a-f-]{36}\/imports\/[0-9a-f-]{36}\/report\?/);
    const report = page.getByTestId("import-report");
    await report.getByText("report.csv: 4 codes added").waitFor();
    await report.getByText("2 duplicates skipped and 203 lines rejected; see the lines below.").waitFor();
    const counts = await report.locator('[data-testid^="upload-count-"]').allInnerTexts();
    expect(tidy(counts)).toEqual(["Accepted 4", "Duplicates 2", "Rejected 203"]);
    expect(tidy(await report.getByTestId("rejected-lines").locator("tbody tr").allInnerTexts())).toEqual(listed);
    await report.getByText(cap).waitFor();
    await snap(page, "pool-upload-report");

    // The report has its own address: it survives a reload too, and leads back to the pool.
    await open(page, page.url());
    await report.getByText(cap).waitFor();
    await page.getByRole("link", { name: "Reloaded" }).first().click();
    await page.waitForURL(POOL_PAGE);
    await page.getByText("Recent uploads and generations").waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a pool WHEN an Excel workbook and then a file that is not a spreadsheet are uploaded THEN the workbook's codes are added and the other file is refused with the reason", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["XL-1"], { name: "Spreadsheets" });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Codes");
    for (const row of [
      ["Coupon code", "Discount"],
      ["XL-1", 10],
      ["XL-2", 15],
      ["XL-3", 150],
    ])
      sheet.addRow(row);
    const xlsx = path.join(tmp, "codes.xlsx");
    await workbook.xlsx.writeFile(xlsx);
    // A legacy .xls saved under a new name: the content decides, not the name.
    const fake = path.join(tmp, "old-export.xlsx");
    writeFileSync(
      fake,
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2048)]),
    );

    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.locator('input[type="file"]').setInputFiles(xlsx);
    await page.getByRole("button", { name: "Upload file" }).click();
    const result = page.getByTestId("upload-result");
    await result.getByText("codes.xlsx: 1 code added").waitFor();
    const rows = await page.getByTestId("rejected-lines").locator("tbody tr").allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, " ").trim())).toEqual([
      "2 Already in the pool XL-1",
      "4 Discount outside 0–99 150",
    ]);

    await page.locator('input[type="file"]').setInputFiles(fake);
    await page.getByRole("button", { name: "Upload file" }).click();
    const refused = result.locator(".Polaris-Banner", { hasText: "old-export.xlsx was refused; nothing was added" });
    await refused.waitFor();
    await expect(refused.innerText()).resolves.toContain("This is a legacy Office file (.xls?), not text.");
    await snap(page, "pool-upload-refused");
    await expect(shop.db.code.count({ where: { poolId: pool.id } })).resolves.toBe(2);
    await expect(
      shop.db.codeImport.findMany({
        where: { poolId: pool.id },
        orderBy: { createdAt: "asc" },
        select: { status: true },
      }),
    ).resolves.toEqual([{ status: "SUCCEEDED" }, { status: "FAILED" }]);
    expect(errors).toEqual([]);
  });

  it("GIVEN a pool WHEN a 200,000-code CSV is uploaded THEN a progress bar between 0 and 100 is seen before the result", async () => {
    const shop = await createTestShop();
    const pool = await newPool(shop, "Big import");
    const lines = ["code"];
    for (let i = 0; i < 200_000; i++) lines.push(`BIG-${i.toString(36).toUpperCase().padStart(6, "0")}`);
    const file = writeTemp("big.csv", `${lines.join("\n")}\n`);
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByText("big.csv").waitFor();
    const stop = await recordProgress(page, "upload-progress");
    const started = Date.now();
    await page.getByRole("button", { name: "Upload file" }).click();
    // Poll the DOM for the bar part-way, and take a picture of it.
    const bar = page.getByTestId("upload-progress");
    await bar.waitFor();
    let shot = false;
    while (!(await page.getByTestId("upload-result").isVisible())) {
      const value = Number((await bar.getAttribute("data-percent", { timeout: 1_000 }).catch(() => null)) ?? 0);
      if (!shot && value > 0 && value < 100) {
        await snap(page, "pool-upload-progress");
        shot = true;
      }
      if (Date.now() - started > 50_000) throw new Error("the upload did not finish in 50 s");
      await page.waitForTimeout(50);
    }
    const seen = await stop();
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
    await page.getByTestId("upload-result").getByText("big.csv: 200,000 codes added").waitFor();
    await expect(shop.db.code.count({ where: { poolId: pool.id } })).resolves.toBe(200_000);
    expect(errors).toEqual([]);
  });

  it("GIVEN a pool WHEN codes are pasted and generated from a pattern THEN they are added, and an impossible generation shows why", async () => {
    const shop = await createTestShop();
    const pool = await newPool(shop, "Flash sale");
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.getByLabel("Or paste codes, one per line").fill("PASTE-1\nPASTE-2\n\nPASTE-3\nPASTE-1");
    await page.getByRole("button", { name: "Add pasted codes" }).click();
    await page.getByTestId("upload-result").getByText("Pasted codes: 3 codes added").waitFor();

    await page.getByLabel("Number of codes").fill("50");
    await page.getByLabel("Pattern (optional)").fill("GEN-####");
    await page.getByLabel("Prefix").fill("X");
    await page.getByRole("button", { name: "Generate codes" }).click();
    await page.getByTestId("generate-result").getByText("50 codes generated").waitFor({ timeout: 30_000 });
    await expect(shop.db.code.count({ where: { poolId: pool.id, code: { startsWith: "XGEN-" } } })).resolves.toBe(50);
    // The page reloaded its data: 53 codes in the stats.
    await page.getByText("53 in the pool").waitFor();

    await page.getByLabel("Number of codes").fill("100");
    await page.getByLabel("Pattern (optional)").fill("");
    await page.getByLabel("Length").fill("2");
    await page.getByLabel("Characters").selectOption("digits");
    await page.getByRole("button", { name: "Generate codes" }).click();
    const refused = page.getByTestId("generate-refused");
    await refused.waitFor();
    await expect(refused.innerText()).resolves.toContain("2 random characters from 8 give 64 codes");
    await snap(page, "pool-generate-refused");
    await expect(shop.db.code.count({ where: { poolId: pool.id } })).resolves.toBe(53);

    // The codes list pages by cursor (25 a page) and searches on the code.
    const codeRows = page.locator(".Polaris-IndexTable__TableRow");
    await expect.poll(() => codeRows.count()).toBe(25);
    const previous = page.getByRole("button", { name: "Previous" });
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/cursor=\d+/);
    await expect.poll(() => previous.isEnabled()).toBe(true); // page 2 rendered, not just its URL
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/prev=first%2C\d+/);
    await expect.poll(() => codeRows.count()).toBe(3);
    await previous.click();
    await page.waitForURL((u) => u.searchParams.get("prev") === "first");
    await expect.poll(() => codeRows.count()).toBe(25);
    await page.getByRole("button", { name: "Search and filter results" }).click();
    await page.getByPlaceholder("Search codes").fill("paste-");
    await page.waitForURL(/q=paste-/);
    await expect
      .poll(() => codeRows.allInnerTexts().then((rows) => rows.map((r) => r.split(/\s/)[0]).sort()))
      .toEqual(["PASTE-1", "PASTE-2", "PASTE-3"]);

    // Retiring every unused code asks first.
    await page.getByRole("button", { name: "Retire unused codes" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("53 unused codes will be retired").waitFor();
    await dialog.getByRole("button", { name: "Retire 53 codes" }).click();
    await page.getByText("53 unused codes retired").waitFor();
    await expect(shop.db.code.count({ where: { poolId: pool.id, status: "RETIRED" } })).resolves.toBe(53);
    expect(errors).toEqual([]);
  });

  it("GIVEN codes issued to customers WHEN the merchant opens the pool and the customer THEN codes show Assigned with the customer, and the customer lists initial and reissue; the low-stock banner shows", async () => {
    const shop = await createTestShop();
    const codes = Array.from({ length: 6 }, (_, i) => `WELCOME-${i + 1}`);
    const pool = await createPoolWithCodes(shop, codes, { name: "Welcome" });
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 4 } });
    const [ada, bob] = await createCustomers(shop, 2, "cust");
    await shop.db.customer.update({ where: { id: ada! }, data: { firstName: "Ada", lastName: "Lovelace" } });
    for (const input of [
      { customerId: ada!, reissue: false },
      { customerId: bob!, reissue: false },
      { customerId: ada!, reissue: true },
    ]) {
      const r = await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, source: "test", ...input });
      expect(r.type).toBe("issued");
    }

    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    // The chart of issues per day counts the two codes that went out today, not the reissue.
    await page.getByRole("img", { name: /^Codes issued per day over the last 30 days: 2 in total, 2 in the last 7 days$/ }).waitFor();
    const today = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" }).format(new Date());
    const bars = await page.locator("svg rect > title").allTextContents();
    expect(bars).toHaveLength(30);
    expect(bars.at(-1)).toBe(`${today}: 2 issued`);
    expect(bars.slice(0, -1).every((t) => t.endsWith(": 0 issued"))).toBe(true);
    await page.getByRole("tab", { name: "Assigned" }).click();
    await page.waitForURL(/status=assigned/);
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    await expect.poll(() => rows.count()).toBe(2);
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, " "));
    expect(texts.some((t) => t.includes("WELCOME-1") && t.includes("Assigned") && t.includes("Ada Lovelace"))).toBe(
      true,
    );
    expect(
      texts.some((t) => t.includes("WELCOME-2") && t.includes("Assigned") && t.includes("cust1@example.com")),
    ).toBe(true);
    await snap(page, "pool-detail-assigned");

    await page.getByRole("link", { name: "Ada Lovelace" }).click();
    await page.waitForURL(new RegExp(`/app/customers/${ada}\\?`));
    await page.getByRole("heading", { name: "Codes received" }).waitFor();
    const customerRows = page.locator(".Polaris-IndexTable__TableRow");
    await expect.poll(() => customerRows.count()).toBe(2);
    const received = (await customerRows.allInnerTexts()).map((t) => t.replace(/\s+/g, " "));
    // (Badges carry a hidden tone word for screen readers, hence the loose gaps.)
    expect(received[0]).toMatch(/^WELCOME-1 Welcome .*Reissue .*UTC .*Assigned$/);
    expect(received[1]).toMatch(/^WELCOME-1 Welcome .*Initial .*UTC .*Assigned$/);
    await snap(page, "customer-codes");

    // The Customers list links to the same page.
    await page.getByRole("link", { name: "Customers", exact: true }).first().click();
    await page.waitForURL(/\/app\/customers\?/);
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: "cust1@example.com" }).click();
    await page.waitForURL(new RegExp(`/app/customers/${bob}\\?`));
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: "WELCOME-2" }).waitFor();

    // Support can hand out a code by hand from the customer's page.
    await page.getByRole("combobox", { name: "Pool", exact: true }).selectOption({ label: "Welcome (4 available)" });
    await page.getByRole("button", { name: "Issue code" }).click();
    await page.getByText("Issued WELCOME-3").waitFor();
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: "WELCOME-3" }).waitFor();
    await expect(shop.db.issuance.count({ where: { customerId: bob!, source: "admin" } })).resolves.toBe(1);

    // Issuing asked the worker for a stock check: 3 left against a line of 4, so Home shows the banner.
    const banner = page.getByText('Pool "Welcome" is running low on codes');
    const deadline = Date.now() + 20_000;
    for (;;) {
      await open(page, url("/app"));
      await page.getByRole("heading", { name: "Home" }).waitFor();
      if (await banner.isVisible()) break;
      if (Date.now() > deadline) throw new Error("no low-stock banner on Home");
      await page.waitForTimeout(500);
    }
    await snap(page, "home-low-stock");
    await open(page, url("/app/pools"));
    await banner.waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a pool with unused codes WHEN the merchant retires one and deletes the pool THEN the modal states the unused count and confirming retires them", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["DEL-1", "DEL-2", "DEL-3", "DEL-4", "DEL-5"], { name: "Old promo" });
    const [customer] = await createCustomers(shop, 1, "holder");
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customer! });

    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    await page.getByRole("button", { name: "Retire code DEL-5" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Retire code" }).click();
    await page.locator(".Polaris-IndexTable__TableRow", { hasText: "DEL-5" }).getByText("Retired").waitFor();

    await page.getByRole("button", { name: "Delete pool" }).click();
    await dialog.getByText("3 unused codes will be retired and never given out.").waitFor();
    await snap(page, "pool-delete-confirm");
    await dialog.getByRole("button", { name: "Delete pool" }).click();
    await page.waitForURL(/\/app\/pools\?.*deleted=/);
    await page.getByText('Pool "Old promo" deleted').waitFor();
    await page.getByText("3 unused codes retired.").waitFor();
    await expect(page.locator(".Polaris-IndexTable__TableRow", { hasText: "Old promo" }).count()).resolves.toBe(0);

    const byStatus = await shop.db.code.groupBy({ by: ["status"], where: { poolId: pool.id }, _count: true });
    expect(Object.fromEntries(byStatus.map((s) => [s.status, s._count]))).toEqual({ RETIRED: 4, ASSIGNED: 1 });
    await expect(
      shop.db.pool.findFirst({ where: { id: pool.id }, select: { deletedAt: true } }),
    ).resolves.toMatchObject({
      deletedAt: expect.any(Date),
    });
    expect(errors).toEqual([]);
    const gone = await open(page, url(`/app/pools/${pool.id}`));
    expect(gone?.status()).toBe(404);
    await page.getByText("This pool does not exist or was deleted").waitFor();
    // Chromium reports the 404 document itself as a console error; nothing else may be logged.
    expect(errors.filter((e) => !e.includes("status of 404"))).toEqual([]);
  });

  it("GIVEN a pool named with 100 characters and no space WHEN the Pools list and the pool page are shown at 1280 px THEN the numeric columns stay in view, the page keeps its width and the full name is there to read", async () => {
    const shop = await createTestShop();
    const name = `Summer${"X".repeat(94)}`;
    expect(name).toHaveLength(100);
    const pool = await createPoolWithCodes(shop, ["LONG-1"], { name });
    const { page, errors, url } = await openAdmin(shop);
    const viewport = page.viewportSize()!.width;
    expect(viewport).toBe(1280);

    await open(page, url("/app/pools"));
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Summer" });
    await row.waitFor();
    for (const heading of ["Total", "Remaining", "Assigned", "Redeemed"]) {
      const box = await page.getByRole("columnheader", { name: heading, exact: true }).first().boundingBox();
      expect(box, heading).not.toBeNull();
      expect(box!.x + box!.width, `${heading} column's right edge`).toBeLessThanOrEqual(viewport);
    }
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(viewport);
    // The whole name is on the page, and in the cell's title.
    await expect(row.locator(`[title="${name}"]`).count()).resolves.toBe(1);
    await expect(row.innerText()).resolves.toContain(name.slice(-30));
    await snap(page, "pools-list-long-name");

    await open(page, url(`/app/pools/${pool.id}`));
    const title = page.locator(".Polaris-Header-Title");
    await title.waitFor();
    await expect(title.innerText()).resolves.toBe(name);
    const titleBox = await title.boundingBox();
    expect(titleBox!.x + titleBox!.width).toBeLessThanOrEqual(viewport);
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(viewport);
    // The codes table counts in the singular for one code.
    await page.getByText("Showing 1 code · 1 in the pool").waitFor();
    await snap(page, "pool-long-name");
    expect(errors).toEqual([]);
  });

  it("GIVEN an available code WHEN the merchant clicks its Retire THEN a modal names the code, cancelling leaves it available, and confirming retires only it", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["WELCOME-11", "WELCOME-12", "WELCOME-13"], { name: "Welcome back" });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/pools/${pool.id}`));
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "WELCOME-12" });

    await page.getByRole("button", { name: "Retire code WELCOME-12" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Retire WELCOME-12?").waitFor();
    await dialog.getByText("It will never be issued. This cannot be undone.").waitFor();
    await snap(page, "pool-retire-code-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    // Give a submission the click might have made time to land: nothing changes.
    await page.waitForTimeout(500);
    await row.getByText("Available").waitFor();
    await expect(shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).resolves.toBe(3);

    await page.getByRole("button", { name: "Retire code WELCOME-12" }).click();
    await dialog.getByRole("button", { name: "Retire code" }).click();
    await row.getByText("Retired").waitFor();
    const byCode = await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true, status: true }, orderBy: { code: "asc" } });
    expect(byCode).toEqual([
      { code: "WELCOME-11", status: "AVAILABLE" },
      { code: "WELCOME-12", status: "RETIRED" },
      { code: "WELCOME-13", status: "AVAILABLE" },
    ]);
    expect(errors).toEqual([]);
  });

  it("GIVEN a store with code discounts WHEN the merchant adds the pool's codes to one THEN the worker adds them and the card shows the code Shopify refused", async () => {
    const shop = await createTestShop();
    const simulator = admin.stack.simulator;
    simulator.registerShop({ domain: shop.domain, accessToken: shop.accessToken, plan: "standard", name: "Checkout Outfitters" });
    seedDemoShop(simulator, { domain: shop.domain });
    // WELCOME10 is already a code of one of the store's discounts: the target is another one.
    const found = (await simulator.graphql(
      shop.domain,
      `{ holder: codeDiscountNodeByCode(code: "WELCOME10") { id }
         codeDiscountNodes(first: 20) { nodes { id } } }`,
    )) as { data: { holder: { id: string }; codeDiscountNodes: { nodes: { id: string }[] } } };
    const target = found.data.codeDiscountNodes.nodes.find((n) => n.id !== found.data.holder.id)!;
    expect(target).toBeDefined();
    const pool = await createPoolWithCodes(shop, ["FINE-1", "WELCOME10", "FINE-2"], { name: "Checkout codes" });
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url(`/app/pools/${pool.id}`));
    await page.getByRole("button", { name: "Choose a discount" }).click();
    await page.getByText("0 of 3 usable codes on a discount.").waitFor();
    await page.getByLabel("Discount").selectOption({ value: target.id });
    await page.getByRole("button", { name: "Add the codes" }).click();
    await page.getByText("2 codes added, 1 refused").waitFor({ timeout: 30_000 });
    await page.getByText(/^WELCOME10: .*TAKEN/i).waitFor();
    await screenshot(page, "pool-redeemable");

    // On the store, the two codes belong to the chosen discount now; the pool knows which codes it added.
    for (const code of ["FINE-1", "FINE-2"]) {
      const held = (await simulator.graphql(shop.domain, `{ codeDiscountNodeByCode(code: "${code}") { id } }`)) as {
        data: { codeDiscountNodeByCode: { id: string } | null };
      };
      expect(held.data.codeDiscountNodeByCode?.id, code).toBe(target.id);
    }
    expect(await shop.db.code.findMany({ where: { poolId: pool.id }, select: { code: true, platformRef: true }, orderBy: { code: "asc" } })).toEqual([
      { code: "FINE-1", platformRef: target.id },
      { code: "FINE-2", platformRef: target.id },
      { code: "WELCOME10", platformRef: null },
    ]);
    // Choosing again: the page now counts the two codes on a discount.
    await open(page, url(`/app/pools/${pool.id}`));
    await page.getByRole("button", { name: "Choose a discount" }).click();
    await page.getByText("2 of 3 usable codes on a discount").waitFor();
    expect(errors).toEqual([]);
  });
});
