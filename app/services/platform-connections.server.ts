// How the app reaches a Magento store: base URL, store code, the integration's access token, and the websites
// and customer groups the app's sales rules apply to. Saving tests the connection with real calls first and
// stores nothing that does not work. The token and the events signing secret are stored encrypted
// (secrets.server.ts) and never leave the server: views only say whether they are set. The signing secret is
// generated here and shown to the merchant once.
import type { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import { isPrivateAddress } from "../domain/private-address";
import { PermanentPlatformError, PlatformAuthError, PlatformError } from "../platforms/errors";
import { MagentoPlatform, type MagentoSettings } from "../platforms/magento/adapter.server";
import { MagentoApiError, MagentoRestClient, type MagentoClientOptions, type MagentoConnection } from "../platforms/magento/rest-client.server";
import type { ShopProfile } from "../platforms/port";
import { decryptSecret, encryptSecret, generateSigningSecret } from "./secrets.server";

export interface MagentoConnectionInput {
  baseUrl: string;
  storeCode: string;
  /** Empty keeps the token already stored. */
  token: string;
  /** Comma-separated ids, as typed in the form. */
  websiteIds: string;
  customerGroupIds: string;
}

export type ConnectionField = "baseUrl" | "storeCode" | "token" | "websiteIds" | "customerGroupIds";

export interface MagentoConnectionView {
  baseUrl: string;
  storeCode: string;
  tokenSet: boolean;
  eventsSecretSet: boolean;
  websiteIds: number[];
  customerGroupIds: number[];
  verifiedAt: Date | null;
  lastError: string | null;
  ordersSyncedAt: Date | null;
}

export type SaveConnectionResult =
  | { type: "saved"; connection: MagentoConnectionView; store: ShopProfile; warnings: string[]; eventsSecret: string | null }
  | { type: "invalid"; errors: Partial<Record<ConnectionField, string>> }
  | { type: "connection_failed"; message: string; hint: string | null }
  | { type: "not_magento" };

export const TOKEN_CONTEXT = (shopId: string) => `${shopId}:magento-token`;
export const EVENTS_SECRET_CONTEXT = (shopId: string) => `${shopId}:magento-events-secret`;

const VIEW_SELECT = {
  baseUrl: true,
  storeCode: true,
  eventsSecretEncrypted: true,
  websiteIds: true,
  customerGroupIds: true,
  verifiedAt: true,
  lastError: true,
  ordersSyncedAt: true,
} as const satisfies Prisma.PlatformConnectionSelect;

type ViewRow = Prisma.PlatformConnectionGetPayload<{ select: typeof VIEW_SELECT }>;

function toView(row: ViewRow): MagentoConnectionView {
  return {
    baseUrl: row.baseUrl,
    storeCode: row.storeCode,
    tokenSet: true,
    eventsSecretSet: row.eventsSecretEncrypted !== null,
    websiteIds: row.websiteIds,
    customerGroupIds: row.customerGroupIds,
    verifiedAt: row.verifiedAt,
    lastError: row.lastError,
    ordersSyncedAt: row.ordersSyncedAt,
  };
}

export async function getMagentoConnectionView(db: ShopDb): Promise<MagentoConnectionView | null> {
  const row = await db.platformConnection.findFirst({ select: VIEW_SELECT });
  return row ? toView(row) : null;
}

// ---- validation ------------------------------------------------------------------------------------------------

/** The store's base URL as the client needs it, or why it cannot be used. */
export function normaliseBaseUrl(input: string): { ok: true; url: string } | { ok: false; error: string } {
  const text = input.trim();
  if (!text) return { ok: false, error: "Enter your store's address, e.g. https://shop.example.com" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: "This is not a web address. Enter it like https://shop.example.com" };
  }
  if (url.protocol !== "https:") return { ok: false, error: "Use an https:// address: the access token must not travel unencrypted" };
  if (url.username || url.password) return { ok: false, error: "Leave user names and passwords out of the address" };
  if (url.search || url.hash) return { ok: false, error: "Leave ?query and #fragment out of the address" };
  if (/\/(rest|index\.php)(\/|$)/i.test(url.pathname)) {
    return { ok: false, error: "Enter the store's base address without /rest or /index.php (e.g. https://shop.example.com)" };
  }
  if (isPrivateAddress(url.hostname)) return { ok: false, error: "The store must be reachable on the internet, not a local or private address" };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

function parseIds(text: string, label: string): { ok: true; ids: number[] } | { ok: false; error: string } {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, error: `Enter at least one ${label} id` };
  if (parts.some((p) => !/^\d{1,9}$/.test(p))) return { ok: false, error: `${label[0]!.toUpperCase()}${label.slice(1)} ids are numbers separated by commas` };
  return { ok: true, ids: [...new Set(parts.map(Number))] };
}

