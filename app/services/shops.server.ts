// Shop lifecycle: install, uninstall, scopes. These are the only writes that are not shop-scoped, because they
// create or end the shop itself.
import type { Platform, Shop } from "@prisma/client";
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import type { DiscountPlatform } from "../platforms/port";

export async function findShopByDomain(domain: string): Promise<Shop | null> {
  return prisma.shop.findUnique({ where: { domain } });
}

/** Called after OAuth / token exchange: creates or revives the shop and records what the platform says of it. */
export async function recordInstall(domain: string, platform: DiscountPlatform, scopes: string | null): Promise<Shop> {
  const profile = await platform.describeShop().catch(() => null);
  const data = {
    platform: platform.kind as Platform,
    scopes,
    uninstalledAt: null,
    ...(profile ? { name: profile.name, contactEmail: profile.contactEmail, plan: profile.plan } : {}),
  };
  return prisma.shop.upsert({
    where: { domain },
    create: { domain, installedAt: new Date(), ...data },
    update: { installedAt: new Date(), ...data },
  });
}

/** app/uninstalled: sessions are deleted (the token is dead); the shop's data stays until shop/redact. */
export async function recordUninstall(domain: string): Promise<void> {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: domain } }),
    prisma.shop.updateMany({ where: { domain, uninstalledAt: null }, data: { uninstalledAt: new Date() } }),
  ]);
}

export async function recordScopes(domain: string, scopes: string[]): Promise<void> {
  const scope = scopes.join(",");
  await prisma.$transaction([
    prisma.session.updateMany({ where: { shop: domain }, data: { scope } }),
    prisma.shop.updateMany({ where: { domain }, data: { scopes: scope } }),
  ]);
}

/** A shop counts as installed while it has not uninstalled the app. */
export async function requireInstalledShop(domain: string): Promise<Shop | null> {
  return prisma.shop.findFirst({ where: { domain, uninstalledAt: null } });
}

export async function installedShopIds(): Promise<string[]> {
  const rows = await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** What Settings shows about the store. */
export async function shopProfile(db: ShopDb) {
  return db.shop.findFirstOrThrow({ select: { domain: true, name: true, plan: true, contactEmail: true, scopes: true } });
}

/** The shop as the platform registry needs it (id, domain, platform). */
export async function platformShopOf(db: ShopDb) {
  return db.shop.findFirstOrThrow({ select: { id: true, domain: true, platform: true } });
}
