import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../../app/env.server";

const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example" };

describe("configuration", () => {
  it("refuses demo mode in production, because it bypasses Shopify authentication", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production", DEMO_MODE: "1" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, NODE_ENV: "production", DEMO_MODE: "1" })).toThrow(/DEMO_MODE is refused in production/);
  });

  it("allows demo mode outside production", () => {
    expect(parseEnv({ ...base, NODE_ENV: "development", DEMO_MODE: "1" }).DEMO_MODE).toBe(true);
  });

  it("names every missing setting in one message", () => {
    expect(() => parseEnv({})).toThrow(/SHOPIFY_API_KEY[\s\S]*SHOPIFY_API_SECRET[\s\S]*SHOPIFY_APP_URL/);
  });
});
