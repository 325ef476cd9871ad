import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postToProvider, signProviderBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../../app/channels/provider/webhook.server";

// A real HTTP server on loopback plays the provider. msw (set up for the unit project) only intercepts the
// platforms' hosts; requests to 127.0.0.1 pass through to the socket.
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler = (_req, _body, res) => res.end();
const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    received.push({ headers: req.headers, body });
    handler(req, body, res);
  });
});
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

const message = { messageId: "msg-1", channel: "sms" as const, to: "+15550001111", body: "Your code: ABC", shop: "demo.myshopify.com" };

describe("SMS/push provider webhook", () => {
  it("GIVEN a provider that accepts WHEN a message is posted THEN it is signed over timestamp and body and reported sent", async () => {
    handler = (_req, _body, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ id: "prov-42" }));
    };
    const outcome = await postToProvider({ url, secret: "s3cret" }, message, new Date("2026-11-21T00:00:00Z"));
    expect(outcome).toEqual({ type: "sent", status: 200, providerRef: "prov-42" });
    const [request] = received;
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
    handler = (_req, _body, res) => {
      res.statusCode = status;
      if (status === 429) res.setHeader("Retry-After", "7");
      res.end("nope");
    };
    const outcome = await postToProvider({ url, secret: "s" }, message);
    expect(outcome.type).toBe(type);
    if (outcome.type === "retry" && status === 429) expect(outcome.retryAfterMs).toBe(7000);
    if (outcome.type === "rejected") expect(outcome.message).toContain(`(${status}): nope`);
  });

  it("GIVEN a provider that never answers WHEN posted THEN it times out as retriable", async () => {
    handler = () => undefined;
    const outcome = await postToProvider({ url, secret: "s", timeoutMs: 200 }, message);
    expect(outcome).toMatchObject({ type: "retry", message: "Provider unreachable: timed out" });
  });

  it("GIVEN nothing listening WHEN posted THEN the refusal is retriable", async () => {
    const outcome = await postToProvider({ url: "http://127.0.0.1:1/hook", secret: "s" }, message);
    expect(outcome.type).toBe("retry");
  });
});
