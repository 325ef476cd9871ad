// Fixed-window limits shared by every web process through Redis (INCR + EXPIRE):
// - per client address on the Magento account pages. The per-account lockout (merchant-accounts.server.ts) stops
//   guessing one merchant's password; these stop one address from trying a password against many accounts,
//   creating accounts in bulk, or sending reset emails to many inboxes (decision 0020);
// - per store on the REST API, so one runaway script can't take the API, or the database behind it, for itself.
// They fail open: when Redis can't be reached the request goes on (the per-account lockout, in PostgreSQL, still
// holds).
import type { Redis } from "ioredis";
import { env } from "../env.server";
import { queuePrefix } from "../jobs/connection.server";
import { counterRedis, counterRedisReady } from "../redis/counters.server";

export interface AttemptRule {
  name: string;
  /** Attempts one address (or store) may make in a window. */
  max: number;
  windowSeconds: number;
}

export const ATTEMPT_RULES = {
  /** Failed sign-ins: 5 accounts' worth of lockouts, far above a merchant who forgot which password they used. */
  signIn: { name: "sign-in", max: 25, windowSeconds: 15 * 60 },
  signUp: { name: "sign-up", max: 10, windowSeconds: 60 * 60 },
  passwordReset: { name: "password-reset", max: 10, windowSeconds: 60 * 60 },
} satisfies Record<string, AttemptRule>;

export type AttemptCheck = { type: "allowed" } | { type: "limited"; retryAfterSeconds: number };

function windowOf(rule: AttemptRule, who: string, now: Date) {
  const seconds = Math.floor(now.getTime() / 1000);
  return {
    key: `${queuePrefix()}:throttle:${rule.name}:${Math.floor(seconds / rule.windowSeconds)}:${who}`,
    retryAfterSeconds: rule.windowSeconds - (seconds % rule.windowSeconds),
  };
}

/** Runs `run` on the counters, or answers `fallback` when Redis can't be reached in time (fail open). */
async function onCounters<T>(fallback: T, run: (redis: Redis) => Promise<T>): Promise<T> {
  try {
    const redis = counterRedis();
    return (await counterRedisReady(redis)) ? await run(redis) : fallback;
  } catch {
    return fallback;
  }
}

/** INCR + EXPIRE in one round trip; the count after this attempt. */
async function increment(redis: Redis, rule: AttemptRule, key: string): Promise<number> {
  const results = await redis.multi().incr(key).expire(key, rule.windowSeconds * 2).exec();
  return Number(results?.[0]?.[1] ?? 0);
}

const ALLOWED: AttemptCheck = { type: "allowed" };

/** Whether `address` has attempts left under `rule`; does not count one. An unknown address is never limited. */
export async function checkAttempts(rule: AttemptRule, address: string | undefined, now = new Date()): Promise<AttemptCheck> {
  if (!address) return ALLOWED;
  const window = windowOf(rule, address, now);
  return onCounters(ALLOWED, async (redis) => {
    const used = Number((await redis.get(window.key)) ?? 0);
    return used >= rule.max ? { type: "limited", retryAfterSeconds: window.retryAfterSeconds } : ALLOWED;
  });
}

/** Counts one attempt by `address` under `rule` (not counted when Redis is away: the per-account limits hold). */
export async function countAttempt(rule: AttemptRule, address: string | undefined, now = new Date()): Promise<void> {
  if (!address) return;
  const { key } = windowOf(rule, address, now);
  await onCounters(0, (redis) => increment(redis, rule, key));
}

/** Requests one store may make to /api/v1 per minute, all its keys together (API_RATE_LIMIT_PER_MINUTE). */
export function apiRateRule(): AttemptRule {
  return { name: "api", max: env().API_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
}

/** Where a store stands against a rate after one more request. `remaining` is null when Redis could not count it. */
export interface RateState {
  limited: boolean;
  limit: number;
  remaining: number | null;
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number;
}

/** Counts one request by `who` under `rule` (the limit's own request is allowed; the next one is not). */
export async function consumeRate(rule: AttemptRule, who: string, now = new Date()): Promise<RateState> {
  const window = windowOf(rule, who, now);
  const used = await onCounters<number | null>(null, (redis) => increment(redis, rule, window.key));
  return {
    limited: used !== null && used > rule.max,
    limit: rule.max,
    remaining: used === null ? null : Math.max(0, rule.max - used),
    resetSeconds: window.retryAfterSeconds,
  };
}

/** What the page says when an address is limited. */
export function limitedMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
