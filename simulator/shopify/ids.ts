/**
 * Shopify global ids (`gid://shopify/Product/123`) and the numeric ids behind
 * them. Ids are decimal strings end to end: order and line-item ids are
 * allocated above 2^53 on purpose, so any code that turns an id into a JS
 * number corrupts it visibly instead of "working until production".
 */
export const GID_PREFIX = "gid://shopify/";

export function gid(type: string, id: string): string {
  return `${GID_PREFIX}${type}/${id}`;
}

export interface ParsedGid {
  readonly type: string;
  readonly id: string;
}

/** Parses `gid://shopify/Type/123` (query strings such as `?x=y` are ignored). */
export function parseGid(value: unknown): ParsedGid | undefined {
  if (typeof value !== "string" || !value.startsWith(GID_PREFIX)) return undefined;
  const rest = value.slice(GID_PREFIX.length).split("?")[0] ?? "";
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash);
  const id = rest.slice(slash + 1);
  if (!/^[A-Za-z]+$/.test(type) || !/^[0-9]+$/.test(id)) return undefined;
  return { type, id };
}

/** The numeric id of a gid of the expected type, else undefined. */
export function idOf(value: unknown, type: string): string | undefined {
  const parsed = parseGid(value);
  return parsed && parsed.type === type ? parsed.id : undefined;
}

/** FNV-1a, used to derive per-shop id ranges and seeds from the shop domain. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const TWO_POW_53 = 2n ** 53n;

/**
 * Allocates ids for one shop. Ranges are derived from the domain so two shops
 * never share ids (a request that mixes shops fails instead of finding a
 * look-alike record), and the sequence is deterministic for seeded tests.
 */
export class IdAllocator {
  private general: bigint;
  private big: bigint;

  constructor(domain: string) {
    const h = BigInt(hashString(domain) % 900_000);
    // ~13-digit ids like real products/customers, safely below 2^53.
    this.general = 7_000_000_000_000n + h * 1_000_000n;
    // Orders and line items live above 2^53.
    this.big = TWO_POW_53 + 1n + h * 100_000_000n;
  }

  /** Products, variants, customers, discounts, codes, metafields, ... */
  next(): string {
    this.general += 1n;
    return this.general.toString();
  }

  /** Orders and line items: above Number.MAX_SAFE_INTEGER. */
  nextBig(): string {
    this.big += 1n;
    return this.big.toString();
  }
}

/** Compares two decimal id strings numerically without losing precision. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
