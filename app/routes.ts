import { index, route, type RouteConfig } from "@react-router/dev/routes";

// Explicit route table. Webhook topics map one file each, as shopify.app.toml says.
export default [
  index("routes/_index.tsx"),
  route("health", "routes/health.tsx"),
  route("favicon.ico", "routes/favicon.tsx"),
  route("auth/login", "routes/auth.login.tsx"),
  route("auth/*", "routes/auth.$.tsx"),
  // Magento merchants' own sign-in (Shopify merchants are signed in by Shopify).
  route("magento/signup", "routes/magento.signup.tsx"),
  route("magento/login", "routes/magento.login.tsx"),
  route("magento/logout", "routes/magento.logout.tsx"),
  route("magento/forgot-password", "routes/magento.forgot-password.tsx"),
  route("magento/reset-password", "routes/magento.reset-password.tsx"),
  route("app", "routes/app.tsx", [
    index("routes/app._index.tsx"),
    // --- pool admin pages (begin)
    route("pools", "routes/app.pools.tsx"),
    route("pools/new", "routes/app.pools.new.tsx"),
    route("pools/:poolId", "routes/app.pools.$poolId.tsx"),
    route("pools/:poolId/imports", "routes/app.pools.$poolId.imports.tsx"),
    route("pools/:poolId/imports/:importId", "routes/app.pools.$poolId.imports.$importId.tsx"),
    route("pools/:poolId/imports/:importId/report", "routes/app.pools.$poolId.imports.$importId.report.tsx"),
    route("pools/:poolId/redeemable", "routes/app.pools.$poolId.redeemable.tsx"),
    route("customers/:customerId", "routes/app.customers.$customerId.tsx"),
    // --- pool admin pages (end)
    // --- dynamic pool pages (begin)
    // --- dynamic pool pages (end)
    // --- segment pages (begin)
    route("segments", "routes/app.segments.tsx"),
    route("segments/new", "routes/app.segments.new.tsx"),
    route("segments/:segmentId", "routes/app.segments.$segmentId.tsx"),
    route("segments/:segmentId/live", "routes/app.segments.$segmentId.live.tsx"),
    // --- segment pages (end)
    // --- platform connection pages (begin)
    route("settings/magento", "routes/app.settings.magento.tsx"),
    // --- platform connection pages (end)
    // --- campaign pages (begin)
    route("campaigns", "routes/app.campaigns.tsx"),
    route("campaigns/new", "routes/app.campaigns.new.tsx"),
    route("campaigns/:campaignId", "routes/app.campaigns.$campaignId.tsx"),
    route("campaigns/:campaignId/edit", "routes/app.campaigns.$campaignId.edit.tsx"),
    // --- campaign pages (end)
    // --- scenario pages (begin)
    route("scenarios", "routes/app.scenarios.tsx"),
    route("scenarios/new", "routes/app.scenarios.new.tsx"),
    route("scenarios/:scenarioId", "routes/app.scenarios.$scenarioId.tsx"),
    route("tasks", "routes/app.tasks.tsx"),
    // --- scenario pages (end)
    // --- message pages (begin)
    route("templates", "routes/app.templates.tsx"),
    route("templates/new", "routes/app.templates.new.tsx"),
    route("templates/:templateId", "routes/app.templates.$templateId.tsx"),
    route("settings/channels", "routes/app.settings.channels.tsx"),
    // --- message pages (end)
    route("customers", "routes/app.customers.tsx"),
    route("settings", "routes/app.settings.tsx"),
    // Any other /app address: "not found" inside the admin (keep last; the router ranks it below every page).
    route("*", "routes/app.$.tsx"),
  ]),
  // --- public REST API v1 (begin)
  route("api/v1/pools", "routes/api.v1.pools.ts"),
  route("api/v1/pools/:poolId", "routes/api.v1.pools.$poolId.ts"),
  route("api/v1/pools/:poolId/codes", "routes/api.v1.pools.$poolId.codes.ts"),
  route("api/v1/pools/:poolId/issue", "routes/api.v1.pools.$poolId.issue.ts"),
  route("api/v1/pools/:poolId/retire", "routes/api.v1.pools.$poolId.retire.ts"),
  route("api/v1/pools/:poolId/export.csv", "routes/api.v1.pools.$poolId.export-csv.ts"),
  route("api/v1/imports/:importId", "routes/api.v1.imports.$importId.ts"),
  route("api/v1/openapi.json", "routes/api.v1.openapi-json.ts"),
  // --- reviews api (begin)
  route("api/v1/reviews", "routes/api.v1.reviews.ts"),
  // --- reviews api (end)
  route("api/v1/*", "routes/api.v1.$.ts"),
  // --- public REST API v1 (end)
  route("webhooks/app/uninstalled", "routes/webhooks.app.uninstalled.tsx"),
  route("webhooks/app/scopes_update", "routes/webhooks.app.scopes_update.tsx"),
  route("webhooks/orders/create", "routes/webhooks.orders.create.tsx"),
  route("webhooks/orders/paid", "routes/webhooks.orders.paid.tsx"),
  route("webhooks/orders/cancelled", "routes/webhooks.orders.cancelled.tsx"),
  route("webhooks/orders/fulfilled", "routes/webhooks.orders.fulfilled.tsx"),
  route("webhooks/refunds/create", "routes/webhooks.refunds.create.tsx"),
  route("webhooks/customers/create", "routes/webhooks.customers.create.tsx"),
  route("webhooks/customers/update", "routes/webhooks.customers.update.tsx"),
  route("webhooks/customers/data_request", "routes/webhooks.customers.data_request.tsx"),
  route("webhooks/customers/redact", "routes/webhooks.customers.redact.tsx"),
  route("webhooks/shop/redact", "routes/webhooks.shop.redact.tsx"),
  // --- storefront event endpoints (begin)
  route("pixel/events", "routes/pixel.events.tsx"),
  // --- storefront event endpoints (end)
  // --- magento endpoints (begin)
  route("magento/events", "routes/magento.events.tsx"),
  // --- magento endpoints (end)
] satisfies RouteConfig;
