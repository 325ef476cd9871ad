// Counters in Redis for limits that every web process must share (pixel events, sign-in attempts). Answering fast
// matters more than counting every request: the client keeps no offline queue and gives up after 250 ms, and a
// caller that cannot reach Redis is told so and decides for itself (each limiter lets the request through).
import { Redis } from "ioredis";
import { env } from "../env.server";

const COMMAND_TIMEOUT_MS = 250;

let shared: Redis | undefined;

export function counterRedis(): Redis {
  shared ??= new Redis(env().REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    lazyConnect: false,
  });
  shared.on("error", () => undefined);
  return shared;
}

/**
 * Commands fail at once while the client is not connected (no offline queue). A client still making its first
 * connection gets a moment to finish it, so the first requests after a start are counted too; one that lost its
 * connection (Redis down, reconnecting) is not waited for.
 */
export async function counterRedisReady(redis: Redis): Promise<boolean> {
  if (redis.status === "ready") return true;
  if (redis.status !== "connecting" && redis.status !== "connect" && redis.status !== "wait") return false;
  if (redis.status === "wait") redis.connect().catch(() => undefined);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      resolve(false);
    }, COMMAND_TIMEOUT_MS);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once("ready", onReady);
  });
}

export async function closeCounterRedis(): Promise<void> {
  const redis = shared;
  shared = undefined;
  if (redis) await redis.quit().catch(() => redis.disconnect());
}
