// Requests to merchant-given addresses in production: a name that resolves into our own network is refused before
// anything is sent, however public it looks.
import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { postToProvider } from "../../../app/channels/provider/webhook.server";
import { PermanentPlatformError } from "../../../app/platforms/errors";
import { MagentoRestClient } from "../../../app/platforms/magento/rest-client.server";
import { PrivateAddressError, privateAddressRefusal, publicFetch, publicOnlyLookup } from "../../../app/net/public-fetch.server";
import { loopbackServerForFile } from "../../support/loopback-server";

const server = loopbackServerForFile("/hook");

function resolvingTo(...addresses: LookupAddress[]) {
  return (_host: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, found: LookupAddress[]) => void) => callback(null, addresses);
}

function lookupWith(resolver: ReturnType<typeof resolvingTo>, all: boolean) {
  return new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
    publicOnlyLookup(resolver)("relay.example.com", { all }, (error, address, family) => resolve({ error, address, family })),
  );
}

describe("connections to merchant-given addresses", () => {
  it("GIVEN a name resolving to public addresses THEN the connection gets them", async () => {
    const resolver = resolvingTo({ address: "93.184.216.34", family: 4 }, { address: "2606:2800:220:1::1", family: 6 });
    expect(await lookupWith(resolver, false)).toEqual({ error: null, address: "93.184.216.34", family: 4 });
    expect((await lookupWith(resolver, true)).address).toHaveLength(2);
  });

  it.each([
    ["127.0.0.1", 4],
    ["10.1.2.3", 4],
    ["169.254.169.254", 4],
    ["::1", 6],
    ["::ffff:192.168.1.1", 6],
  ])("GIVEN a name with one address in %s among public ones THEN the connection is refused", async (address, family) => {
    const result = await lookupWith(resolvingTo({ address: "93.184.216.34", family: 4 }, { address, family }), false);
    expect(result.error).toBeInstanceOf(PrivateAddressError);
    expect(result.error?.message).toContain(address);
  });

  it("GIVEN a public-looking request to a name that resolves to this machine THEN nothing reaches the server", async () => {
    server.handle((_req, _body, res) => res.end("internal secrets"));
    const url = server.url.replace("127.0.0.1", "localhost");
    const error = await publicFetch(url, { method: "POST", body: "{}" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(privateAddressRefusal(error)).toBeInstanceOf(PrivateAddressError);
    expect(server.received).toHaveLength(0);
  });

  it("GIVEN an SMS relay whose name resolves into our network WHEN a message is posted in production THEN it is rejected for good, not retried, and nothing is sent", async () => {
    server.handle((_req, _body, res) => res.end("{}"));
    const outcome = await postToProvider(
      { url: server.url.replace("127.0.0.1", "localhost"), secret: "s", fetch: publicFetch },
      { messageId: "m-1", channel: "sms", to: "+15550001111", body: "Your code", shop: "demo.myshopify.com" },
    );
    expect(outcome).toMatchObject({ type: "rejected", message: expect.stringContaining("local or private address") });
    expect(server.received).toHaveLength(0);
  });

  it("GIVEN a Magento store whose name resolves into our network WHEN the app calls it in production THEN the call fails for good with the reason and the token is never sent", async () => {
    server.handle((_req, _body, res) => res.end("[]"));
    const port = new URL(server.url).port;
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const client = new MagentoRestClient({ baseUrl: `https://localhost:${port}`, storeCode: "default", token: "merchant-token" }, { maxRetries: 0 });
      const error = await client.get("/store/storeConfigs").then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PermanentPlatformError);
      expect((error as Error).message).toContain("local or private address");
    } finally {
      process.env.NODE_ENV = previous;
    }
    expect(server.received).toHaveLength(0);
  });
});
