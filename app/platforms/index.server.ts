// Wires the adapters into the registry. Jobs reach Shopify with the shop's offline session.
import { unauthenticated } from "../shopify.server";
import { MagentoPlatform } from "./magento/adapter.server";
import { registerPlatform } from "./registry.server";
import { ShopifyAdminClient } from "./shopify/admin-client.server";
import { ShopifyPlatform } from "./shopify/adapter.server";

export async function shopifyAdminForShop(domain: string): Promise<ShopifyAdminClient> {
  const { admin } = await unauthenticated.admin(domain);
  return new ShopifyAdminClient(domain, admin.graphql);
}

registerPlatform("SHOPIFY", async (shop) => new ShopifyPlatform(await shopifyAdminForShop(shop.domain)));
registerPlatform("MAGENTO", async () => new MagentoPlatform());

export { platformFor } from "./registry.server";
