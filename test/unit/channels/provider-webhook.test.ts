import { describe, expect, it } from "vitest";
import { loopbackServerForFile } from "../../support/loopback-server";
import { postToProvider, signProviderBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../../app/channels/provider/webhook.server";

// A real HTTP server on loopback plays the provider. msw (set up for the unit project) only intercepts the
// platforms' hosts; requests to 127.0.0.1 pass through to the socket.
const provider = loopbackServerForFile("/hook");

const message = { messageId: "msg-1", channel: "sms" as const, to: "+15550001111", body: "Your code: ABC", shop: "demo.myshopify.com" };

describe("SMS/push provider webhook", () => {
  it("GIVEN a provider that accepts WHEN a message is posted THEN it is signed over timestamp and body and reported sent", async () => {
    provider.handle((_req, _body, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ id: "prov-42" }));
    });
    const outcome = await postToProvider({ url: provider.url, secret: "s3cret" }, message, new Date("2026-11-21T00:00:00Z"));
    expect(outcome).toEqual({ type: "sent", status: 200, providerRef: "prov-42" });
    const [request] = provider.received;
    expect(request?.headers["idempotency-key"]).toBe("msg-1");
    const timestamp = request?.headers[TIMESTAMP_HEADER.toLowerCase()] as string;
    expect(timestamp).toBe(String(Date.parse("2026-11-21T00:00:00Z") / 1000));
    expect(request?.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signProviderBody("s3cret", timestamp, request?.body ?? ""));
    expect(request?.headers[SIGNATURE_HEADER.toLowerCase()]).not.toBe(signProviderBody("other", timestamp, request?.body ?? ""));
    expect(JSON.parse(request?.body ?? "{}")).toEqual(message);
  });

  it.each([
    [500, "retry"],
    [503, "retry"],
    [429, "retry"],
    [408, "retry"],
    [400, "rejected"],
    [401, "rejected"],
    [422, "rejected"],
  ])("GIVEN a provider answering %i WHEN posted THEN the outcome is %s", async (status, type) => {
    provider.handle((_req, _body, res) => {
      res.statusCode = status;
      if (status === 429) res.setHeader("Retry-After", "7");
      res.end("nope");
    });
    const outcome = await postToProvider({ url: provider.url, secret: "s" }, message);
    expect(outcome.type).toBe(type);
    if (outcome.type === "retry" && status === 429) expect(outcome.retryAfterMs).toBe(7000);
    if (outcome.type === "rejected") expect(outcome.message).toContain(`(${status}): nope`);
  });

  it.each([307, 302])("GIVEN a provider answering with a redirect (%i) WHEN posted THEN it is not followed and the message is rejected with the reason", async (status) => {
    provider.handle((req, _body, res) => {
      if (req.url === "/hook") {
        res.statusCode = status;
        res.setHeader("Location", "/internal");
      }
      res.end();
    });
    const outcome = await postToProvider({ url: provider.url, secret: "s" }, message);
    expect(outcome).toMatchObject({ type: "rejected", status, message: expect.stringContaining("redirect") });
    // Only the endpoint was asked: the redirect target never got a request.
    expect(provider.received).toHaveLength(1);
  });

  it("GIVEN a provider that never answers WHEN posted THEN it times out as retriable", async () => {
    provider.handle(() => undefined);
    const outcome = await postToProvider({ url: provider.url, secret: "s", timeoutMs: 200 }, message);
    expect(outcome).toMatchObject({ type: "retry", message: "Provider unreachable: timed out" });
  });

  it("GIVEN nothing listening WHEN posted THEN the refusal is retriable", async () => {
    const outcome = await postToProvider({ url: "http://127.0.0.1:1/hook", secret: "s" }, message);
    expect(outcome.type).toBe("retry");
  });
});
