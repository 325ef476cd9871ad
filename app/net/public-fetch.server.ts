// Requests to addresses merchants type in (their Magento store, their SMS or push relay). The address is checked
// when it is saved (domain/private-address.ts), but only as written: a public-looking name can resolve to this
// machine or the private network, and answers (their status, part of their text) are shown back to the merchant.
// In production such requests go through an agent that resolves the name itself and refuses to connect when any of
// its addresses is local or private. Outside production (the demo, tests) local relays and simulators are the
// point, and requests go through the global fetch, where msw sees them.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, fetch as undiciFetch } from "undici";
import { isPrivateAddress } from "../domain/private-address";

export class PrivateAddressError extends Error {
  override readonly name = "PrivateAddressError";
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a local or private address: nothing was sent there`);
  }
}

type Resolver = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for connections that resolves the name and fails when any of its addresses is local or private. */
export function publicOnlyLookup(resolve: Resolver = dnsLookup as Resolver) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    resolve(hostname, { all: true, ...(options.family ? { family: options.family } : {}) }, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) return callback(new PrivateAddressError(hostname, blocked.address), []);
      const [first] = addresses;
      if (!first) return callback(new Error(`${hostname} has no address`), []);
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

let agent: Agent | undefined;

/** fetch through the public-only agent. */
export function publicFetch(url: string, init: RequestInit): Promise<Response> {
  agent ??= new Agent({ connect: { lookup: publicOnlyLookup() as never } });
  return undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
}

/** The fetch for a merchant-given address: public-only in production, the global one elsewhere. */
export function merchantFetch(): (url: string, init: RequestInit) => Promise<Response> {
  return process.env.NODE_ENV === "production" ? publicFetch : (url, init) => fetch(url, init);
}

/** Whether a failed fetch was refused for connecting to a local or private address. */
export function privateAddressRefusal(error: unknown): PrivateAddressError | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PrivateAddressError) return e;
  }
  return null;
}
