// Unsaved edits in the admin's forms, in Chromium. Standing alone: Polaris' save bar while a form differs from what
// was loaded, a modal before a link inside the app drops the edits, the browser's own question before the tab
// reloads; Save saves, Discard puts the loaded values back, and a save that redirects is not held. Embedded:
// App Bridge's save bar and leave confirmation instead (App Bridge is stubbed: the tests have no network to
// Shopify's CDN).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { adminBrowserForFile } from "../support/browser-stack";
import { openHydrated, screenshot, waitVisible } from "../support/browser";
import { createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1400, height: 1000 } });

const BODY = "<p>Hi {{firstName}}, here is {{promoCode}}</p>";

async function seedTemplate(shop: TestShop, name = "Welcome") {
  return shop.db.messageTemplate.create({ data: { shopId: shop.id, name, channel: "EMAIL", subject: "A gift", body: BODY } });
}

/**
 * Polaris' contextual save bar, drawn by the Frame above the page, while it shows (once hidden, its content can stay
 * in the page, faded out and letting clicks through, until its transition ends).
 */
const saveBar = (page: Page) => page.locator(".Polaris-Frame__ContextualSaveBar.Polaris-Frame-CSSAnimation--endFade");
const leaveModal = (page: Page) => page.getByRole("dialog").filter({ hasText: "Leave page with unsaved changes?" });
/** A link of the admin's own navigation (the side bar standing alone). */
const navLink = (page: Page, label: string) => page.locator(".Polaris-Navigation").getByRole("link", { name: label, exact: true });

/** The page settles: a bar or modal that is going to show has shown by then. */
async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(300);
}

