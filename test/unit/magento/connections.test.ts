import { describe, expect, it } from "vitest";
import { PermanentPlatformError } from "../../../app/platforms/errors";
import { platformFor } from "../../../app/platforms/index.server";
import { MagentoPlatform } from "../../../app/platforms/magento/adapter.server";
import {
  connectedMagentoShopIds,
  eventsSecretOf,
  getMagentoConnectionView,
  normaliseBaseUrl,
  rotateEventsSecret,
  saveMagentoConnection,
  type MagentoConnectionInput,
} from "../../../app/services/platform-connections.server";
import { createTestShop } from "../../support/shops";
import { createMagentoShop, FAST, magento } from "./helpers";

const input = (shop: { baseUrl: string; token: string }, overrides: Partial<MagentoConnectionInput> = {}): MagentoConnectionInput => ({
  baseUrl: shop.baseUrl,
  storeCode: "default",
  token: shop.token,
  websiteIds: "1",
  customerGroupIds: "0, 1",
  ...overrides,
});

describe("Magento connection settings", () => {
  it("GIVEN valid settings WHEN saved THEN they are tested with real calls, stored with the token encrypted, and the events secret is shown once", async () => {
    const shop = await createMagentoShop({ connect: false });
    const saved = await saveMagentoConnection(shop.db, shop.id, input(shop, { baseUrl: `${shop.baseUrl}/`, websiteIds: "1, 1, 2" }));
    if (saved.type !== "saved") throw new Error(JSON.stringify(saved));
    expect(saved.store).toMatchObject({ name: "Maple Outfitters", currencyCode: "EUR" });
    expect(saved.eventsSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(saved.connection).toMatchObject({ baseUrl: shop.baseUrl, storeCode: "default", tokenSet: true, eventsSecretSet: true, websiteIds: [1, 2], customerGroupIds: [0, 1], lastError: null });

    const row = await shop.db.platformConnection.findFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(shop.token);
    expect(JSON.stringify(row)).not.toContain(saved.eventsSecret);
    expect(row.tokenEncrypted).toMatch(/^v1:/);
    expect(await eventsSecretOf(shop.db, shop.id)).toBe(saved.eventsSecret);
    // The view a page gets says "set", never the values.
    expect(JSON.stringify(await getMagentoConnectionView(shop.db))).not.toContain(shop.token);

    // Saving again keeps the secret (not shown again) and, with an empty token field, the token.
    const again = await saveMagentoConnection(shop.db, shop.id, input(shop, { token: "", customerGroupIds: "1" }));
    expect(again).toMatchObject({ type: "saved", eventsSecret: null, connection: { customerGroupIds: [1] } });
    expect(await eventsSecretOf(shop.db, shop.id)).toBe(saved.eventsSecret);
  });

  it("GIVEN a token Magento refuses THEN nothing is stored and the merchant is told about the 2.4.4 bearer-token setting", async () => {
    const shop = await createMagentoShop({ connect: false, registration: { bearerIntegrationTokens: false } });
    const result = await saveMagentoConnection(shop.db, shop.id, input(shop));
    expect(result).toMatchObject({ type: "connection_failed", message: expect.stringMatching(/HTTP 401/) });
    expect((result as { hint: string }).hint).toMatch(/Allow OAuth Access Tokens to be used as standalone Bearer tokens/);
    expect(await shop.db.platformConnection.count()).toBe(0);

    magento().setBearerIntegrationTokens(shop.baseUrl, true);
    expect((await saveMagentoConnection(shop.db, shop.id, input(shop))).type).toBe("saved");
  });

  it("GIVEN a store that is down or an unknown store code THEN the test fails with what to check, and nothing is stored", async () => {
    const shop = await createMagentoShop({ connect: false });
    magento().injectFault(shop.baseUrl, { kind: "status", status: 503 }, { times: 4 });
    const down = await saveMagentoConnection(shop.db, shop.id, input(shop), { clientOptions: FAST });
    expect(down).toMatchObject({ type: "connection_failed", hint: expect.stringMatching(/did not answer/) });
    const wrongCode = await saveMagentoConnection(shop.db, shop.id, input(shop, { storeCode: "fr" }), { clientOptions: FAST });
    expect(wrongCode).toMatchObject({ type: "connection_failed", hint: expect.stringMatching(/store code/) });
    expect(await shop.db.platformConnection.count()).toBe(0);
  });

  it("GIVEN an integration without access to orders THEN it saves with a warning that orders will not sync", async () => {
    const shop = await createMagentoShop({ connect: false, registration: { resources: ["Magento_SalesRule::quote", "Magento_Backend::store"] } });
    const saved = await saveMagentoConnection(shop.db, shop.id, input(shop));
    expect(saved).toMatchObject({ type: "saved", warnings: [expect.stringMatching(/cannot read orders/)] });
  });

  it("refuses bad input field by field without calling the store", async () => {
    const shop = await createMagentoShop({ connect: false });
    const before = magento().requestLog.length;
    const result = await saveMagentoConnection(shop.db, shop.id, { baseUrl: "http://shop.example.com", storeCode: "de-DE", token: "", websiteIds: "one", customerGroupIds: "" });
    expect(result).toEqual({
      type: "invalid",
      errors: {
        baseUrl: "Use an https:// address: the access token must not travel unencrypted",
        storeCode: "A store code has letters, digits and underscores, like default",
        token: "Paste the integration's access token",
        websiteIds: "Website ids are numbers separated by commas",
        customerGroupIds: "Enter at least one customer group id",
      },
    });
    expect(magento().requestLog.length).toBe(before);
  });

  it("normalises the base URL and refuses addresses the app must not call", () => {
    expect(normaliseBaseUrl(" https://shop.example.com/magento/ ")).toEqual({ ok: true, url: "https://shop.example.com/magento" });
    expect(normaliseBaseUrl("https://shop.example.com/rest/V1")).toMatchObject({ ok: false, error: expect.stringMatching(/without \/rest/) });
    for (const local of ["https://localhost", "https://127.0.0.1", "https://10.0.0.5", "https://192.168.1.2", "https://[::1]", "https://169.254.169.254"]) {
      expect(normaliseBaseUrl(local)).toMatchObject({ ok: false, error: expect.stringMatching(/not a local or private address/) });
    }
    expect(normaliseBaseUrl("https://user:pw@shop.example.com")).toMatchObject({ ok: false });
  });

  it.each(["https://[::ffff:127.0.0.1]/", "https://[::ffff:169.254.169.254]/", "https://[::ffff:7f00:1]", "https://[::127.0.0.1]", "https://[64:ff9b::a9fe:a9fe]/"])(
    "GIVEN the store URL %s, an IPv6 form of a private IPv4 address WHEN normalised THEN it is refused and no token is sent there",
    (url) => {
      expect(normaliseBaseUrl(url)).toMatchObject({ ok: false, error: expect.stringMatching(/not a local or private address/) });
    },
  );

  it("refuses to connect a Shopify shop to Magento", async () => {
    const shopify = await createTestShop();
    expect(await saveMagentoConnection(shopify.db, shopify.id, input({ baseUrl: "https://x.magento.test", token: "x".repeat(20) }))).toEqual({ type: "not_magento" });
  });

  it("rotates the events secret: the new one is shown once and the old one stops working", async () => {
    const shop = await createMagentoShop();
    const rotated = await rotateEventsSecret(shop.db, shop.id);
    if (rotated.type !== "rotated") throw new Error(rotated.type);
    expect(rotated.secret).not.toBe(shop.eventsSecret);
    expect(await eventsSecretOf(shop.db, shop.id)).toBe(rotated.secret);
    const unconnected = await createMagentoShop({ connect: false });
    expect(await rotateEventsSecret(unconnected.db, unconnected.id)).toEqual({ type: "not_connected" });
  });

  it("GIVEN a connected Magento shop THEN the registry builds its adapter from the stored connection; unconnected ones fail clearly", async () => {
    const shop = await createMagentoShop();
    const platform = await platformFor({ id: shop.id, domain: shop.domain, platform: "MAGENTO" });
    expect(platform).toBeInstanceOf(MagentoPlatform);
    expect((await platform.describeShop()).name).toBe("Maple Outfitters");
    expect(await connectedMagentoShopIds()).toContain(shop.id);

    const unconnected = await createMagentoShop({ connect: false });
    await expect(platformFor({ id: unconnected.id, domain: unconnected.domain, platform: "MAGENTO" })).rejects.toThrow(PermanentPlatformError);
    expect(await connectedMagentoShopIds()).not.toContain(unconnected.id);
  });
});