interface ValidInput {
  baseUrl: string;
  storeCode: string;
  token: string | null;
  websiteIds: number[];
  customerGroupIds: number[];
}

function validate(input: MagentoConnectionInput, hasToken: boolean): { ok: true; value: ValidInput } | { ok: false; errors: Partial<Record<ConnectionField, string>> } {
  const errors: Partial<Record<ConnectionField, string>> = {};
  const baseUrl = normaliseBaseUrl(input.baseUrl);
  if (!baseUrl.ok) errors.baseUrl = baseUrl.error;
  const storeCode = input.storeCode.trim() || "default";
  if (!/^[A-Za-z0-9_]{1,32}$/.test(storeCode)) errors.storeCode = "A store code has letters, digits and underscores, like default";
  const token = input.token.trim();
  if (!token && !hasToken) errors.token = "Paste the integration's access token";
  else if (token && (token.length < 16 || token.length > 512 || /\s/.test(token))) {
    errors.token = "This does not look like an access token (System > Extensions > Integrations > Access Token)";
  }
  const websites = parseIds(input.websiteIds, "website");
  if (!websites.ok) errors.websiteIds = websites.error;
  const groups = parseIds(input.customerGroupIds, "customer group");
  if (!groups.ok) errors.customerGroupIds = groups.error;
  if (!baseUrl.ok || !websites.ok || !groups.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { baseUrl: baseUrl.url, storeCode, token: token || null, websiteIds: websites.ids, customerGroupIds: groups.ids } };
}

// ---- testing a connection ----------------------------------------------------------------------------------------

/** Says what to do about a failed test, in the merchant's words. */
export function explainConnectionFailure(error: unknown): { message: string; hint: string | null } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PlatformAuthError) {
    return {
      message,
      hint:
        "Check the integration's access token and its API resources: Marketing > Cart Price Rules, Stores > Settings > " +
        "All Stores, Catalog > Products (and Sales > Operations > Orders for order sync). Since Magento 2.4.4, also set " +
        'Stores > Configuration > Services > OAuth > Consumer Settings > "Allow OAuth Access Tokens to be used as ' +
        'standalone Bearer tokens" to Yes.',
    };
  }
  if (error instanceof MagentoApiError && error.status === 404) {
    return { message, hint: "Magento did not recognise the address: check the base URL and the store code." };
  }
  if (error instanceof PlatformError && error.retriable) {
    return { message, hint: "The store did not answer. Check the address, and that the store is online and reachable from the internet." };
  }
  if (error instanceof PermanentPlatformError) return { message, hint: "Check that the address is the store's base URL." };
  return { message, hint: null };
}

export interface ConnectionTestResult {
  store: ShopProfile;
  warnings: string[];
}

/** Real calls with the candidate settings: who the store is, that rules can be managed, whether orders can be read. */
export async function testMagentoConnection(connection: MagentoConnection, options: MagentoClientOptions = {}): Promise<ConnectionTestResult> {
  const client = new MagentoRestClient(connection, { maxRetries: 1, timeoutMs: 10_000, ...options });
  const store = await new MagentoPlatform(client, { websiteIds: [], customerGroupIds: [] }).describeShop();
  await client.search("/salesRules/search", { pageSize: 1 });
  const warnings: string[] = [];
  try {
    await client.search("/orders", { pageSize: 1 });
  } catch (error) {
    if (!(error instanceof PlatformAuthError)) throw error;
    warnings.push("The integration cannot read orders (Sales > Operations > Orders), so orders are not synced from Magento.");
  }
  return { store, warnings };
}

// ---- saving ------------------------------------------------------------------------------------------------------

