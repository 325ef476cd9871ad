// Per-shop and per-clientId limits on pixel events, in fixed one-minute windows kept in Redis (INCRBY + EXPIRE in
// one MULTI, so every web process shares the count). A limiter that cannot reach Redis answers "unavailable" and
// the endpoint accepts the batch: storing a burst we could not count beats losing real events in an outage.
import type { Redis } from "ioredis";
import { queuePrefix } from "../../jobs/connection.server";
import { closeCounterRedis, counterRedis, counterRedisReady } from "../../redis/counters.server";

export interface PixelLimits {
  /** Events one shop may send per minute, all visitors together. */
  shopEventsPerMinute: number;
  /** Events one browser (clientId) may send per minute: far above what a person clicking around produces. */
  clientEventsPerMinute: number;
}

export const DEFAULT_PIXEL_LIMITS: PixelLimits = { shopEventsPerMinute: 6000, clientEventsPerMinute: 120 };

export type LimitDecision =
  | { type: "allowed" }
  | { type: "limited"; scope: "shop" | "client"; retryAfterSeconds: number }
  | { type: "unavailable" };

export interface PixelRateLimiter {
  check(shopId: string, eventsByClient: Map<string, number>, now?: Date): Promise<LimitDecision>;
}

const WINDOW_SECONDS = 60;

export function redisRateLimiter(
  limits: PixelLimits = DEFAULT_PIXEL_LIMITS,
  redis: () => Redis = counterRedis,
): PixelRateLimiter {
  return {
    async check(shopId, eventsByClient, now = new Date()) {
      const window = Math.floor(now.getTime() / 1000 / WINDOW_SECONDS);
      const retryAfterSeconds = WINDOW_SECONDS - (Math.floor(now.getTime() / 1000) % WINDOW_SECONDS);
      const total = [...eventsByClient.values()].reduce((a, b) => a + b, 0);
      const prefix = `${queuePrefix()}:ratelimit:pixel:${window}`;
      const shopKey = `${prefix}:shop:${shopId}`;
      const clients = [...eventsByClient.entries()];
      try {
        if (!(await counterRedisReady(redis()))) return { type: "unavailable" };
        const multi = redis()
          .multi()
          .incrby(shopKey, total)
          .expire(shopKey, WINDOW_SECONDS * 2);
        for (const [clientId, count] of clients) {
          const key = `${prefix}:client:${shopId}:${clientId}`;
          multi.incrby(key, count).expire(key, WINDOW_SECONDS * 2);
        }
        const results = await multi.exec();
        if (!results) return { type: "unavailable" };
        const counts = results.filter((_, i) => i % 2 === 0).map(([error, value]) => (error ? 0 : Number(value)));
        if ((counts[0] ?? 0) > limits.shopEventsPerMinute) return { type: "limited", scope: "shop", retryAfterSeconds };
        if (counts.slice(1).some((c) => c > limits.clientEventsPerMinute)) {
          return { type: "limited", scope: "client", retryAfterSeconds };
        }
        return { type: "allowed" };
      } catch {
        return { type: "unavailable" };
      }
    },
  };
}

/** Closes the shared counter client (the request limits in throttle.server.ts use it too). */
export function closeRateLimiter(): Promise<void> {
  return closeCounterRedis();
}
