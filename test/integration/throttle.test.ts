// The limits in app/services/throttle.server.ts, against the machine's Redis. Per address on the Magento account
// pages: one address can't try passwords across many accounts or ask for reset emails without end, other
// addresses are untouched. Per store on the REST API. And a Redis that can't be reached lets requests through.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "../../app/env.server";
import { closeCounterRedis } from "../../app/redis/counters.server";
import { action as forgotAction } from "../../app/routes/magento.forgot-password";
import * as pools from "../../app/routes/api.v1.pools";
import { action as loginAction } from "../../app/routes/magento.login";
import { signUp } from "../../app/services/merchant-accounts.server";
import { ATTEMPT_RULES, checkAttempts, countAttempt } from "../../app/services/throttle.server";
import { call, createApiShop, errorOf } from "../unit/api/helpers";

const APP = "https://promo-app.test";
const PASSWORD = "correct horse battery staple";

function post(path: string, fields: Record<string, string>, clientAddress?: string) {
  const request = new Request(`${APP}${path}`, { method: "POST", body: new URLSearchParams(fields), headers: { origin: APP } });
  return { request, params: {}, context: { clientAddress } } as never;
}

/** An action's answer: a plain object, a `data(...)` with a status, or a redirect Response. */
function answer(value: unknown): { status: number; body: Record<string, unknown> } {
  if (value instanceof Response) return { status: value.status, body: {} };
  const v = value as { type?: string; data?: Record<string, unknown>; init?: { status?: number } };
  if (v.type === "DataWithResponseInit") return { status: v.init?.status ?? 200, body: v.data ?? {} };
  return { status: 200, body: value as Record<string, unknown> };
}


afterAll(async () => {
  await closeCounterRedis();
});

describe("limits per address and per store", () => {
  it(`GIVEN ${ATTEMPT_RULES.signIn.max} failed sign-ins from one address across many emails THEN it is refused even with the right password, and another address signs in`, async () => {
    const email = `owner-${randomUUID().slice(0, 8)}@store.test`;
    const created = await signUp({ storeName: "Throttled store", email, password: PASSWORD });
    expect(created.type).toBe("created");
    const attacker = "198.51.100.23";
    for (let i = 0; i < ATTEMPT_RULES.signIn.max; i++) {
      const wrong = answer(await loginAction(post("/magento/login", { email: `guess-${i}-${randomUUID()}@store.test`, password: "not the password" }, attacker)));
      expect(wrong).toMatchObject({ status: 200, body: { error: "The email or the password is wrong" } });
    }
    const refused = answer(await loginAction(post("/magento/login", { email, password: PASSWORD, next: "/app" }, attacker)));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/^Too many attempts from your network\. Try again in \d+ minutes?\.$/);

    // The account itself is not locked: the merchant, from their own address, signs in.
    const merchant = answer(await loginAction(post("/magento/login", { email, password: PASSWORD, next: "/app" }, "192.0.2.40")));
    expect(merchant.status).toBe(302);
  });

  it("GIVEN a successful sign-in THEN it does not count against the address", async () => {
    const email = `owner-${randomUUID().slice(0, 8)}@store.test`;
    await signUp({ storeName: "Busy office", email, password: PASSWORD });
    const office = "192.0.2.77";
    for (let i = 0; i < ATTEMPT_RULES.signIn.max + 2; i++) {
      expect(answer(await loginAction(post("/magento/login", { email, password: PASSWORD, next: "/app" }, office))).status).toBe(302);
    }
  });

  it(`GIVEN ${ATTEMPT_RULES.passwordReset.max} reset requests from one address THEN the next is refused and sends nothing`, async () => {
    const sender = "198.51.100.99";
    for (let i = 0; i < ATTEMPT_RULES.passwordReset.max; i++) {
      const asked = await forgotAction(post("/magento/forgot-password", { email: `nobody-${i}@store.test` }, sender));
      // No account uses the address: the page answers as if one did (or says no mail can be sent).
      expect(answer(asked).status).not.toBe(429);
    }
    const refused = answer(await forgotAction(post("/magento/forgot-password", { email: "nobody@store.test" }, sender)));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/Too many attempts from your network/);
  });

  it("GIVEN windows of the rule's length THEN an address is limited in its window and free in the next", async () => {
    const rule = { name: `test-${randomUUID().slice(0, 6)}`, max: 2, windowSeconds: 60 };
    const start = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 5_000);
    const who = "192.0.2.5";
    await countAttempt(rule, who, start);
    await countAttempt(rule, who, start);
    expect(await checkAttempts(rule, who, start)).toEqual({ type: "limited", retryAfterSeconds: 55 });
    expect(await checkAttempts(rule, "192.0.2.6", start)).toEqual({ type: "allowed" });
    expect(await checkAttempts(rule, who, new Date(start.getTime() + 60_000))).toEqual({ type: "allowed" });
    // An unknown address (dev server, a malformed header) is not limited by address.
    expect(await checkAttempts(rule, undefined, start)).toEqual({ type: "allowed" });
  });

  it("GIVEN a store's API keys over the per-minute limit THEN its next request gets 429 with Retry-After and does nothing, every answer carries RateLimit headers, and another store is served", async () => {
    process.env.API_RATE_LIMIT_PER_MINUTE = "4";
    resetEnvCache();
    try {
      const busy = await createApiShop();
      const other = await createApiShop();
      // Make sure the requests below fall in one window.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
      // Every answer says where the store stands, errors included.
      for (let i = 0; i < 3; i++) {
        const served = await call(pools, "GET", "/pools", { key: busy.key });
        expect(served.status).toBe(200);
        expect(served.headers.get("ratelimit-limit")).toBe("4");
        expect(served.headers.get("ratelimit-remaining")).toBe(String(3 - i));
      }
      const invalid = await call(pools, "POST", "/pools", { key: busy.key, json: { name: "" } });
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get("ratelimit-remaining")).toBe("0");
      const refused = await call(pools, "POST", "/pools", { key: busy.key, json: { name: "Never made" } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("ratelimit-reset"))).toBe(Number(refused.headers.get("retry-after")));
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await errorOf(refused)).toMatchObject({ code: "rate_limited", details: { limitPerMinute: 4, retryAfterSeconds: retryAfter } });
      expect(await busy.db.pool.count({ where: { name: "Never made" } })).toBe(0);
      expect((await call(pools, "GET", "/pools", { key: other.key })).status).toBe(200);
    } finally {
      delete process.env.API_RATE_LIMIT_PER_MINUTE;
      resetEnvCache();
    }
  });

  it("GIVEN Redis can't be reached THEN requests go through instead of failing", async () => {
    const rule = { name: `test-${randomUUID().slice(0, 6)}`, max: 1, windowSeconds: 60 };
    const previous = process.env.REDIS_URL;
    await closeCounterRedis();
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    resetEnvCache();
    try {
      await countAttempt(rule, "192.0.2.9");
      await countAttempt(rule, "192.0.2.9");
      expect(await checkAttempts(rule, "192.0.2.9")).toEqual({ type: "allowed" });
    } finally {
      await closeCounterRedis();
      process.env.REDIS_URL = previous;
      resetEnvCache();
    }
  });
});
