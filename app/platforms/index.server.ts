// Wires the adapters into the registry. Jobs reach Shopify with the shop's offline session and Magento with the
// shop's stored connection (app/services/platform-connections.server.ts).
import { forShop } from "../db/shop-scope.server";
import { magentoPlatformForShop } from "../services/platform-connections.server";
import { unauthenticated } from "../shopify.server";
import { registerPlatform } from "./registry.server";
import { ShopifyAdminClient } from "./shopify/admin-client.server";
import { ShopifyPlatform } from "./shopify/adapter.server";

export async function shopifyAdminForShop(domain: string): Promise<ShopifyAdminClient> {
  const { admin } = await unauthenticated.admin(domain);
  return new ShopifyAdminClient(domain, admin.graphql);
}

registerPlatform("SHOPIFY", async (shop) => new ShopifyPlatform(await shopifyAdminForShop(shop.domain)));
registerPlatform("MAGENTO", (shop) => magentoPlatformForShop(forShop(shop.id), shop.id));

export { platformFor } from "./registry.server";
