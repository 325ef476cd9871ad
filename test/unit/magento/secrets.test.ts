import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../../app/env.server";
import { decryptSecret, encryptSecret, generateSigningSecret, SecretError } from "../../../app/services/secrets.server";

const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example" };

describe("secrets at rest", () => {
  it("round-trips a secret through AES-256-GCM in the documented v1 format, with a fresh IV each time", () => {
    const key = randomBytes(32);
    const a = encryptSecret("integration-token", "shop-1:magento-token", key);
    const b = encryptSecret("integration-token", "shop-1:magento-token", key);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("integration-token");
    expect(decryptSecret(a, "shop-1:magento-token", key)).toBe("integration-token");
  });

  it("refuses a secret read in another place, with another key, or altered", () => {
    const key = randomBytes(32);
    const stored = encryptSecret("s3cret", "shop-1:magento-token", key);
    expect(() => decryptSecret(stored, "shop-2:magento-token", key)).toThrow(SecretError);
    expect(() => decryptSecret(stored, "shop-1:magento-events-secret", key)).toThrow(SecretError);
    expect(() => decryptSecret(stored, "shop-1:magento-token", randomBytes(32))).toThrow(SecretError);
    const [v, iv, tag, data] = stored.split(":");
    const flipped = Buffer.from(data!, "base64");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptSecret([v, iv, tag, flipped.toString("base64")].join(":"), "shop-1:magento-token", key)).toThrow(SecretError);
    expect(() => decryptSecret("plain-text-token", "shop-1:magento-token", key)).toThrow(/known version/);
  });

  it("generates 256-bit URL-safe signing secrets", () => {
    const secret = generateSigningSecret();
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(secret).not.toBe(generateSigningSecret());
  });

  it("GIVEN production WHEN APP_ENCRYPTION_KEY is missing or not 32 bytes THEN the configuration is refused", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(/APP_ENCRYPTION_KEY is required in production/);
    expect(() => parseEnv({ ...base, NODE_ENV: "production", APP_ENCRYPTION_KEY: randomBytes(16).toString("base64") })).toThrow(/exactly 32 bytes/);
    const key = randomBytes(32).toString("base64");
    expect(parseEnv({ ...base, NODE_ENV: "production", APP_ENCRYPTION_KEY: key }).APP_ENCRYPTION_KEY).toBe(key);
  });

  it("lets development and tests run without a key (a fixed development key is used)", () => {
    expect(parseEnv({ ...base, NODE_ENV: "development" }).APP_ENCRYPTION_KEY).toBeUndefined();
    expect(decryptSecret(encryptSecret("x", "ctx"), "ctx")).toBe("x");
  });
});
