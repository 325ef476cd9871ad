// Who is asking, for every admin page. In production that is Shopify's session token (authenticate.admin); in
// demo mode (refused in production by env.server.ts) the request names a seeded shop and is signed in as it.
import { prisma } from "./db.server";
import { forShop, type ShopDb } from "./db/shop-scope.server";
import { env } from "./env.server";
import { authenticate } from "./shopify.server";

export interface AdminContext {
  shopId: string;
  shopDomain: string;
  db: ShopDb;
  demo: boolean;
}

export const DEMO_SHOP_COOKIE = "demo_shop";

export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (env().DEMO_MODE) return demoAdmin(request);
  const { session } = await authenticate.admin(request);
  const shop = await prisma.shop.upsert({
    where: { domain: session.shop },
    create: { domain: session.shop, scopes: session.scope ?? null },
    update: {},
    select: { id: true, domain: true },
  });
  return { shopId: shop.id, shopDomain: shop.domain, db: forShop(shop.id), demo: false };
}

function demoShopDomain(request: Request): string | null {
  const url = new URL(request.url);
  const fromQuery = url.searchParams.get("shop");
  if (fromQuery) return fromQuery;
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${DEMO_SHOP_COOKIE}=([^;]+)`).exec(cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

async function demoAdmin(request: Request): Promise<AdminContext> {
  const domain = demoShopDomain(request);
  if (!domain) {
    throw new Response("Demo mode: name a seeded shop with ?shop=<domain>", { status: 401 });
  }
  const shop = await prisma.shop.findFirst({ where: { domain, uninstalledAt: null }, select: { id: true, domain: true } });
  if (!shop) throw new Response(`Demo mode: unknown shop ${domain}`, { status: 401 });
  return { shopId: shop.id, shopDomain: shop.domain, db: forShop(shop.id), demo: true };
}

export function demoShopCookie(domain: string): string {
  return `${DEMO_SHOP_COOKIE}=${encodeURIComponent(domain)}; Path=/; HttpOnly; SameSite=Lax`;
}
