import { describe, expect, it } from "vitest";
import {
  checkProviderUrl,
  emailSettingsFor,
  getChannelViews,
  providerEndpointFor,
  saveEmailChannel,
  saveProviderChannel,
  type EmailChannelInput,
} from "../../../app/services/channels.server";
import { createTestShop } from "../../support/shops";

// Validation and secret handling. Saving against a real SMTP server is in test/integration/messages-email.test.ts.
const EMAIL: EmailChannelInput = {
  enabled: true,
  host: "smtp.example.com",
  port: "587",
  security: "starttls",
  user: "mailer",
  password: "hunter2-secret",
  fromAddress: "offers@shop.example",
  fromName: "Shop",
};

const verifyOk = () => Promise.resolve({ ok: true as const });

describe("channel settings", () => {
  it("GIVEN SMTP settings that log in WHEN saved THEN the password is stored encrypted and never in the view", async () => {
    const shop = await createTestShop();
    const seen: unknown[] = [];
    const result = await saveEmailChannel(shop.db, shop.id, EMAIL, {
      verify: (settings) => {
        seen.push(settings);
        return verifyOk();
      },
    });
    expect(result.type).toBe("saved");
    expect(seen).toEqual([{ host: "smtp.example.com", port: 587, secure: false, user: "mailer", password: "hunter2-secret", fromAddress: "offers@shop.example", fromName: "Shop" }]);
    const row = await shop.db.channelSettings.findFirstOrThrow({ where: { channel: "EMAIL" } });
    expect(row.secretEncrypted).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain("hunter2");
    const views = await getChannelViews(shop.db);
    expect(JSON.stringify(views)).not.toContain("hunter2");
    expect(views.email).toMatchObject({ passwordSet: true, enabled: true, config: { host: "smtp.example.com", user: "mailer" } });
    expect(views.email?.verifiedAt).toBeInstanceOf(Date);
    await expect(emailSettingsFor(shop.db, shop.id)).resolves.toEqual({ type: "shop", settings: seen[0] });
  });

  it("GIVEN a saved password WHEN saved again with the field empty THEN the stored one is kept and used for the test", async () => {
    const shop = await createTestShop();
    await saveEmailChannel(shop.db, shop.id, EMAIL, { verify: verifyOk });
    let tried: string | null = null;
    await saveEmailChannel(shop.db, shop.id, { ...EMAIL, password: "", fromName: "New" }, {
      verify: (s) => {
        tried = s.password;
        return verifyOk();
      },
    });
    expect(tried).toBe("hunter2-secret");
    await expect(emailSettingsFor(shop.db, shop.id)).resolves.toMatchObject({ settings: { password: "hunter2-secret", fromName: "New" } });
  });

  it("GIVEN a server that refuses the login WHEN saved THEN nothing is stored and the reason is shown", async () => {
    const shop = await createTestShop();
    const result = await saveEmailChannel(shop.db, shop.id, EMAIL, { verify: () => Promise.resolve({ ok: false, message: "535 Authentication failed" }) });
    expect(result).toEqual({ type: "connection_failed", message: "The SMTP server did not accept the connection: 535 Authentication failed" });
    expect(await shop.db.channelSettings.count()).toBe(0);
  });

  it("GIVEN malformed SMTP settings WHEN saved THEN each field says what is wrong and the server is not contacted", async () => {
    const shop = await createTestShop();
    const result = await saveEmailChannel(
      shop.db,
      shop.id,
      { ...EMAIL, host: "smtp example", port: "70000", security: "ssl3", password: "", fromAddress: "not-an-address" },
      { verify: () => Promise.reject(new Error("must not be called")) },
    );
    expect(result).toEqual({
      type: "invalid",
      errors: {
        host: "A host name has letters, digits, dots and dashes, like smtp.example.com",
        port: "A port is a number from 1 to 65535 (usually 587 or 465)",
        security: "Choose how the connection is encrypted",
        password: "Enter the password for this user",
        fromAddress: "Enter the address your emails come from, like offers@your-store.com",
      },
    });
  });

  it.each(["127.0.0.1", "10.0.0.5", "::ffff:192.168.1.1", "mail.internal", "localhost"])(
    "GIVEN the SMTP host %s in production WHEN saved THEN it is refused and not contacted; outside production a local server is allowed",
    async (host) => {
      const shop = await createTestShop();
      const refused = await saveEmailChannel(shop.db, shop.id, { ...EMAIL, host }, { allowLocal: false, verify: () => Promise.reject(new Error("must not be called")) });
      expect(refused).toEqual({ type: "invalid", errors: { host: expect.stringContaining("not a local or private address") } });
      const local = await saveEmailChannel(shop.db, shop.id, { ...EMAIL, host }, { allowLocal: true, verify: verifyOk });
      expect(local.type).not.toBe("invalid");
    },
  );

  it("GIVEN email turned off WHEN the job asks for settings THEN there are none, with the reason", async () => {
    const shop = await createTestShop();
    await saveEmailChannel(shop.db, shop.id, { ...EMAIL, enabled: false }, { verify: () => Promise.reject(new Error("not when off")) });
    await expect(emailSettingsFor(shop.db, shop.id)).resolves.toEqual({ type: "none", reason: "Email is turned off in this shop's message settings" });
  });

  it("GIVEN a provider with no secret given WHEN saved THEN one is generated, shown once, and the next save keeps it", async () => {
    const shop = await createTestShop();
    const first = await saveProviderChannel(shop.db, shop.id, "SMS", { enabled: true, url: "https://sms.example.com/hook", secret: "" }, { allowLocal: false });
    if (first.type !== "saved") throw new Error(JSON.stringify(first));
    expect(first.generatedSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.view).toMatchObject({ secretSet: true, config: { url: "https://sms.example.com/hook" } });
    const second = await saveProviderChannel(shop.db, shop.id, "SMS", { enabled: true, url: "https://sms.example.com/v2", secret: "" }, { allowLocal: false });
    expect(second).toMatchObject({ type: "saved", generatedSecret: null });
    await expect(providerEndpointFor(shop.db, shop.id, "SMS")).resolves.toEqual({
      type: "ready",
      endpoint: { url: "https://sms.example.com/v2", secret: first.generatedSecret },
    });
    // Another shop cannot decrypt this shop's secret even with the row copied over.
    const other = await createTestShop();
    const row = await shop.db.channelSettings.findFirstOrThrow({ where: { channel: "SMS" } });
    await other.db.channelSettings.create({ data: { shopId: other.id, channel: "SMS", config: row.config ?? {}, secretEncrypted: row.secretEncrypted } });
    await expect(providerEndpointFor(other.db, other.id, "SMS")).resolves.toMatchObject({ type: "unavailable" });
  });

  it.each([
    ["", "Enter the address"],
    ["sms.example.com", "This is not a web address"],
    ["http://sms.example.com/hook", "Use an https:// address"],
    ["https://user:pw@sms.example.com/", "Leave user names and passwords out"],
    ["https://127.0.0.1/hook", "not a local or private address"],
    ["https://10.1.2.3/hook", "not a local or private address"],
    ["https://relay.internal/hook", "not a local or private address"],
  ])("GIVEN the provider URL %j in production WHEN checked THEN it is refused: %s", (url, message) => {
    const result = checkProviderUrl(url, false);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it.each(["https://[::ffff:127.0.0.1]/hook", "https://[::ffff:169.254.169.254]/hook", "https://[::127.0.0.1]/hook", "https://[64:ff9b::127.0.0.1]/hook", "https://[2002:a9fe:a9fe::]/hook"])(
    "GIVEN the provider URL %s, an IPv6 form of a private IPv4 address, in production WHEN checked THEN it is refused",
    (url) => {
      expect(checkProviderUrl(url, false)).toMatchObject({ ok: false, error: expect.stringContaining("not a local or private address") });
    },
  );

  it("GIVEN a local relay outside production WHEN checked THEN http on loopback is allowed", () => {
    expect(checkProviderUrl("http://127.0.0.1:8080/hook", true)).toEqual({ ok: true, url: "http://127.0.0.1:8080/hook" });
  });
});
