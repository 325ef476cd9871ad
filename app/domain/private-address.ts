// Whether a host the app is asked to call (a merchant's Magento store, an SMS or push relay) names this machine,
// a private network or another address that must never receive a merchant's secrets. The host is judged as
// written in the URL: names are not resolved here. In production, the requests themselves resolve the name and
// refuse private addresses (net/public-fetch.server.ts).
//
// IPv6 has several ways to carry an IPv4 address, and the connection lands on that IPv4 address: IPv4-mapped
// (::ffff:127.0.0.1, which the URL parser writes as ::ffff:7f00:1), IPv4-compatible (::127.0.0.1), SIIT
// (::ffff:0:127.0.0.1), NAT64 (64:ff9b::127.0.0.1) and 6to4 (2002:7f00:1::). Each is judged by the IPv4 address
// it carries, so none of them is a way around the IPv4 rules.
import { isIP } from "node:net";

/** True for localhost names and for IP literals (bare or in [brackets]) that are not public unicast addresses. */
export function isPrivateAddress(host: string): boolean {
  // "localhost." is the same host as "localhost": the URL parser keeps the root's dot.
  const bare = host
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  const version = isIP(bare);
  if (version === 4) return isPrivateIpv4(ipv4Octets(bare));
  if (version === 6) return isPrivateIpv6(ipv6Hextets(bare));
  return false;
}

function ipv4Octets(address: string): number[] {
  return address.split(".").map(Number);
}

function isPrivateIpv4([a = 0, b = 0, c = 0]: readonly number[]): boolean {
  return (
    a === 0 || // "this" network
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    a === 127 ||
    (a === 169 && b === 254) || // link-local, cloud metadata services
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, documentation
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // documentation
    (a === 203 && b === 0 && c === 113) || // documentation
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of an address isIP() accepted as IPv6 (a trailing dotted quad becomes two groups). */
function ipv6Hextets(address: string): number[] {
  let text = address.split("%")[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  if (tail === undefined) return groups(head);
  const first = groups(head);
  const last = groups(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

function embeddedIpv4(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function isPrivateIpv6(h: readonly number[]): boolean {
  const [h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0] = h;
  const zeroTo = (end: number) => h.slice(0, end).every((g) => g === 0);
  // ::/96 holds :: and ::1 (judged as 0.0.0.0 and 0.0.0.1: private) and the IPv4-compatible form.
  if (zeroTo(6)) return isPrivateIpv4(embeddedIpv4(h6, h7));
  if (zeroTo(5) && h5 === 0xffff) return isPrivateIpv4(embeddedIpv4(h6, h7)); // IPv4-mapped
  if (zeroTo(4) && h4 === 0xffff && h5 === 0) return isPrivateIpv4(embeddedIpv4(h6, h7)); // SIIT
  if (h0 === 0x64 && h1 === 0xff9b) {
    // NAT64: 64:ff9b::/96 carries the IPv4 address; the local-use 64:ff9b:1::/48 only ever leads inside.
    return h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0 ? isPrivateIpv4(embeddedIpv4(h6, h7)) : true;
  }
  if (h0 === 0x2002) return isPrivateIpv4(embeddedIpv4(h1, h2)); // 6to4
  if (h0 === 0x2001 && h1 === 0) return true; // Teredo: the IPv4 address it reaches is hidden in the address
  if (h0 === 0x2001 && h1 === 0xdb8) return true; // documentation
  if (h0 === 0x100 && h1 === 0 && h2 === 0 && h3 === 0) return true; // discard-only
  if ((h0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((h0 & 0xffc0) === 0xfe80 || (h0 & 0xffc0) === 0xfec0) return true; // link-local, old site-local
  if ((h0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}
