import type { RedisOptions } from "ioredis";
import { env } from "../env.server";

/** BullMQ connection options from REDIS_URL. Workers need maxRetriesPerRequest: null (blocking commands). */
export function redisConnection(url = env().REDIS_URL): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** Queue names are prefixed so tests and benchmarks can run side by side on one Redis. */
export function queuePrefix(): string {
  return process.env.QUEUE_PREFIX ?? "promo";
}
