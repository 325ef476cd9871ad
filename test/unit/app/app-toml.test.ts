import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/api-version";
import routes from "../../../app/routes";

const toml = readFileSync("shopify.app.toml", "utf8");

describe("shopify.app.toml", () => {
  const subscriptions = [...toml.matchAll(/topics = \["([^"]+)"\]\s*\n\s*uri = "([^"]+)"\s*\n\s*# Handled by: (\S+)/g)].map(
    (m) => ({ topic: m[1]!, uri: m[2]!, file: m[3]! }),
  );

  it("subscribes every topic the product needs, each with the route file that handles it", () => {
    expect(subscriptions.map((s) => s.topic).sort()).toEqual(
      [
        "app/scopes_update",
        "app/uninstalled",
        "customers/create",
        "customers/data_request",
        "customers/redact",
        "customers/update",
        "orders/cancelled",
        "orders/create",
        "orders/fulfilled",
        "orders/paid",
        "refunds/create",
        "shop/redact",
      ].sort(),
    );
    const flat = JSON.stringify(routes);
    for (const s of subscriptions) {
      expect(existsSync(s.file), s.file).toBe(true);
      expect(s.uri).toBe(`/webhooks/${s.topic}`);
      expect(flat).toContain(`"path":"${s.uri.slice(1)}"`);
      expect(flat).toContain(s.file.replace(/^app\//, ""));
    }
  });

  it("pins the webhooks to the Admin API version the client uses", () => {
    expect(toml).toMatch(new RegExp(`api_version = "${SHOPIFY_API_VERSION}"`));
  });

  it("asks for the scopes the product needs", () => {
    for (const scope of ["read_products", "read_customers", "read_orders", "write_discounts", "write_pixels", "read_customer_events"]) {
      expect(toml).toContain(scope);
    }
  });
});
