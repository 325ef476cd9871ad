import { describe, expect, it } from "vitest";
import { at, BASIC_CREATE, basicInput, seededHarness, SHOP } from "./helpers";

function createRequest(accessToken: string, code: string, signal?: AbortSignal) {
  return {
    shop: SHOP,
    apiVersion: "2026-07",
    accessToken,
    body: JSON.stringify({
      query: BASIC_CREATE,
      variables: { input: basicInput({ code }) },
      operationName: "CreateBasic",
    }),
    ...(signal ? { signal } : {}),
  };
}

describe("fault injection", () => {
  it("'execute then fail' persists the mutation although the caller only sees a 502", async () => {
    // GIVEN the next discount creation will lose its response
    const { sim, demo } = seededHarness();
    sim.injectFault(
      demo.domain,
      { kind: "executeThenFail", status: 502 },
      { match: { rootField: "discountCodeBasicCreate" } },
    );
    // WHEN the app creates a discount
    const response = await sim.handle(createRequest(demo.accessToken, "LOST-RESPONSE"));
    // THEN the caller sees a gateway error with no GraphQL body
    expect(response.status).toBe(502);
    expect(typeof response.body).toBe("string");
    // AND the discount exists: a blind retry would now hit TAKEN
    expect(sim.state(demo.domain).discountByCode("LOST-RESPONSE")).toBeDefined();
    const retry = await sim.handle(createRequest(demo.accessToken, "LOST-RESPONSE"));
    expect(at(retry.body, "data", "discountCodeBasicCreate", "userErrors", 0, "code")).toBe("TAKEN");
    expect(sim.requestLog.slice(-2).map((e) => [e.outcome, e.executed, e.status])).toEqual([
      ["fault", true, 0],
      ["ok", true, 200],
    ]);
  });

  it("answers the next N requests with an HTTP status, without executing them", async () => {
    const { sim, demo } = seededHarness();
    sim.injectFault(demo.domain, { kind: "status", status: 429 }, { times: 2 });
    const first = await sim.handle(createRequest(demo.accessToken, "RETRY-ME"));
    const second = await sim.handle(createRequest(demo.accessToken, "RETRY-ME"));
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers["retry-after"]).toBe("2");
    expect(sim.state(demo.domain).discountByCode("RETRY-ME")).toBeUndefined();
    const third = await sim.handle(createRequest(demo.accessToken, "RETRY-ME"));
    expect(third.status).toBe(200);
    expect(sim.state(demo.domain).discountByCode("RETRY-ME")).toBeDefined();
  });

  it("only applies a fault to the requests it matches", async () => {
    const { sim, demo } = seededHarness();
    sim.injectFault(demo.domain, { kind: "status", status: 500 }, { match: { operationType: "mutation" } });
    const query = await sim.handle({
      shop: SHOP,
      apiVersion: "2026-07",
      accessToken: demo.accessToken,
      body: { query: "{ shop { name } }" },
    });
    expect(query.status).toBe(200);
    expect(sim.pendingFaults(demo.domain)).toBe(1);
    expect((await sim.handle(createRequest(demo.accessToken, "M"))).status).toBe(500);
    expect(sim.pendingFaults(demo.domain)).toBe(0);
  });

  it("'timeout' never answers until the caller aborts, and runs nothing", async () => {
    const { sim, demo } = seededHarness();
    sim.injectFault(demo.domain, { kind: "timeout" });
    const controller = new AbortController();
    const pending = sim.handle(createRequest(demo.accessToken, "HANGS", controller.signal));
    const raced = await Promise.race([
      pending.then(() => "answered"),
      new Promise((r) => setTimeout(() => r("still waiting"), 20)),
    ]);
    expect(raced).toBe("still waiting");
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(sim.state(demo.domain).discountByCode("HANGS")).toBeUndefined();
  });

  it("'execute then time out' persists the write and then hangs", async () => {
    const { sim, demo } = seededHarness();
    sim.injectFault(demo.domain, { kind: "executeThenTimeout" });
    const controller = new AbortController();
    const pending = sim.handle(createRequest(demo.accessToken, "SLOW-WRITE", controller.signal));
    controller.abort(new Error("client timeout"));
    await expect(pending).rejects.toThrow("client timeout");
    expect(sim.state(demo.domain).discountByCode("SLOW-WRITE")).toBeDefined();
  });

  it("'execute then network error' persists the write and drops the connection", async () => {
    const { sim, demo } = seededHarness();
    sim.injectFault(demo.domain, { kind: "executeThenNetworkError" });
    const response = await sim.handle(createRequest(demo.accessToken, "DROPPED"));
    expect(response.networkError).toBe(true);
    expect(sim.state(demo.domain).discountByCode("DROPPED")).toBeDefined();
  });
});