export async function saveMagentoConnection(
  db: ShopDb,
  shopId: string,
  input: MagentoConnectionInput,
  options: { clientOptions?: MagentoClientOptions } = {},
): Promise<SaveConnectionResult> {
  const shop = await db.shop.findFirstOrThrow({ select: { platform: true } });
  if (shop.platform !== "MAGENTO") return { type: "not_magento" };
  const existing = await db.platformConnection.findFirst({ select: { baseUrl: true, tokenEncrypted: true, eventsSecretEncrypted: true } });
  const checked = validate(input, existing !== null);
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  const value = checked.value;
  const token = value.token ?? decryptSecret(existing!.tokenEncrypted, TOKEN_CONTEXT(shopId));

  let test: ConnectionTestResult;
  try {
    test = await testMagentoConnection({ baseUrl: value.baseUrl, storeCode: value.storeCode, token }, options.clientOptions);
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    return { type: "connection_failed", ...explainConnectionFailure(error) };
  }

  const eventsSecret = existing?.eventsSecretEncrypted ? null : generateSigningSecret();
  const fields = {
    baseUrl: value.baseUrl,
    storeCode: value.storeCode,
    tokenEncrypted: encryptSecret(token, TOKEN_CONTEXT(shopId)),
    websiteIds: value.websiteIds,
    customerGroupIds: value.customerGroupIds,
    verifiedAt: new Date(),
    lastError: null,
    ...(eventsSecret ? { eventsSecretEncrypted: encryptSecret(eventsSecret, EVENTS_SECRET_CONTEXT(shopId)) } : {}),
    // Another store's order cursor means nothing here, and its past orders start no scenario either.
    ...(existing && existing.baseUrl !== value.baseUrl ? { ordersSyncedAt: null, ordersWatchedFrom: new Date() } : {}),
  };
  const row = await db.platformConnection.upsert({
    where: { shopId },
    create: { shopId, ...fields },
    update: fields,
    select: VIEW_SELECT,
  });
  if (test.store.name) await db.shop.updateMany({ data: { name: test.store.name } });
  return { type: "saved", connection: toView(row), store: test.store, warnings: test.warnings, eventsSecret };
}

/** A new events signing secret, returned once; the previous one stops working at once. */
export async function rotateEventsSecret(db: ShopDb, shopId: string): Promise<{ type: "rotated"; secret: string } | { type: "not_connected" }> {
  const secret = generateSigningSecret();
  const { count } = await db.platformConnection.updateMany({ data: { eventsSecretEncrypted: encryptSecret(secret, EVENTS_SECRET_CONTEXT(shopId)) } });
  return count === 1 ? { type: "rotated", secret } : { type: "not_connected" };
}

export async function recordConnectionError(db: ShopDb, message: string | null): Promise<void> {
  await db.platformConnection.updateMany({ data: { lastError: message?.slice(0, 1000) ?? null } });
}

// ---- for jobs and endpoints ----------------------------------------------------------------------------------------

export interface LoadedConnection {
  connection: MagentoConnection;
  settings: MagentoSettings;
}

export async function loadMagentoConnection(db: ShopDb, shopId: string): Promise<LoadedConnection | null> {
  const row = await db.platformConnection.findFirst();
  if (!row) return null;
  return {
    connection: { baseUrl: row.baseUrl, storeCode: row.storeCode, token: decryptSecret(row.tokenEncrypted, TOKEN_CONTEXT(shopId)) },
    settings: { websiteIds: row.websiteIds, customerGroupIds: row.customerGroupIds },
  };
}

/** The registry's factory for Magento shops. */
export async function magentoPlatformForShop(db: ShopDb, shopId: string, options: MagentoClientOptions = {}): Promise<MagentoPlatform> {
  const loaded = await loadMagentoConnection(db, shopId);
  if (!loaded) {
    throw new PermanentPlatformError("This Magento store is not connected yet: open Settings > Magento and save the connection", "MAGENTO");
  }
  return new MagentoPlatform(new MagentoRestClient(loaded.connection, options), loaded.settings);
}

/** The shop's events signing secret, decrypted; null when the shop has none (not a Magento shop, or not connected). */
export async function eventsSecretOf(db: ShopDb, shopId: string): Promise<string | null> {
  const row = await db.platformConnection.findFirst({ select: { eventsSecretEncrypted: true } });
  return row?.eventsSecretEncrypted ? decryptSecret(row.eventsSecretEncrypted, EVENTS_SECRET_CONTEXT(shopId)) : null;
}

/** Installed Magento shops with a tested connection: the ones order polling runs for. */
export async function connectedMagentoShopIds(): Promise<string[]> {
  const rows = await prisma.platformConnection.findMany({
    where: { verifiedAt: { not: null }, shop: { platform: "MAGENTO", uninstalledAt: null } },
    select: { shopId: true },
  });
  return rows.map((r) => r.shopId);
}
