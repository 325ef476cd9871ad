// Scenarios and tasks in Chromium: a merchant creates a scenario through the form (errors shown next to their
// fields first), an order triggers it, the worker runs its task, and the tasks page lists the task with its
// customer, order, status and code, and filters it.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onOrderEvent } from "../../app/services/scenarios/triggers.server";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, openHydrated } from "../support/browser";
import { createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 900 } });
const openAdmin = admin.openAdmin;

const open = openHydrated;

/** The error Polaris shows for a field: the element its control names in aria-describedby ("" when none). */
async function fieldError(page: Page, label: string): Promise<string> {
  const control = page.getByLabel(label, { exact: true });
  await control.waitFor();
  const ids = ((await control.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"].Polaris-InlineError, [id="${id}"] .Polaris-InlineError`).allInnerTexts()));
  return texts.flat().join(" ").trim();
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Scenarios and tasks in Chromium", () => {
  it("GIVEN a pool and a template WHEN the merchant creates a scenario through the form and an order triggers it THEN the tasks page shows its task with customer, order, status and code", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["THANKS-001", "THANKS-002"], { name: "Thank-you codes" });
    await shop.db.messageTemplate.create({
      data: { shopId: shop.id, name: "Thank-you email", channel: "EMAIL", subject: "A code for you", body: "<p>Hi {{firstName}}, here is {{promoCode}}.</p>" },
    });
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url("/app/scenarios"));
    await page.getByText("No scenarios yet").waitFor();
    await page.getByRole("link", { name: "Create scenario" }).first().click();
    await page.waitForURL(/\/app\/scenarios\/new\?/);

    // Saved without picking a pool or template: each error appears next to its own field, and nothing is stored.
    await page.getByLabel("Name", { exact: true }).fill("Thank-you code");
    await page.getByLabel("Trigger", { exact: true }).selectOption("order_paid");
    await page.getByLabel("Minimum order price", { exact: true }).fill("20");
    await page.getByLabel("Maximum order price", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Create scenario" }).click();
    await page.getByText("Some settings need your attention").waitFor();
    expect(await fieldError(page, "Maximum order price")).toBe("Maximum is below the minimum");
    expect(await fieldError(page, "Step 1: pool")).toBe("Pick a pool");
    expect(await fieldError(page, "Step 2: message template")).toBe("Pick a message template");
    expect(await fieldError(page, "Name")).toBe("");
    await screenshot(page, "scenario-form-errors");
    expect(await shop.db.scenario.count()).toBe(0);

    await page.getByLabel("Maximum order price", { exact: true }).fill("");
    await page.getByLabel("Step 1: pool", { exact: true }).selectOption({ label: "Thank-you codes (static)" });
    await page.getByLabel("Step 2: message template", { exact: true }).selectOption({ label: "Thank-you email (email)" });
    await page.locator("label", { hasText: "The trigger order is cancelled" }).click();
    await page.getByRole("button", { name: "Create scenario" }).click();
    await page.waitForURL(/\/app\/scenarios\/[0-9a-f-]{36}\?/);
    await page.locator(".Polaris-Header-Title", { hasText: "Thank-you code" }).waitFor();
    const scenario = await shop.db.scenario.findFirstOrThrow();
    expect(scenario).toMatchObject({ name: "Thank-you code", trigger: "order_paid", active: true, cancelConditions: ["order_cancelled"], limits: { minOrderPrice: 20, maxOrderPrice: null } });

    // An order is paid: the trigger starts the task and the worker runs it.
    const customer = await shop.db.customer.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Customer/7001", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
    });
    const order = await shop.db.order.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Order/9001", customerId: customer.id, name: "#1001", totalPrice: "42.00", sourceName: "web", placedAt: new Date() },
    });
    const triggered = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    expect(triggered).toMatchObject({ type: "processed", started: [{ scenarioId: scenario.id }] });
    const task = await waitFor(() => shop.db.task.findFirstOrThrow(), (t) => t.status === "EXECUTED");
    expect(task.status).toBe("EXECUTED");

    await open(page, url("/app/tasks"));
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Thank-you code" });
    await row.waitFor();
    const cells = (await row.locator("td").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    expect(cells[0]).toBe("Thank-you code");
    expect(cells[1]).toBe("Ada Lovelace");
    expect(cells[2]).toBe("#1001");
    expect(cells[3]).toContain("Executed");
    expect(cells[4]).toMatch(/Created: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(cells[4]).toContain("Executed:");
    expect(cells[5]).toBe("THANKS-001");
    await screenshot(page, "tasks-page");

    // Filters: by status (none cancelled) and by scenario.
    await page.getByLabel("Status", { exact: true }).selectOption("CANCELLED");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText("No tasks match these filters").waitFor();
    await page.getByLabel("Status", { exact: true }).selectOption("EXECUTED");
    await page.getByLabel("Scenario or campaign", { exact: true }).selectOption({ label: "Scenario: Thank-you code" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=EXECUTED/);
    await row.waitFor();
    expect(page.url()).toContain(`source=scenario%3A${scenario.id}`);

    // The scenario list counts its tasks.
    await open(page, url("/app/scenarios"));
    const listRow = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Thank-you code" });
    await listRow.waitFor();
    await expect(listRow.innerText()).resolves.toContain("Executed: 1");
    await screenshot(page, "scenarios-list");

    // Its page: the counts, and switching it off (tasks already started are unaffected; nothing new starts).
    await listRow.getByRole("link", { name: "Thank-you code" }).click();
    await page.waitForURL(/\/app\/scenarios\/[0-9a-f-]{36}\?/);
    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.locator(".Polaris-Badge", { hasText: "Inactive" }).first().waitFor();
    await screenshot(page, "scenario-page");
    expect(await shop.db.scenario.findFirstOrThrow({ select: { active: true } })).toEqual({ active: false });
    expect(errors).toEqual([]);
  });
});
