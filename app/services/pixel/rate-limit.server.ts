// Per-shop, per-address and per-clientId limits on pixel events, in fixed one-minute windows kept in Redis (checked
// and counted in one script, so every web process shares the count and a refused batch counts for nothing). A limiter that cannot reach Redis answers "unavailable" and
// the endpoint accepts the batch: storing a burst we could not count beats losing real events in an outage.
import type { Redis } from "ioredis";
import { queuePrefix } from "../../jobs/connection.server";
import { closeCounterRedis, counterRedis, counterRedisReady } from "../../redis/counters.server";

export interface PixelLimits {
  /** Events one shop may send per minute, all visitors together. */
  shopEventsPerMinute: number;
  /** Events one browser (clientId) may send per minute: far above what a person clicking around produces. */
  clientEventsPerMinute: number;
  /**
   * Events one network address may send to one shop per minute. A clientId is whatever the sender writes, so
   * without it one sender inventing clientIds could spend the whole shop's allowance; with it, that takes many
   * addresses. Generous, for shoppers behind one address (an office, a carrier's NAT).
   */
  addressEventsPerMinute: number;
}

export const DEFAULT_PIXEL_LIMITS: PixelLimits = { shopEventsPerMinute: 6000, clientEventsPerMinute: 120, addressEventsPerMinute: 600 };

export type LimitScope = "shop" | "address" | "client";

export type LimitDecision =
  | { type: "allowed" }
  | { type: "limited"; scope: LimitScope; retryAfterSeconds: number }
  | { type: "unavailable" };

export interface PixelRateLimiter {
  /** `address`: the sender's network address, when the web process knows it. */
  check(shopId: string, eventsByClient: Map<string, number>, now?: Date, address?: string): Promise<LimitDecision>;
}

const WINDOW_SECONDS = 60;

/**
 * Checks every counter first and adds the batch to all of them only if none would go over: a refused batch counts
 * against nothing, so a flood that is refused does not use up the allowance of the shop's real shoppers.
 * KEYS: the counters; ARGV[1]: their lifetime in seconds; then one increment and one limit per key.
 * Answers 0 when admitted, else the 1-based index of the first counter that would go over.
 */
const ADMIT_SCRIPT = `
local n = #KEYS
for i = 1, n do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current + tonumber(ARGV[1 + i]) > tonumber(ARGV[1 + n + i]) then return i end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[i], ARGV[1 + i])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return 0`;

export function redisRateLimiter(
  limits: PixelLimits = DEFAULT_PIXEL_LIMITS,
  redis: () => Redis = counterRedis,
): PixelRateLimiter {
  return {
    async check(shopId, eventsByClient, now = new Date(), address) {
      const window = Math.floor(now.getTime() / 1000 / WINDOW_SECONDS);
      const retryAfterSeconds = WINDOW_SECONDS - (Math.floor(now.getTime() / 1000) % WINDOW_SECONDS);
      const total = [...eventsByClient.values()].reduce((a, b) => a + b, 0);
      const prefix = `${queuePrefix()}:ratelimit:pixel:${window}`;
      const counters: { key: string; add: number; limit: number; scope: LimitScope }[] = [
        { key: `${prefix}:shop:${shopId}`, add: total, limit: limits.shopEventsPerMinute, scope: "shop" },
        ...(address ? [{ key: `${prefix}:address:${shopId}:${address}`, add: total, limit: limits.addressEventsPerMinute, scope: "address" as const }] : []),
        ...[...eventsByClient.entries()].map(([clientId, count]) => ({
          key: `${prefix}:client:${shopId}:${clientId}`,
          add: count,
          limit: limits.clientEventsPerMinute,
          scope: "client" as const,
        })),
      ];
      try {
        if (!(await counterRedisReady(redis()))) return { type: "unavailable" };
        const over = Number(
          await redis().eval(
            ADMIT_SCRIPT,
            counters.length,
            ...counters.map((c) => c.key),
            WINDOW_SECONDS * 2,
            ...counters.map((c) => c.add),
            ...counters.map((c) => c.limit),
          ),
        );
        if (over === 0) return { type: "allowed" };
        return { type: "limited", scope: counters[over - 1]?.scope ?? "shop", retryAfterSeconds };
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
