import { describe, expect, it } from "vitest";
import { clientAddress } from "../../../app/domain/client-address";

describe("the client's address for per-address limits", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", 0)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", null, 0)).toBe("203.0.113.9");
    expect(clientAddress("2001:DB8::1", null, 0)).toBe("2001:db8::1");
  });

  it("is the n-th X-Forwarded-For entry from the right behind n trusted proxies, never one the client wrote", () => {
    // The client forged "1.1.1.1"; the load balancer appended the address it saw.
    expect(clientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9", 1)).toBe("203.0.113.9");
    // A CDN and then a load balancer: the CDN saw the client, the load balancer saw the CDN.
    expect(clientAddress("10.0.0.2", "1.1.1.1,203.0.113.9, 198.51.100.7", 2)).toBe("203.0.113.9");
  });

  it("falls back to the socket when the header has fewer entries than proxies, and is unknown when malformed", () => {
    expect(clientAddress("203.0.113.9", null, 1)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.2", "203.0.113.9", 2)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "1.1.1.1, <script>", 1)).toBeUndefined();
    expect(clientAddress(undefined, null, 0)).toBeUndefined();
  });
});