describe("Unsaved changes standing alone", () => {
  it("GIVEN an edited template WHEN a navigation link is clicked THEN a modal asks first: Stay keeps the edit, Leave page goes", async () => {
    const shop = await createTestShop();
    const template = await seedTemplate(shop);
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/templates/${template.id}`));
    await expect(saveBar(page).count()).resolves.toBe(0);

    await page.getByLabel("Name").fill("Welcome back");
    await waitVisible(page, saveBar(page).getByText("Unsaved changes"), "the save bar after an edit");
    await screenshot(page, "unsaved-save-bar");

    await navLink(page, "Pools").click();
    const modal = leaveModal(page);
    await waitVisible(page, modal, "the leave prompt");
    await modal.getByText("Leaving this page will delete all unsaved changes.").waitFor();
    await screenshot(page, "unsaved-leave-prompt");
    await modal.getByRole("button", { name: "Stay" }).click();
    await modal.waitFor({ state: "hidden" });
    expect(page.url()).toContain(`/app/templates/${template.id}?`);
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Welcome back");
    await saveBar(page).getByText("Unsaved changes").waitFor();

    // The page's own back link (below the bar, not under it) is held the same way.
    await page.locator(".Polaris-Page").getByRole("link", { name: "Templates", exact: true }).click();
    await waitVisible(page, leaveModal(page), "the leave prompt for the back link");
    await leaveModal(page).getByRole("button", { name: "Leave page" }).click();
    await page.waitForURL(/\/app\/templates\?/);
    await page.getByRole("row").filter({ hasText: "Welcome" }).waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    // Nothing was saved.
    await expect(shop.db.messageTemplate.findUniqueOrThrow({ where: { id: template.id } })).resolves.toMatchObject({ name: "Welcome" });
    expect(errors).toEqual([]);
  });

  it("GIVEN an edited template WHEN Discard is clicked on the save bar THEN the loaded values come back and the page leaves freely", async () => {
    const shop = await createTestShop();
    const template = await seedTemplate(shop);
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/templates/${template.id}`));
    await page.getByLabel("Name").fill("Something else");
    await page.getByLabel("Channel").selectOption("SMS");
    await page.getByLabel("Text", { exact: true }).fill("Short text");
    await saveBar(page).getByRole("button", { name: "Discard" }).click();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Welcome");
    await expect(page.getByLabel("Channel").inputValue()).resolves.toBe("EMAIL");
    await expect(page.getByLabel("Subject").inputValue()).resolves.toBe("A gift");
    await expect(page.getByLabel("Body (HTML or plain text)").inputValue()).resolves.toBe(BODY);

    await navLink(page, "Pools").click();
    await page.waitForURL(/\/app\/pools\?/);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN an edited template WHEN Save is clicked on the save bar THEN it is saved, the bar goes, and the saved values are the new baseline", async () => {
    const shop = await createTestShop();
    const template = await seedTemplate(shop);
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/templates/${template.id}`));
    await page.getByLabel("Subject").fill("A gift for {{firstName}}");
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.getByText("Template saved").waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(shop.db.messageTemplate.findUniqueOrThrow({ where: { id: template.id } })).resolves.toMatchObject({ subject: "A gift for {{firstName}}" });

    // Typing back the old subject is now a change; the saved one again is none.
    await page.getByLabel("Subject").fill("A gift");
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await page.getByLabel("Subject").fill("A gift for {{firstName}}");
    await saveBar(page).waitFor({ state: "detached" });

    // A failed save keeps the edit unsaved.
    await page.getByLabel("Subject").fill("A gift for {{nobody}}");
    await page.getByRole("button", { name: "Save template" }).click();
    await page.getByText("Unknown placeholder {{nobody}}").first().waitFor();
    await settle(page);
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await navLink(page, "Pools").click();
    await waitVisible(page, leaveModal(page), "the leave prompt after a failed save");
    await leaveModal(page).getByRole("button", { name: "Stay" }).click();

    await page.getByLabel("Subject").fill("A gift for {{firstName}}");
    await saveBar(page).waitFor({ state: "detached" });
    await navLink(page, "Pools").click();
    await page.waitForURL(/\/app\/pools\?/);
    expect(errors).toEqual([]);
  });

  it("GIVEN a template WHEN a field is changed and typed back THEN no save bar shows and nothing asks before leaving", async () => {
    const shop = await createTestShop();
    const template = await seedTemplate(shop);
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/templates/${template.id}`));
    const name = page.getByLabel("Name");
    await name.pressSequentially("!!");
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await name.press("Backspace");
    await name.press("Backspace");
    await expect(name.inputValue()).resolves.toBe("Welcome");
    await saveBar(page).waitFor({ state: "detached" });
    await settle(page);
    await expect(saveBar(page).count()).resolves.toBe(0);
    await navLink(page, "Pools").click();
    await page.waitForURL(/\/app\/pools\?/);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN a new template WHEN it is created THEN its redirect is not held; a refused one stays unsaved", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/templates/new"));
    // The empty form is the baseline: nothing to lose yet.
    await settle(page);
    await expect(saveBar(page).count()).resolves.toBe(0);

    await page.getByLabel("Name").fill("Launch");
    await page.getByLabel("Body (HTML or plain text)").fill("Hello {{promoKode}}");
    await page.getByRole("button", { name: "Save template" }).click();
    await page.getByText("Unknown placeholder {{promoKode}}").first().waitFor();
    await settle(page);
    expect(page.url()).toMatch(/\/app\/templates\/new\?/);
    await saveBar(page).getByText("Unsaved changes").waitFor();

    await page.getByLabel("Body (HTML or plain text)").fill("Hello {{promoCode}}");
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/app\/templates\/[0-9a-f-]{36}\?/);
    await page.getByText("Template created").waitFor();
    await settle(page);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    await expect(saveBar(page).count()).resolves.toBe(0);
    await expect(shop.db.messageTemplate.findFirstOrThrow()).resolves.toMatchObject({ name: "Launch", body: "Hello {{promoCode}}" });
    expect(errors).toEqual([]);
  });

  it("GIVEN edited pool settings WHEN the tab reloads THEN the browser asks first; Save on the bar saves them and the reload goes through", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["A-1"], { name: "Spring" });
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url(`/app/pools/${pool.id}`));
    await page.getByLabel("Low-stock alert").fill("5");
    await saveBar(page).getByText("Unsaved changes").waitFor();

    const asked: string[] = [];
    page.on("dialog", (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    // Dismissed, the reload does not happen.
    await page.reload({ timeout: 3_000 }).catch(() => undefined);
    expect(asked).toEqual(["beforeunload"]);
    await expect(page.getByLabel("Low-stock alert").inputValue()).resolves.toBe("5");

    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.getByText("Settings saved").waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(shop.db.pool.findUniqueOrThrow({ where: { id: pool.id } })).resolves.toMatchObject({ lowStockThreshold: 5 });
    await openHydrated(page, url(`/app/pools/${pool.id}`));
    await expect(page.getByLabel("Low-stock alert").inputValue()).resolves.toBe("5");
    expect(asked).toEqual(["beforeunload"]);
    expect(errors).toEqual([]);
  });

  it("GIVEN a new campaign being written WHEN the merchant leaves THEN the modal asks; Discard empties the form; a saved campaign lands on its page unasked", async () => {
    const shop = await createTestShop();
    const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: "Hat fans", rules: {}, memberCount: 0 } });
    await createPoolWithCodes(shop, ["HAT-1"], { name: "Hat codes" });
    await seedTemplate(shop, "Hat email");
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/campaigns/new"));

    await page.getByLabel("Name").fill("Hat lovers");
    await page.getByRole("button", { name: "Remove action 2" }).click();
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await navLink(page, "Segments").click();
    await waitVisible(page, leaveModal(page), "the leave prompt on the campaign form");
    await leaveModal(page).getByRole("button", { name: "Stay" }).click();
    expect(page.url()).toMatch(/\/app\/campaigns\/new\?/);

    await saveBar(page).getByRole("button", { name: "Discard" }).click();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("");
    await expect(page.getByLabel("Message template").count()).resolves.toBe(1);

    await page.getByLabel("Name").fill("Hat lovers");
    await page.getByLabel("Runs when a customer enters").selectOption({ label: "Hat fans (0 members)" });
    await page.getByLabel("Pool").selectOption({ label: "Hat codes" });
    await page.getByLabel("Message template").selectOption({ label: "Hat email (email)" });
    await page.getByRole("button", { name: "Save campaign" }).click();
    await page.waitForURL(/\/app\/campaigns\/[0-9a-f-]{36}\?/);
    await settle(page);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    const campaign = await shop.db.campaign.findFirstOrThrow();
    expect(campaign).toMatchObject({ name: "Hat lovers", segmentId: segment.id });

    // Its edit form: the tags typed with other spacing are the same tags.
    await openHydrated(page, url(`/app/campaigns/${campaign.id}/edit`));
    await page.getByLabel("Name").fill("Hat lovers, again");
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await page.locator(".Polaris-Page").getByRole("link", { name: "Campaign", exact: true }).click();
    await waitVisible(page, leaveModal(page), "the leave prompt on the campaign edit form");
    await leaveModal(page).getByRole("button", { name: "Leave page" }).click();
    await page.waitForURL(new RegExp(`/app/campaigns/${campaign.id}\\?`));
    await expect(shop.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ name: "Hat lovers" });
    expect(errors).toEqual([]);
  });

  it("GIVEN an edited segment WHEN it is saved from the bar THEN it is stored and the page is clean; its rules are held like its name", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/segments/new"));
    await page.getByLabel("Name").fill("Browsers");
    await page.getByRole("button", { name: "Save segment" }).click();
    await page.waitForURL(/\/app\/segments\/[0-9a-f-]{36}\?/);
    await settle(page);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    const segment = await shop.db.segment.findFirstOrThrow();

    // A name alone (no new version of the rules) is saved and becomes the baseline too.
    await page.getByLabel("Name").fill("Window shoppers");
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.getByText("Segment saved.").waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(shop.db.segment.findUniqueOrThrow({ where: { id: segment.id } })).resolves.toMatchObject({ name: "Window shoppers" });

    await page.getByRole("button", { name: "Add group" }).click();
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await navLink(page, "Pools").click();
    await waitVisible(page, leaveModal(page), "the leave prompt on the segment form");
    await leaveModal(page).getByRole("button", { name: "Leave page" }).click();
    await page.waitForURL(/\/app\/pools\?/);
    expect(errors).toEqual([]);
  });

  it("GIVEN a scenario just created WHEN its delay is changed and saved from the bar THEN it is stored, and Discard brings back the saved value after that", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["TY-1"], { name: "Thank-you codes" });
    await seedTemplate(shop, "Thank-you email");
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/scenarios/new"));
    await page.getByLabel("Name", { exact: true }).fill("Thank-you code");
    await page.getByLabel("Step 1: pool", { exact: true }).selectOption({ label: "Thank-you codes (static)" });
    await page.getByLabel("Step 2: message template", { exact: true }).selectOption({ label: "Thank-you email (email)" });
    await saveBar(page).getByText("Unsaved changes").waitFor();
    await page.getByRole("button", { name: "Create scenario" }).click();
    await page.waitForURL(/\/app\/scenarios\/[0-9a-f-]{36}\?/);
    await settle(page);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    await expect(saveBar(page).count()).resolves.toBe(0);

    const delay = page.getByLabel("Delay", { exact: true });
    await delay.fill("2");
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.getByText("Scenario saved").waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    await delay.fill("5");
    await saveBar(page).getByRole("button", { name: "Discard" }).click();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(delay.inputValue()).resolves.toBe("2");
    await openHydrated(page, page.url());
    await expect(page.getByLabel("Delay", { exact: true }).inputValue()).resolves.toBe("2");
    expect(errors).toEqual([]);
  });

  it("GIVEN the SMS and push providers both edited on Messages WHEN Save is clicked on the one save bar THEN both are saved", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/settings/channels"));
    const section = (text: string) => page.locator(".Polaris-Layout__AnnotatedSection", { hasText: text });
    await section("Text messages go to your SMS provider").getByLabel("Provider URL").fill("http://127.0.0.1:9/sms");
    await section("Push notifications go to your push provider").getByLabel("Provider URL").fill("http://127.0.0.1:9/push");
    await expect(saveBar(page).count()).resolves.toBe(1);
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(page.getByText("Settings saved").count()).resolves.toBe(2);
    const saved = await shop.db.channelSettings.findMany();
    expect(saved.map((c) => [c.channel, (c.config as { url: string }).url]).sort()).toEqual([
      ["PUSH", "http://127.0.0.1:9/push"],
      ["SMS", "http://127.0.0.1:9/sms"],
    ]);
    // Saved, the page leaves without asking.
    await navLink(page, "Settings").click();
    await page.waitForURL(/\/app\/settings\?/);
    expect(errors).toEqual([]);
  });

  it("GIVEN an API key name typed in Settings WHEN Save is clicked on the bar THEN the key is created (a plain form post, not a fetcher) and the page is clean", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await admin.openAdmin(shop);
    await openHydrated(page, url("/app/settings"));
    await page.getByLabel("New key name").fill("ERP sync");
    await navLink(page, "Pools").click();
    await waitVisible(page, leaveModal(page), "the leave prompt in Settings");
    await leaveModal(page).getByRole("button", { name: "Stay" }).click();
    await saveBar(page).getByRole("button", { name: "Save" }).click();
    await page.getByTestId("new-api-key").waitFor();
    await saveBar(page).waitFor({ state: "detached" });
    await expect(shop.db.apiKey.count()).resolves.toBe(1);
    await navLink(page, "Pools").click();
    await page.waitForURL(/\/app\/pools\?/);
    expect(errors).toEqual([]);
  });
});

