import { describe, expect, it } from "vitest";
import { BASE, createRule, harness } from "./helpers";

describe("Magento simulator: faults", () => {
  it("'execute then fail' saves the coupon although the caller only sees a 502 page from the web server", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    h.sim.injectFault(BASE, { kind: "executeThenFail", status: 502 }, { match: { method: "POST", path: "/coupons" } });
    const response = await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "LOST", type: 0 } } });
    expect(response.status).toBe(502);
    expect(typeof response.body).toBe("string");
    expect(h.sim.state(BASE).couponByCode("LOST")).toBeDefined();
    const retry = await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "LOST", type: 0 } } });
    expect(retry.body).toMatchObject({ message: "%1 already exists." });
    expect(h.sim.requestLog.slice(-2).map((e) => [e.outcome, e.executed, e.status])).toEqual([
      ["fault", true, 0],
      ["error", false, 400],
    ]);
  });

  it("answers the next N matching requests with a status without running them; 429 carries Retry-After", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    h.sim.injectFault(BASE, { kind: "status", status: 429, retryAfterSeconds: 3 }, { times: 2, match: { method: "POST" } });
    const body = { coupon: { rule_id: ruleId, code: "LATER", type: 0 } };
    const first = await h.call("POST", "/coupons", { body });
    expect(first).toMatchObject({ status: 429, headers: { "retry-after": "3" } });
    expect((await h.call("GET", "/salesRules/1")).status).toBe(200);
    expect((await h.call("POST", "/coupons", { body })).status).toBe(429);
    expect(h.sim.state(BASE).couponByCode("LATER")).toBeUndefined();
    expect((await h.call("POST", "/coupons", { body })).status).toBe(200);
  });

  it("'timeout' never answers until the caller aborts, and runs nothing", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    h.sim.injectFault(BASE, { kind: "timeout" });
    const controller = new AbortController();
    const pending = h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "HANG", type: 0 } }, signal: controller.signal });
    const raced = await Promise.race([pending.then(() => "answered"), new Promise((r) => setTimeout(() => r("waiting"), 20))]);
    expect(raced).toBe("waiting");
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(h.sim.state(BASE).couponByCode("HANG")).toBeUndefined();
  });

  it("'execute then time out' and 'execute then network error' both save before failing", async () => {
    const h = harness();
    const ruleId = await createRule(h);
    h.sim.injectFault(BASE, { kind: "executeThenNetworkError" });
    const dropped = await h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "DROP", type: 0 } } });
    expect(dropped.networkError).toBe(true);
    h.sim.injectFault(BASE, { kind: "executeThenTimeout" });
    const controller = new AbortController();
    const pending = h.call("POST", "/coupons", { body: { coupon: { rule_id: ruleId, code: "SLOW", type: 0 } }, signal: controller.signal });
    controller.abort(new Error("client timeout"));
    await expect(pending).rejects.toThrow("client timeout");
    expect(["DROP", "SLOW"].map((c) => h.sim.state(BASE).couponByCode(c)?.code)).toEqual(["DROP", "SLOW"]);
  });
});
