// API keys for the public REST API (/api/v1): created and revoked in Settings, presented by external workflows as
// `Authorization: Bearer pk_<prefix>_<secret>` (or `X-Api-Key: ...`).
//
// The key has two parts. The prefix (16 hex characters, 64 random bits) is public: it is stored as is, is unique,
// and finds the key row in one indexed lookup. The secret (32 random bytes, base64url) is shown once, when the key
// is created, and only its SHA-256 is stored.
//
// Why SHA-256 and not scrypt/bcrypt/argon2: slow hashes exist to make guessing low-entropy secrets (passwords)
// expensive after a database leak. This secret is 256 bits from the CSPRNG; nobody can enumerate that space however
// fast the hash is, so a slow hash would only add tens of milliseconds of CPU to every API request and hand a
// cheap denial-of-service lever to anyone who can send requests. The comparison is constant-time all the same.
//
// This is the one place that maps a key to a shop, so the lookup uses the unscoped client; everything after it
// runs through forShop(shopId).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isUniqueViolation } from "../db/errors";
import { forShop, type ShopDb } from "../db/shop-scope.server";
import { prisma } from "../db.server";
import { isUuid } from "../domain/ids";

export const API_KEY_SCHEME = "pk";
const PREFIX_BYTES = 8;
const SECRET_BYTES = 32;
/** `pk_` + 16 hex characters + `_` + 43 base64url characters. */
const API_KEY_PATTERN = /^pk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** A shop may hold this many keys that are not revoked. */
export const MAX_ACTIVE_API_KEYS = 25;
export const MAX_API_KEY_NAME_LENGTH = 100;
/** lastUsedAt is written at most this often per key, so busy integrations do not turn every call into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  /** What the key looks like, for display: `pk_<prefix>_…`. The secret itself is never returned again. */
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  active: boolean;
}

export type CreateApiKeyResult =
  /** `secret` is the whole key to hand to the merchant, shown this once and stored nowhere. */
  | { type: "created"; apiKey: ApiKeySummary; secret: string }
  | { type: "invalid"; errors: { name: string } }
  | { type: "limit_reached"; limit: number };

export type RevokeApiKeyResult = { type: "revoked"; apiKey: ApiKeySummary } | { type: "not_found" };

export type ApiAuthFailure =
  /** No Authorization: Bearer / X-Api-Key header. */
  | { type: "missing" }
  /** Not a key of ours, unknown prefix or wrong secret (deliberately not told apart). */
  | { type: "invalid" }
  | { type: "revoked"; keyId: string }
  | { type: "shop_uninstalled"; keyId: string };

export type ApiAuthResult = { type: "authenticated"; shopId: string; db: ShopDb; keyId: string } | ApiAuthFailure;

const SUMMARY_SELECT = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function summary(row: KeyRow): ApiKeySummary {
  return { ...row, hint: `${API_KEY_SCHEME}_${row.prefix}_…`, active: row.revokedAt === null };
}

/** SHA-256 of the secret part, hex. Exported for tests. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Splits a presented key into its prefix and secret, or null when it is not shaped like one of ours. */
export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return null;
  return { prefix: match[1]!, secret: match[2]! };
}

/** Creates a key for the shop. The returned `secret` is the only time the full key exists outside the caller. */
export async function createApiKey(db: ShopDb, shopId: string, name: string): Promise<CreateApiKeyResult> {
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (!trimmed) return { type: "invalid", errors: { name: "Give the key a name, e.g. the system that will use it" } };
  if (trimmed.length > MAX_API_KEY_NAME_LENGTH) {
    return { type: "invalid", errors: { name: `Keep the name under ${MAX_API_KEY_NAME_LENGTH} characters` } };
  }
  const active = await db.apiKey.count({ where: { revokedAt: null } });
  if (active >= MAX_ACTIVE_API_KEYS) return { type: "limit_reached", limit: MAX_ACTIVE_API_KEYS };

  // A prefix collision (1 in 2^64 per pair) is retried rather than assumed away.
  for (let attempt = 0; ; attempt++) {
    const prefix = randomBytes(PREFIX_BYTES).toString("hex");
    const secret = randomBytes(SECRET_BYTES).toString("base64url");
    try {
      const row = await db.apiKey.create({
        data: { shopId, name: trimmed, prefix, secretHash: hashSecret(secret) },
        select: SUMMARY_SELECT,
      });
      return { type: "created", apiKey: summary(row), secret: `${API_KEY_SCHEME}_${prefix}_${secret}` };
    } catch (error) {
      if (attempt < 2 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** The shop's keys, newest first, revoked ones included (marked inactive). Secrets are never returned. */
export async function listApiKeys(db: ShopDb): Promise<ApiKeySummary[]> {
  const rows = await db.apiKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: SUMMARY_SELECT });
  return rows.map(summary);
}

/** Revokes a key at once (the next request with it gets 403). Revoking an already revoked key keeps its date. */
export async function revokeApiKey(db: ShopDb, id: string, now = new Date()): Promise<RevokeApiKeyResult> {
  if (!isUuid(id)) return { type: "not_found" };
  await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  const row = await db.apiKey.findFirst({ where: { id }, select: SUMMARY_SELECT });
  return row ? { type: "revoked", apiKey: summary(row) } : { type: "not_found" };
}

/** The key a request presents: `Authorization: Bearer <key>` first, else `X-Api-Key: <key>`. */
export function presentedApiKey(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null && authorization.trim() !== "") {
    const match = /^bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    // Another scheme (Basic, ...) is a key we cannot read: treated as an invalid key, not a missing one.
    return match ? match[1]! : "";
  }
  const header = request.headers.get("x-api-key");
  return header !== null && header.trim() !== "" ? header.trim() : null;
}

/** Compared against when no row matches, so an unknown prefix costs the same as a wrong secret. */
const DUMMY_HASH = Buffer.alloc(32);

/** Authenticates an API request and returns the shop-scoped client it may use, or why it may not. */
export async function authenticateApiKey(request: Request, options: { now?: Date } = {}): Promise<ApiAuthResult> {
  const presented = presentedApiKey(request);
  if (presented === null) return { type: "missing" };
  const parsed = parseApiKey(presented);
  if (!parsed) return { type: "invalid" };

  const row = await prisma.apiKey.findUnique({
    where: { prefix: parsed.prefix },
    select: { id: true, shopId: true, secretHash: true, revokedAt: true, lastUsedAt: true, shop: { select: { uninstalledAt: true } } },
  });
  const expected = row ? Buffer.from(row.secretHash, "hex") : DUMMY_HASH;
  const actual = Buffer.from(hashSecret(parsed.secret), "hex");
  const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!row || !matches) return { type: "invalid" };
  if (row.revokedAt) return { type: "revoked", keyId: row.id };
  if (row.shop.uninstalledAt) return { type: "shop_uninstalled", keyId: row.id };

  const db = forShop(row.shopId);
  const now = options.now ?? new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests write it once; bookkeeping never fails the request.
    await db.apiKey
      .updateMany({
        where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
        data: { lastUsedAt: now },
      })
      .catch(() => undefined);
  }
  return { type: "authenticated", shopId: row.shopId, db, keyId: row.id };
}
