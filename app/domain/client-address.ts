// The address a request came from, for per-address limits. Behind proxies (a load balancer, a CDN) the socket's
// peer is the last proxy; each trusted proxy appends the address it received the request from to
// X-Forwarded-For, so with n trusted proxies the client is the n-th entry from the right. Entries further left
// were written by the client itself and are never trusted.

/** Requests whose address is unknown (no socket, a malformed header) are not limited by address. */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | null, trustedProxies: number): string | undefined {
  const fromSocket = normalise(socketAddress);
  if (trustedProxies <= 0) return fromSocket;
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the request skipped a proxy (reached us directly), so its header proves nothing.
  if (entries.length < trustedProxies) return fromSocket;
  return normalise(entries[entries.length - trustedProxies]);
}

function normalise(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const value = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  return /^[0-9a-fA-F:.]{2,45}$/.test(value) ? value.toLowerCase() : undefined;
}
