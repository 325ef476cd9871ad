// Message templates and channel settings in Chromium: writing a template with its live preview, the save error for
// an unknown placeholder next to the field, and SMTP settings tested against a real SMTP server process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminBrowserForFile } from "../support/browser-stack";
import { openHydrated, screenshot, waitVisible } from "../support/browser";
import { createPoolWithCodes } from "../support/pools";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { createTestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1400, height: 1000 } });
const openAdmin = admin.openAdmin;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});

afterAll(async () => {
  await sink?.stop();
});

describe("Message templates in Chromium", () => {
  it("GIVEN a shop with a pool and a customer WHEN the merchant writes a template THEN the preview renders it as the customer would get it, and it saves", async () => {
    const shop = await createTestShop({ name: "Maple Goods" });
    await createPoolWithCodes(shop, ["REAL-1"], { name: "Autumn" });
    await shop.db.customer.create({ data: { shopId: shop.id, platformId: "gid://shopify/Customer/1", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" } });
    const { page, errors, url } = await openAdmin(shop);
    await openHydrated(page, url("/app/templates"));
    await page.getByText("No message templates yet").waitFor();
    await page.getByRole("link", { name: "Create template" }).first().click();
    await page.waitForURL(/\/app\/templates\/new\?/);
    await page.waitForLoadState("networkidle");

    await page.getByLabel("Name").fill("Autumn offer");
    await page.getByLabel("Subject").fill("{{firstName}}, a gift from {{shopName}}");
    await page.getByLabel("Body (HTML or plain text)").fill("<h1>Hello {{userName}}</h1>\n<p>Your code: <b>{{client.promocode('Autumn')}}</b></p>");
    await page.getByTestId("preview-subject").filter({ hasText: "Ada, a gift from Maple Goods" }).waitFor();
    const frame = page.frameLocator('[data-testid="preview-frame"]');
    await frame.getByText("Hello Ada Lovelace").waitFor();
    await expect(frame.getByText("AUTUMN-SAMPLE").count()).resolves.toBe(1);
    await screenshot(page, "template-preview");

    await page.getByRole("button", { name: "Save template" }).click();
    await page.waitForURL(/\/app\/templates\/[0-9a-f-]{36}\?/);
    await page.getByText("Template created").waitFor();
    const saved = await shop.db.messageTemplate.findFirstOrThrow();
    expect(saved).toMatchObject({ name: "Autumn offer", channel: "EMAIL", needs: { initialPools: ["Autumn"], runCode: false } });
    // The preview issued nothing.
    await expect(shop.db.code.findFirstOrThrow({ where: { code: "REAL-1" } })).resolves.toMatchObject({ status: "AVAILABLE" });

    // The page's back link to the list.
    await page.getByRole("link", { name: "Templates", exact: true }).first().click();
    await page.waitForURL(/\/app\/templates\?/);
    const row = page.getByRole("row").filter({ hasText: "Autumn offer" });
    await waitVisible(page, row, "The saved template's row in the list");
    await expect(row.getByText("Email").count()).resolves.toBe(1);
    expect(errors).toEqual([]);
  });

  it("GIVEN an unknown placeholder WHEN the template is saved THEN the error shows next to the body with its line and column, and nothing is stored", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await openAdmin(shop);
    await openHydrated(page, url("/app/templates/new"));
    await page.getByLabel("Name").fill("Typo");
    await page.getByLabel("Channel").selectOption("SMS");
    await page.getByLabel("Text", { exact: true }).fill("Hi {{firstName}},\nuse {{promoKode}} and {{client.promocode('Nope')}}");
    await page.getByRole("button", { name: "Save template" }).click();
    await page.getByText("Line 2, column 5: Unknown placeholder {{promoKode}}").first().waitFor();
    // The preview names what stops it, under the field's own label, not only "fix the template".
    const problems = page.getByTestId("preview-problem");
    await problems.filter({ hasText: "Text: Line 2, column 5: Unknown placeholder {{promoKode}}" }).waitFor();
    await problems.filter({ hasText: 'There is no pool named "Nope"' }).waitFor();
    await screenshot(page, "template-save-error");
    expect(page.url()).toMatch(/\/app\/templates\/new\?/);
    await expect(shop.db.messageTemplate.count()).resolves.toBe(0);

    // Fixed, the preview shows the SMS text and the template saves.
    await page.getByLabel("Text", { exact: true }).fill("Hi {{firstName}}, use {{promoCode}}");
    await page.getByTestId("preview-text").filter({ hasText: "Hi Jane, use SAMPLE-CODE" }).waitFor();
    await page.getByRole("button", { name: "Save template" }).click();
    await page.waitForURL(/\/app\/templates\/[0-9a-f-]{36}\?/);
    await expect(shop.db.messageTemplate.findFirstOrThrow()).resolves.toMatchObject({ channel: "SMS", subject: null, body: "Hi {{firstName}}, use {{promoCode}}" });
    expect(errors).toEqual([]);
  });

  it("GIVEN the message settings WHEN SMTP settings are saved THEN they are tested against the server, and a dead server is refused with its reason", async () => {
    const shop = await createTestShop();
    const { page, errors, url } = await openAdmin(shop);
    await openHydrated(page, url("/app/settings/channels"));
    await page.getByLabel("SMTP host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("1");
    await page.getByLabel("From address").fill("offers@maple.example");
    await page.getByRole("button", { name: "Save and test" }).click();
    await page.getByTestId("smtp-error").waitFor();
    await expect(shop.db.channelSettings.count()).resolves.toBe(0);

    await page.getByLabel("Port").fill(String(sink.port));
    await page.getByRole("button", { name: "Save and test" }).click();
    await page.getByText("Connected: the server accepted the login. Settings saved.").waitFor();
    await expect(shop.db.channelSettings.findFirstOrThrow({ where: { channel: "EMAIL" } })).resolves.toMatchObject({ config: { port: sink.port } });

    // A provider secret left empty is generated and shown once.
    const sms = page.locator(".Polaris-Layout__AnnotatedSection", { hasText: "Text messages go to your SMS provider" });
    // Not set up: the ticked box alone must not read as "SMS is on".
    await sms.getByText("Not set up yet: SMS messages are not sent until a provider is saved here.").waitFor();
    await sms.getByLabel("Provider URL").fill("http://127.0.0.1:9/sms");
    await sms.getByRole("button", { name: "Save" }).click();
    const secret = (await page.getByTestId("sms-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await screenshot(page, "settings-messages");
    await page.reload({ waitUntil: "networkidle" });
    await expect(page.getByTestId("sms-secret").count()).resolves.toBe(0);
    await expect(sms.getByText("Not set up yet").count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(errors).toEqual([]);
  });
});
