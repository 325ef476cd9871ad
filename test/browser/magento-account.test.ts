// A Magento merchant's own account in a real browser: sign up, land on the connection settings, work in the admin
// on their own shop only, log out, fail and succeed to log in, and set a new password from a link that arrives
// over real SMTP.
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetSystemMailer } from "../../app/channels/email/mailer.server";
import { prisma } from "../../app/db.server";
import { resetEnvCache } from "../../app/env.server";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, waitVisible } from "../support/browser";
import { createTestShop } from "../support/shops";
import { startSmtpSink, type SmtpSink } from "../support/smtp";

let sink: SmtpSink;
const email = `owner-${randomUUID().slice(0, 8)}@maple.test`;
const password = "maple syrup season";

// Registered before the stack's own beforeAll, so the app server reads SMTP_URL when it starts: the app's own
// mail (password-reset links) goes to a real SMTP server process.
beforeAll(async () => {
  sink = await startSmtpSink();
  process.env.SMTP_URL = sink.url;
  resetEnvCache();
  resetSystemMailer();
});
const admin = adminBrowserForFile();

afterAll(async () => {
  delete process.env.SMTP_URL;
  resetEnvCache();
  resetSystemMailer();
  await sink?.stop();
});

/**
 * Waits for a client-side navigation to land and its data to load. Leaving a page while React is still rendering
 * the one a redirect led to logs "Root did not complete" in the console, which these tests count as an error.
 */
async function arrived(page: Page, url: RegExp) {
  await page.waitForURL(url);
  await page.waitForLoadState("networkidle");
}

/**
 * What the app recorded for a reset request, for the failure message: it tells "the account was not found (or its
 * shop was uninstalled)" from "a link was made, so the mail was handed to SMTP" when no email arrives.
 */
async function resetState(address: string): Promise<string> {
  const account = await prisma.merchantAccount.findUnique({
    where: { email: address },
    select: { id: true, shop: { select: { uninstalledAt: true } } },
  });
  if (!account) return "no account has this address";
  const links = await prisma.merchantToken.count({ where: { accountId: account.id, kind: "PASSWORD_RESET" } });
  return `the account's shop ${account.shop.uninstalledAt ? "is uninstalled" : "is installed"}, ${links} reset link(s) made`;
}

