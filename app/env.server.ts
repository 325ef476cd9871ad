// Configuration, parsed and validated once. Every process (web, worker, demo, tests) reads it through env().
import { z } from "zod";

const booleanFlag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required (the app's client id)"),
    SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required (the app's client secret)"),
    SHOPIFY_APP_URL: z.url("SHOPIFY_APP_URL must be the app's public URL"),
    SCOPES: z.string().optional(),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    /** PostgreSQL. When unset, the embedded PGlite database is used (demo and fast tests only). */
    DATABASE_URL: z.string().optional(),
    REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
    /** Demo mode signs every admin request in as a seeded shop. Never allowed in production. */
    DEMO_MODE: booleanFlag,
    /** SMTP server for the app's own emails (low-stock alerts), e.g. smtp://user:pass@host:587. Unset: no email. */
    SMTP_URL: z.string().optional(),
    MAIL_FROM: z.string().default("Promo Codes <no-reply@promo-codes.app>"),
    /**
     * Proxies in front of the web process that append to X-Forwarded-For (a load balancer: 1). 0 trusts no header
     * and takes the socket's peer as the client, for per-address limits such as the sign-in throttle.
     */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Requests one store may make to the REST API (/api/v1) per minute, all its API keys together. */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
    /** Worker concurrency per queue. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /**
     * Encrypts the secrets the app reads back (Magento tokens, event signing secrets): base64 of 32 random bytes,
     * e.g. `openssl rand -base64 32`. Required in production; elsewhere a fixed development key is used.
     */
    APP_ENCRYPTION_KEY: z
      .string()
      .optional()
      .refine((v) => v === undefined || Buffer.from(v, "base64").length === 32, "APP_ENCRYPTION_KEY must be base64 of exactly 32 bytes"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && env.DEMO_MODE) {
      ctx.addIssue({
        code: "custom",
        path: ["DEMO_MODE"],
        message: "DEMO_MODE is refused in production: it bypasses Shopify authentication",
      });
    }
    if (env.NODE_ENV === "production" && !env.APP_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_ENCRYPTION_KEY"],
        message: "APP_ENCRYPTION_KEY is required in production (base64 of 32 random bytes: openssl rand -base64 32)",
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests and the demo set process.env and then call this so the next env() re-reads it. */
export function resetEnvCache(): void {
  cached = undefined;
}
