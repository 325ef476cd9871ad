import { afterEach, describe, expect, it, vi } from "vitest";
import { loader } from "../../../app/routes/health";

// The health route is public: what is down may show, the driver's reason (internal hosts, users) may not.
const redis = vi.hoisted(() => ({ failure: null as null | Error }));
vi.mock("../../../app/redis/counters.server", () => ({
  counterRedis: () => ({
    status: "ready",
    ping: () => (redis.failure ? Promise.reject(redis.failure) : Promise.resolve("PONG")),
  }),
  counterRedisReady: () => Promise.resolve(true),
}));

afterEach(() => {
  redis.failure = null;
  vi.restoreAllMocks();
});

async function health() {
  const response = await loader();
  return { status: response.status, text: await response.text() };
}

describe("GET /health", () => {
  it("GIVEN the database migrated and Redis answering THEN 200 with each part ok", async () => {
    const { status, text } = await health();
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ ok: true, database: { ok: true, migrated: true }, redis: { ok: true } });
  });

  it("GIVEN Redis failing with a message naming an internal host THEN 503 saying Redis is down, the message only in the server's log", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    redis.failure = new Error("connect ECONNREFUSED 10.20.30.40:6379 (user promo-prod)");
    const { status, text } = await health();
    expect(status).toBe(503);
    expect(JSON.parse(text)).toEqual({ ok: false, database: { ok: true, migrated: true }, redis: { ok: false } });
    expect(text).not.toContain("10.20.30.40");
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("10.20.30.40"));
  });
});
