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
    // --- pool admin pages (end)
    route("segments", "routes/app.segments.tsx"),
    route("campaigns", "routes/app.campaigns.tsx"),
    route("scenarios", "routes/app.scenarios.tsx"),
    route("tasks", "routes/app.tasks.tsx"),
    route("customers", "routes/app.customers.tsx"),
    route("settings", "routes/app.settings.tsx"),
  ]),
  // --- public REST API v1 (begin)
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