async function waitForMailTo(address: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sink.messages.find((m) => m.to.includes(address));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${address} within ${timeoutMs} ms (the sink got ${sink.messages.length} for others); ${await resetState(address)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Magento merchant account", () => {
  it("GIVEN a new Magento merchant THEN they sign up, see only their shop, log out, and log back in", async () => {
    const other = await createTestShop({ platform: "MAGENTO", name: "Someone Else" });
    await other.db.pool.create({ data: { shopId: other.id, name: "Other shop's pool" } });
    const { page, errors } = await admin.openAdmin(other);
    const app = admin.stack.appUrl;

    // Admin pages without a session (and outside demo mode's ?shop=) are not the way in: the sign-up page is.
    await page.goto(`${app}/magento/signup`);
    // The sign-in pages had no <title>: the tab showed the address.
    await expect(page.title()).resolves.toBe("Promo Codes for Magento: create your account");
    await page.getByLabel("Store name").fill("Maple Outfitters");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await waitVisible(page, page.getByText("Use at least 12 characters"), "the password rule");
    expect(await prisma.merchantAccount.count({ where: { email } })).toBe(0);

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await arrived(page, /\/app\/settings\/magento$/);
    await waitVisible(page, page.getByLabel("Store base URL"), "the Magento connection form");
    await screenshot(page, "magento-account-signed-up");
    const account = await prisma.merchantAccount.findUniqueOrThrow({ where: { email }, include: { shop: true } });
    expect(account.shop).toMatchObject({ platform: "MAGENTO", name: "Maple Outfitters" });

    // The merchant works on their own shop: a pool they create is theirs; the other shop's pool is not listed.
    await page.goto(`${app}/app/pools/new`);
    await page.getByLabel("Name", { exact: true }).fill("Welcome codes");
    await page.getByRole("button", { name: "Create pool" }).click();
    await arrived(page, /\/app\/pools\/[0-9a-f-]{36}/);
    await page.goto(`${app}/app/pools`);
    await waitVisible(page, page.getByRole("link", { name: "Welcome codes" }), "the merchant's pool");
    expect(await page.getByText("Other shop's pool").count()).toBe(0);
    expect(await prisma.pool.count({ where: { shopId: account.shopId, name: "Welcome codes" } })).toBe(1);

    // Log out from the user menu: the session ends, the admin is closed to this browser.
    await page.getByRole("button", { name: email }).click();
    await page.getByText("Log out").click();
    await arrived(page, /\/magento\/login/);
    expect(await prisma.merchantToken.count({ where: { accountId: account.id, kind: "SESSION" } })).toBe(0);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await waitVisible(page, page.getByTestId("login-error"), "the wrong-password message");
    expect(await page.getByTestId("login-error").textContent()).toBe("The email or the password is wrong");

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await arrived(page, /\/app$/);
    await page.goto(`${app}/app/pools`);
    await waitVisible(page, page.getByRole("link", { name: "Welcome codes" }), "the pool after logging back in");

    // Settings > Account changes the password (the forgotten-password test below starts from the new one).
    await page.goto(`${app}/app/settings`);
    await page.getByLabel("Current password").fill("not the password");
    await page.getByLabel("New password", { exact: true }).fill("maple syrup harvest");
    await page.getByLabel("New password again").fill("maple syrup harvest");
    await page.getByRole("button", { name: "Change password" }).click();
    await waitVisible(page, page.getByTestId("password-error"), "the wrong-current-password message");
    await page.getByLabel("Current password").fill(password);
    await page.getByRole("button", { name: "Change password" }).click();
    await waitVisible(page, page.getByText("Password changed: other browsers are signed out"), "the password-changed banner");
    await screenshot(page, "magento-account-settings");
    expect(await page.getByText("Platform: Magento 2").count()).toBe(1);
    expect(await page.getByText("Granted scopes").count()).toBe(0);
    await page.getByRole("link", { name: /Magento connection/ }).click();
    await waitVisible(page, page.getByLabel("Store base URL"), "the Magento connection page, reached from Settings");
    expect(errors).toEqual([]);
  });

  it("GIVEN a forgotten password THEN an emailed link sets a new one once and signs the merchant in", async () => {
    const { page, errors } = await admin.openAdmin(await createTestShop());
    const app = admin.stack.appUrl;
    await page.goto(`${app}/magento/login`);
    await expect(page.title()).resolves.toBe("Log in to Promo Codes for Magento");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    // The log-in page has an Email field too: fill the reset form's only once it is the page shown.
    await arrived(page, /\/magento\/forgot-password$/);
    await expect(page.title()).resolves.toBe("Set a new password · Promo Codes for Magento");
    await page.getByLabel("Email").fill(email.toUpperCase());
    await page.getByRole("button", { name: "Email me a link" }).click();
    await arrived(page, /\/magento\/login\?reset=1/);

    // The stack's worker shares the test database with every other test's shops, and with SMTP_URL set it mails
    // their low-stock alerts here too: look for the message to this merchant.
    const mail = await waitForMailTo(email);
    expect(mail!.to).toEqual([email]);
    expect(mail!.subject).toBe("Promo Codes: set a new password");
    // The text part is quoted-printable: undo soft line breaks and =XX escapes before reading the link.
    const text = mail!.data.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const link = /(http\S+\/magento\/reset-password\?token=[A-Za-z0-9_%-]+)/.exec(text)?.[1];
    expect(link).toBeDefined();

    await page.goto(link!.replace(/^http:\/\/[^/]+/, app));
    await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
    await page.getByLabel("New password again").fill("a brand new passphrase");
    await page.getByRole("button", { name: "Set password and log in" }).click();
    await arrived(page, /\/app$/);
    await screenshot(page, "magento-account-password-reset");

    // The link worked once.
    await page.goto(link!.replace(/^http:\/\/[^/]+/, app));
    await waitVisible(page, page.getByText("This link has expired or was already used."), "the used-link message");
    expect(errors).toEqual([]);
  });
});
