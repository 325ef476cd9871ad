// Wires the adapters into the registry. Jobs reach Shopify with the shop's offline session and Magento with the
// shop's stored connection (app/services/platform-connections.server.ts).
import { forShop } from "../db/shop-scope.server";
import { magentoPlatformForShop } from "../services/platform-connections.server";
import { unauthenticated } from "../shopify.server";
import { PlatformAuthError } from "./errors";
import { registerPlatform } from "./registry.server";
import { ShopifyAdminClient } from "./shopify/admin-client.server";
import { ShopifyPlatform } from "./shopify/adapter.server";

/**
 * The Admin API client of a shop's offline session. A shop without one (uninstalled) is a PlatformAuthError: jobs
 * stop at once instead of retrying, and their failure is not retried later (docs/decisions/0028).
 */
export async function shopifyAdminForShop(domain: string): Promise<ShopifyAdminClient> {
  let admin;
  try {
    ({ admin } = await unauthenticated.admin(domain));
  } catch (error) {
    // The library's SessionNotFoundError is not exported: its name, or its message, tells it apart.
    if (error instanceof Error && (error.name === "SessionNotFoundError" || /could not find a session/i.test(error.message))) {
      throw new PlatformAuthError(`${domain} has no session: the app is not installed there`, "SHOPIFY", { cause: error });
    }
    throw error;
  }
  return new ShopifyAdminClient(domain, admin.graphql);
}

registerPlatform("SHOPIFY", async (shop) => new ShopifyPlatform(await shopifyAdminForShop(shop.domain)));
registerPlatform("MAGENTO", (shop) => magentoPlatformForShop(forShop(shop.id), shop.id));

export { platformFor } from "./registry.server";