/** Stands in for App Bridge's script from Shopify's CDN: its save bar element and its leave confirmation. */
const APP_BRIDGE_STUB = `
window.__leaveConfirmations = 0;
customElements.define("ui-save-bar", class extends HTMLElement {
  get showing() { return this.hasAttribute("data-showing"); }
  async show() { this.setAttribute("data-showing", ""); }
  async hide() { this.removeAttribute("data-showing"); }
  async toggle() { return this.showing ? this.hide() : this.show(); }
});
window.shopify = { saveBar: { leaveConfirmation() {
  window.__leaveConfirmations += 1;
  return new Promise((resolve) => { window.__leave = resolve; });
} } };
`;

describe("Unsaved changes embedded in Shopify", () => {
  it("GIVEN App Bridge WHEN a template is edited THEN App Bridge's save bar shows instead of Polaris', its buttons save and discard, and leaving goes through App Bridge's confirmation", async () => {
    const shop = await createTestShop();
    const template = await seedTemplate(shop);
    const { page, errors, url } = await admin.openAdmin(shop);
    await page.context().route("https://cdn.shopify.com/shopifycloud/app-bridge.js", (route) =>
      route.fulfill({ status: 200, contentType: "text/javascript", body: APP_BRIDGE_STUB }),
    );
    await openHydrated(page, url(`/app/templates/${template.id}?embedded=1`));
    const bar = page.locator("ui-save-bar#unsaved-changes");
    await bar.waitFor({ state: "attached" });
    await expect(bar.getAttribute("data-showing")).resolves.toBeNull();

    await page.getByLabel("Name").fill("Welcome back");
    await expect.poll(() => bar.getAttribute("data-showing")).toBe("");
    await expect(page.locator(".Polaris-Frame__ContextualSaveBar").count()).resolves.toBe(0);
    await expect(bar.locator("button[variant=primary]").textContent()).resolves.toBe("Save");

    // Discard, as App Bridge clicks it from the admin's bar.
    await bar.getByRole("button", { name: "Discard" }).dispatchEvent("click");
    await expect.poll(() => bar.getAttribute("data-showing")).toBeNull();
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Welcome");

    // Save.
    await page.getByLabel("Name").fill("Welcome back");
    await expect.poll(() => bar.getAttribute("data-showing")).toBe("");
    await bar.getByRole("button", { name: "Save" }).dispatchEvent("click");
    await page.getByText("Template saved").waitFor();
    await expect.poll(() => bar.getAttribute("data-showing")).toBeNull();
    await expect(shop.db.messageTemplate.findUniqueOrThrow({ where: { id: template.id } })).resolves.toMatchObject({ name: "Welcome back" });

    // A link inside the app asks App Bridge; staying keeps the page, confirming leaves.
    await page.getByLabel("Name").fill("Welcome back, friend");
    await expect.poll(() => bar.getAttribute("data-showing")).toBe("");
    await page.getByRole("link", { name: "Templates", exact: true }).first().click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __leaveConfirmations: number }).__leaveConfirmations)).toBe(1);
    await settle(page);
    expect(page.url()).toContain(`/app/templates/${template.id}?`);
    await expect(leaveModal(page).count()).resolves.toBe(0);
    await page.evaluate(() => (window as unknown as { __leave: () => void }).__leave());
    await page.waitForURL(/\/app\/templates\?/);
    await expect.poll(() => bar.getAttribute("data-showing")).toBeNull();
    expect(errors).toEqual([]);
  });
});
