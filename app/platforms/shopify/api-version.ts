// The one place the Admin API version is pinned. The vendored schema (schema/admin_<version>.json.gz), the
// webhook subscriptions in shopify.app.toml and the store simulator all follow this value.
import { ApiVersion } from "@shopify/shopify-api";

export const SHOPIFY_API_VERSION = ApiVersion.July26;
