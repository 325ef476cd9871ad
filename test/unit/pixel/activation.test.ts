// Web pixel activation against the store simulator (schema-checked webPixelCreate / webPixelUpdate / webPixel).
import { describe, expect, it } from "vitest";
import { prisma } from "../../../app/db.server";
import { processActivatePixel } from "../../../app/jobs/processors/events.server";
import { shopifyAdminForShop } from "../../../app/platforms/index.server";
import { ShopifyPlatform } from "../../../app/platforms/shopify/adapter.server";
import { RetriablePlatformError } from "../../../app/platforms/errors";
import { activatePixel, pixelSettingsFor } from "../../../app/services/pixel/activation.server";
import { recordInstall } from "../../../app/services/shops.server";
import type { ShopifySimulator } from "../../../simulator/shopify";
import { createTestShop, type TestShop } from "../../support/shops";

const sim = (): ShopifySimulator => globalThis.__testSimulator!;
const SCOPES = "read_products,read_customers,write_pixels,read_customer_events";

async function pixelShop(): Promise<TestShop> {
  const shop = await createTestShop();
  await prisma.shop.update({ where: { id: shop.id }, data: { scopes: SCOPES } });
  return shop;
}

const pixelsOf = (shop: TestShop) => [...sim().state(shop.domain).webPixels.values()];
const storedPixelId = async (shop: TestShop) =>
  (await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).webPixelId;

describe("web pixel activation", () => {
  it("GIVEN a new install WHEN activation runs THEN webPixelCreate gets the shop's account id and the endpoint, and the id is stored", async () => {
    const shop = await pixelShop();
    const result = await activatePixel(shop.db, await shopifyAdminForShop(shop.domain));
    expect(result).toMatchObject({
      type: "created",
      webPixelId: expect.stringMatching(/^gid:\/\/shopify\/WebPixel\//),
    });
    const pixels = pixelsOf(shop);
    expect(pixels).toHaveLength(1);
    expect(JSON.parse(pixels[0]!.settings)).toEqual({
      accountID: shop.id,
      endpoint: "https://promo-app.test/pixel/events",
    });
    expect(pixelSettingsFor(shop.id)).toEqual(JSON.parse(pixels[0]!.settings));
    expect(await storedPixelId(shop)).toBe(result.type === "created" ? result.webPixelId : null);
  });

  it("GIVEN a pixel already activated WHEN activation runs again (reinstall, re-auth) THEN the same pixel is updated, not duplicated", async () => {
    const shop = await pixelShop();
    const admin = await shopifyAdminForShop(shop.domain);
    const first = await activatePixel(shop.db, admin);
    const again = await activatePixel(shop.db, admin);
    expect(again.type).toBe("updated");
    expect(pixelsOf(shop)).toHaveLength(1);
    expect(first.type === "created" && again.type === "updated" && again.webPixelId === first.webPixelId).toBe(true);
    const operations = sim()
      .requestLog.filter((r) => r.shop === shop.domain)
      .map((r) => r.operationName);
    expect(operations).toEqual(["WebPixelCreate", "WebPixelUpdate"]);
  });

  it("GIVEN webPixelCreate ran but its response was lost WHEN the job retries THEN Shopify's TAKEN leads to the existing pixel, updated", async () => {
    const shop = await pixelShop();
    const admin = await shopifyAdminForShop(shop.domain);
    sim().injectFault(
      shop.domain,
      { kind: "executeThenFail", status: 502 },
      { match: { rootField: "webPixelCreate" } },
    );
    await expect(activatePixel(shop.db, admin)).rejects.toBeInstanceOf(RetriablePlatformError);
    expect(pixelsOf(shop)).toHaveLength(1);
    expect(await storedPixelId(shop)).toBeNull();

    const retried = await activatePixel(shop.db, admin);
    expect(retried.type).toBe("updated");
    expect(pixelsOf(shop)).toHaveLength(1);
    expect(await storedPixelId(shop)).toBe(`gid://shopify/WebPixel/${pixelsOf(shop)[0]!.id}`);
  });

  it("GIVEN a stored pixel id Shopify no longer knows (removed with an uninstall) THEN a new pixel is created", async () => {
    const shop = await pixelShop();
    await prisma.shop.update({ where: { id: shop.id }, data: { webPixelId: "gid://shopify/WebPixel/999999" } });
    const result = await activatePixel(shop.db, await shopifyAdminForShop(shop.domain));
    expect(result.type).toBe("created");
    expect(await storedPixelId(shop)).not.toBe("gid://shopify/WebPixel/999999");
  });

  it("GIVEN a shop that did not grant write_pixels THEN activation is skipped without calling Shopify", async () => {
    const shop = await createTestShop();
    expect(await processActivatePixel({ shopId: shop.id })).toMatchObject({ type: "skipped" });
    expect(sim().requestLog.filter((r) => r.shop === shop.domain)).toHaveLength(0);
  });

  it("GIVEN Redis is down during an install THEN the install is recorded all the same, quickly", async () => {
    const shop = await createTestShop();
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    const started = Date.now();
    const platform = new ShopifyPlatform(await shopifyAdminForShop(shop.domain));
    const installed = await recordInstall(shop.domain, platform, SCOPES);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(installed).toMatchObject({ id: shop.id, uninstalledAt: null, scopes: SCOPES, webPixelId: null });
  });
});
