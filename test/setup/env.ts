// Test configuration. The secret is the one in Shopify's published HMAC test vector, so tests can check our
// webhook verification against it.
import { resetEnvCache } from "../../app/env.server";

export const TEST_API_SECRET = "test_secret_key";

process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET = TEST_API_SECRET;
process.env.SHOPIFY_APP_URL ??= "https://promo-app.test";
process.env.SCOPES ??= "read_products,read_customers,write_customers,read_orders,read_discounts,write_discounts";
process.env.NODE_ENV = "test";
delete process.env.DEMO_MODE;
resetEnvCache();
