import { index, route, type RouteConfig } from "@react-router/dev/routes";

// Explicit route table. Webhook topics map one file each, as shopify.app.toml says.
export default [
  index("routes/_index.tsx"),
  route("health", "routes/health.tsx"),
  route("favicon.ico", "routes/favicon.tsx"),
  route("auth/login", "routes/auth.login.tsx"),
  route("auth/*", "routes/auth.$.tsx"),
  route("app", "routes/app.tsx", [
    index("routes/app._index.tsx"),
    // --- pool admin pages (begin)
    route("pools", "routes/app.pools.tsx"),
    route("pools/new", "routes/app.pools.new.tsx"),
    route("pools/:poolId", "routes/app.pools.$poolId.tsx"),
    route("pools/:poolId/imports", "routes/app.pools.$poolId.imports.tsx"),
    route("pools/:poolId/imports/:importId", "routes/app.pools.$poolId.imports.$importId.tsx"),
    route("customers/:customerId", "routes/app.customers.$customerId.tsx"),
    // --- pool admin pages (end)
    route("segments", "routes/app.segments.tsx"),
    route("campaigns", "routes/app.campaigns.tsx"),
    route("scenarios", "routes/app.scenarios.tsx"),
    route("tasks", "routes/app.tasks.tsx"),
    route("customers", "routes/app.customers.tsx"),
    route("settings", "routes/app.settings.tsx"),
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
  route("api/v1/*", "routes/api.v1.$.ts"),
  // --- public REST API v1 (end)
  route("webhooks/app/uninstalled", "routes/webhooks.app.uninstalled.tsx"),
  route("webhooks/app/scopes_update", "routes/webhooks.app.scopes_update.tsx"),
  route("webhooks/orders/create", "routes/webhooks.orders.create.tsx"),
  route("webhooks/orders/paid", "routes/webhooks.orders.paid.tsx"),
  route("webhooks/orders/cancelled", "routes/webhooks.orders.cancelled.tsx"),
  route("webhooks/orders/fulfilled", "routes/webhooks.orders.fulfilled.tsx"),
  route("webhooks/customers/create", "routes/webhooks.customers.create.tsx"),
  route("webhooks/customers/update", "routes/webhooks.customers.update.tsx"),
  route("webhooks/customers/data_request", "routes/webhooks.customers.data_request.tsx"),
  route("webhooks/customers/redact", "routes/webhooks.customers.redact.tsx"),
  route("webhooks/shop/redact", "routes/webhooks.shop.redact.tsx"),
] satisfies RouteConfig;
