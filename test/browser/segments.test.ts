// The Segments admin in Chromium: building a segment with the rule builder (errors shown next to the fields),
// saving it, and watching its member count and member sample update on their own as storefront events arrive and
// the worker evaluates them; then editing the rules and deleting the segment.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { requestSegmentEvaluation } from "../../app/services/segments/triggers.server";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, openHydrated } from "../support/browser";
import { createTestShop } from "../support/shops";
import { addCustomer, addEvent, addProduct, productGid } from "../unit/segments/helpers";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 900 } });
const openAdmin = admin.openAdmin;

const open = openHydrated;

async function snap(page: Page, name: string) {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.waitForTimeout(300);
  await screenshot(page, name);
  await page.setViewportSize(size);
}

const SEGMENT_PAGE = /\/app\/segments\/[0-9a-f-]{36}\?/;

describe("Segments admin in Chromium", () => {
  it("GIVEN a shop with products WHEN the merchant builds a segment of recent Trail Backpack viewers THEN members appear on its page as views arrive, without reloading", async () => {
    const shop = await createTestShop();
    await addProduct(shop, productGid(101), { title: "Trail Backpack", vendor: "Northwind Goods" });
    await addProduct(shop, productGid(102), { title: "Cast Iron Skillet", vendor: "Copperleaf Co." });
    const ada = await addCustomer(shop, { email: "ada@example.com" });
    const bob = await addCustomer(shop, { email: "bob@example.com" });
    const cy = await addCustomer(shop, { email: "cy@example.com" });
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url("/app/segments"));
    await page.getByText("No segments yet").waitFor();
    await page.getByRole("link", { name: "Create segment" }).first().click();
    await page.waitForURL(/\/app\/segments\/new\?/);

    // Saved half-done: each mistake is reported next to its field, nothing is created.
    await page.getByLabel("Products 1.1").selectOption("products");
    await page.getByRole("button", { name: "Save segment" }).click();
    await page.getByText("Give the segment a name").waitFor();
    await page.getByText("Pick at least one product").waitFor();
    await snap(page, "segment-builder-errors");
    await expect(shop.db.segment.count()).resolves.toBe(0);

    await page.getByLabel("Name").fill("Backpack browsers");
    // A product the storefront has not shown yet cannot be added by name (it would never match): the list says so.
    await page.getByLabel("Pick products 1.1").fill("Mountain Sandal");
    await page.getByText("No product “Mountain Sandal” seen on the storefront yet: type its id").waitFor();
    await expect(page.getByRole("option", { name: "Add Mountain Sandal" }).count()).resolves.toBe(0);
    await page.getByRole("combobox", { name: "Pick products 1.1" }).fill("Trail");
    await page.getByRole("option", { name: "Trail Backpack" }).click();
    await page.getByLabel("Comparison 1.1").selectOption("at_least");
    await page.getByLabel("Number 1.1").fill("1");
    await page.getByLabel("When 1.1").selectOption("last");
    await page.getByLabel("Window length 1.1").fill("7");
    // A second group, joined by OR: anyone tagged vip.
    await page.getByRole("button", { name: "Add group" }).click();
    await page.getByLabel("Groups joined by").selectOption("or");
    await page.getByLabel("Condition 2.1").selectOption("customer_tags");
    await page.getByLabel("Tags 2.1").fill("vip");
    await page.getByRole("option", { name: "Add vip" }).click();
    await snap(page, "segment-builder");
    await page.getByRole("button", { name: "Save segment" }).click();
    await page.waitForURL(SEGMENT_PAGE);
    const segmentId = /\/app\/segments\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await expect(
      shop.db.segment.findUniqueOrThrow({ where: { id: segmentId }, select: { rules: true } }),
    ).resolves.toMatchObject({
      rules: {
        join: "or",
        groups: [
          {
            conditions: [
              {
                kind: "product_activity",
                target: { type: "products", ids: [productGid(101)] },
                op: "at_least",
                value: 1,
                window: { value: 7, unit: "days" },
              },
            ],
          },
          { conditions: [{ kind: "customer_tags", match: "any", tags: ["vip"] }] },
        ],
      },
    });
    const count = page.getByTestId("member-count");
    await expect(count.innerText()).resolves.toBe("0");
    await page.getByText("Viewed Trail Backpack at least 1 time in the last 7 days OR Tagged any of vip").waitFor();

    // The pixel pipeline stores views and asks for an evaluation; the worker does the rest while the page polls.
    await addEvent(shop, ada, Date.now() - 60_000, { productId: productGid(101) });
    await addEvent(shop, bob, Date.now() - 30_000, { productId: productGid(101) });
    await addEvent(shop, cy, Date.now() - 30_000, { productId: productGid(102) });
    await requestSegmentEvaluation(shop.id, [ada, bob, cy], "events");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="member-count"]')?.textContent?.trim() === "2",
      undefined,
      { timeout: 20_000 },
    );
    const sample = page.getByTestId("member-sample");
    await sample.getByText("ada@example.com").waitFor();
    await sample.getByText("bob@example.com").waitFor();
    await expect(sample.getByText("cy@example.com").count()).resolves.toBe(0);
    await expect(sample.getByText("Trail Backpack").count()).resolves.toBe(2);
    await page.getByText("Entered").first().waitFor();
    await snap(page, "segment-live-members");

    // Cy is tagged vip: the customer update brings Cy in through the second group.
    await shop.db.customer.update({ where: { id: cy }, data: { tags: ["vip"] } });
    await requestSegmentEvaluation(shop.id, [cy], "customer");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="member-count"]')?.textContent?.trim() === "3",
      undefined,
      { timeout: 20_000 },
    );

    await page.getByRole("link", { name: "Segments", exact: true }).first().click();
    await page.waitForURL(/\/app\/segments\?/);
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Backpack browsers" });
    await row.waitFor();
    const cells = (await row.locator("td").allInnerTexts()).map((t) => t.trim());
    expect(cells[1]).toBe("3");
    await snap(page, "segments-list");
    expect(errors).toEqual([]);
  });

  it("GIVEN a segment WHEN its rules are edited to need two views and it is then deleted THEN members who no longer match leave, the delete dialog names the campaign on it, and the segment is gone with its name free", async () => {
    const shop = await createTestShop();
    await addProduct(shop, productGid(201), { title: "Camp Mug" });
    const ada = await addCustomer(shop, { email: "ada@example.com" });
    const bob = await addCustomer(shop, { email: "bob@example.com" });
    await addEvent(shop, ada, Date.now() - 3_600_000, { productId: productGid(201) });
    await addEvent(shop, ada, Date.now() - 1_800_000, { productId: productGid(201) });
    await addEvent(shop, bob, Date.now() - 1_800_000, { productId: productGid(201) });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url("/app/segments/new"));
    await page.getByLabel("Name").fill("Mug people");
    await page.getByRole("button", { name: "Save segment" }).click();
    await page.waitForURL(SEGMENT_PAGE);
    // A campaign runs on it: the delete dialog names it (the save below reloads the page's data).
    const saved = await shop.db.segment.findFirstOrThrow({ where: { name: "Mug people" } });
    await shop.db.campaign.create({ data: { shopId: shop.id, name: "Mug lovers", status: "ACTIVE", segmentId: saved.id } });
    // Existing customers are counted in by the recompute job.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="member-count"]')?.textContent?.trim() === "2",
      undefined,
      { timeout: 20_000 },
    );

    await page.getByLabel("Number 1.1").fill("2");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Segment saved").waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="member-count"]')?.textContent?.trim() === "1",
      undefined,
      { timeout: 20_000 },
    );
    await page.getByTestId("member-sample").getByText("ada@example.com").waitFor();
    await page.getByText("Left").first().waitFor();

    await page.getByRole("button", { name: "Delete segment" }).first().click();
    await page.getByRole("dialog").getByTestId("dependent").filter({ hasText: "Mug lovers (campaign, active)" }).waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Delete segment" }).click();
    await page.waitForURL(/\/app\/segments\?/);
    await page.getByText('Segment "Mug people" deleted').waitFor();
    await expect(shop.db.segmentMembership.count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });
});
