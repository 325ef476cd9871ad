// The one shopifyApp() instance: OAuth/token exchange, session tokens, webhooks HMAC, Admin API clients.
import "@shopify/shopify-app-react-router/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-react-router/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { prisma } from "./db.server";
import { env } from "./env.server";
import { SHOPIFY_API_VERSION } from "./platforms/shopify/api-version";
import { ShopifyAdminClient } from "./platforms/shopify/admin-client.server";
import { ShopifyPlatform } from "./platforms/shopify/adapter.server";
import { recordInstall } from "./services/shops.server";

const config = env();

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: config.SCOPES?.split(",").filter(Boolean),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma, { connectionRetries: 5, connectionRetryIntervalMs: 1000 }),
  distribution: AppDistribution.AppStore,
  hooks: {
    afterAuth: async ({ session, admin }) => {
      const client = new ShopifyAdminClient(session.shop, admin.graphql);
      await recordInstall(session.shop, new ShopifyPlatform(client), session.scope ?? null);
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
