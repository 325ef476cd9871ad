// Who is asking, for every admin page. A Magento merchant is signed in by our own session cookie
// (app/services/merchant-accounts.server.ts); a Shopify merchant by Shopify's session token (authenticate.admin);
// in demo mode (refused in production by env.server.ts) the request names a seeded shop and is signed in as it.
import { redirect } from "react-router";
import { prisma } from "./db.server";
import { forShop, type ShopDb } from "./db/shop-scope.server";
import { env } from "./env.server";
import { SESSION_COOKIE, SESSION_TTL_MS, sessionFromToken } from "./services/merchant-accounts.server";
import { authenticate } from "./shopify.server";
import { escapeHtml } from "./domain/messages/template";

export interface AdminContext {
  shopId: string;
  shopDomain: string;
  db: ShopDb;
  demo: boolean;
  /** Set when a Magento merchant signed in with their own account (the admin then stands alone, with Log out). */
  merchant: { email: string } | null;
  /** Headers the response should carry (a renewed session cookie). */
  headers?: Headers;
}

export const DEMO_SHOP_COOKIE = "demo_shop";

function readCookie(request: Request, name: string): string | null {
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function secureCookies(): boolean {
  return env().SHOPIFY_APP_URL.startsWith("https:");
}

/** The merchant session cookie: HttpOnly, SameSite=Lax (no cross-site form posts carry it), Secure over https. */
export function merchantSessionCookie(token: string): string {
  const secure = secureCookies() ? "; Secure" : "";
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}${secure}`;
}

export function clearMerchantSessionCookie(): string {
  const secure = secureCookies() ? "; Secure" : "";
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}

export function merchantSessionToken(request: Request): string | null {
  return readCookie(request, SESSION_COOKIE);
}

/** Requests Shopify's admin makes carry one of these; a stale merchant cookie must not get in their way. */
function looksLikeShopifyRequest(request: Request): boolean {
  const url = new URL(request.url);
  return (
    request.headers.get("authorization")?.startsWith("Bearer ") === true ||
    ["shop", "host", "id_token", "embedded"].some((p) => url.searchParams.has(p))
  );
}

/**
 * A form post signed in by cookie must come from the app's own pages. SameSite=Lax already keeps cross-site posts
 * from carrying the cookie; this also refuses a post whose Origin (or Sec-Fetch-Site) says it came from elsewhere.
 */
export function assertSameOrigin(request: Request): void {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return;
  const origin = request.headers.get("origin");
  if (origin) {
    const allowed = new Set([new URL(request.url).origin, new URL(env().SHOPIFY_APP_URL).origin]);
    if (!allowed.has(origin)) throw new Response("This form was sent from another site", { status: 403 });
    return;
  }
  if (request.headers.get("sec-fetch-site") === "cross-site") throw new Response("This form was sent from another site", { status: 403 });
}

async function merchantAdmin(request: Request): Promise<AdminContext | null> {
  const token = merchantSessionToken(request);
  if (!token) return null;
  const session = await sessionFromToken(token);
  if (!session) {
    if (looksLikeShopifyRequest(request) || env().DEMO_MODE) return null;
    const next = new URL(request.url);
    throw redirect(`/magento/login?next=${encodeURIComponent(next.pathname + next.search)}`, {
      headers: { "Set-Cookie": clearMerchantSessionCookie() },
    });
  }
  assertSameOrigin(request);
  const headers = new Headers();
  if (session.renewed) headers.append("Set-Cookie", merchantSessionCookie(token));
  return { shopId: session.shopId, shopDomain: session.shopDomain, db: forShop(session.shopId), demo: false, merchant: { email: session.email }, headers };
}

export async function requireAdmin(request: Request): Promise<AdminContext> {
  const merchant = await merchantAdmin(request);
  if (merchant) return merchant;
  if (env().DEMO_MODE) return demoAdmin(request);
  const { session } = await authenticate.admin(request);
  const shop = await prisma.shop.upsert({
    where: { domain: session.shop },
    create: { domain: session.shop, scopes: session.scope ?? null },
    update: {},
    select: { id: true, domain: true },
  });
  return { shopId: shop.id, shopDomain: shop.domain, db: forShop(shop.id), demo: false, merchant: null };
}

function demoShopDomain(request: Request): string | null {
  const url = new URL(request.url);
  const fromQuery = url.searchParams.get("shop");
  if (fromQuery) return fromQuery;
  return readCookie(request, DEMO_SHOP_COOKIE);
}

async function demoAdmin(request: Request): Promise<AdminContext> {
  const domain = demoShopDomain(request);
  if (!domain) {
    throw new Response("Demo mode: name a seeded shop with ?shop=&lt;domain&gt;", { status: 401 });
  }
  const shop = await prisma.shop.findFirst({ where: { domain, uninstalledAt: null }, select: { id: true, domain: true } });
  // The app layout's error boundary renders a thrown Response's text as HTML (Shopify's re-auth bounce is a page):
  // what the visitor typed is escaped, or ?shop=<img onerror=...> would run in the admin's origin.
  if (!shop) throw new Response(`Demo mode: unknown shop ${escapeHtml(domain)}`, { status: 401 });
  return { shopId: shop.id, shopDomain: shop.domain, db: forShop(shop.id), demo: true, merchant: null };
}

export function demoShopCookie(domain: string): string {
  return `${DEMO_SHOP_COOKIE}=${encodeURIComponent(domain)}; Path=/; HttpOnly; SameSite=Lax`;
}
