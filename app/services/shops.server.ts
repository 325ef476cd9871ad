// Shop lifecycle: install, uninstall, scopes. These are the only writes that are not shop-scoped, because they
// create or end the shop itself.
import type { Platform, Shop } from "@prisma/client";
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import { enqueue } from "../jobs/enqueue.server";
import { jobId } from "../jobs/queues";
import type { DiscountPlatform } from "../platforms/port";
import { enqueueWithin } from "./webhooks.server";

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
  const shop = await prisma.shop.upsert({
    where: { domain },
    create: { domain, installedAt: new Date(), ...data },
    update: { installedAt: new Date(), ...data },
  });
  await requestPixelActivation(shop);
  return shop;
}

type PixelShop = Pick<Shop, "id" | "platform" | "scopes" | "uninstalledAt" | "webPixelId" | "installedAt">;

/** An installed Shopify shop that granted write_pixels: without the scope, webPixelCreate cannot work. */
export function canActivatePixel(shop: Omit<PixelShop, "webPixelId" | "installedAt">): boolean {
  const scopes = (shop.scopes ?? "").split(",").map((s) => s.trim());
  return shop.platform === "SHOPIFY" && !shop.uninstalledAt && scopes.includes("write_pixels");
}

/** One activation job per install: the id keeps the sweeper's catch-up from repeating a job that already ran. */
export function pixelActivationJobId(shop: Pick<Shop, "id" | "installedAt">): string {
  return jobId("pixel-activate", shop.id, shop.installedAt.getTime());
}

/**
 * Asks the worker to activate the web pixel (app/services/pixel/activation.server.ts) on every install or
 * re-authorisation: activation is an update when the pixel exists, which also re-points it at the current app URL.
 * Never fails the install: with Redis away the enqueue is dropped and the sweeper's catch-up (shopsAwaitingPixel)
 * enqueues it later.
 */
export async function requestPixelActivation(shop: PixelShop): Promise<boolean> {
  if (!canActivatePixel(shop)) return false;
  return enqueueWithin(ACTIVATION_ENQUEUE_TIMEOUT_MS, () =>
    enqueue("pixels", "activate", { shopId: shop.id }, { jobId: pixelActivationJobId(shop) }),
  );
}

const ACTIVATION_ENQUEUE_TIMEOUT_MS = 1000;

/** Installed Shopify shops still waiting for their pixel, for the sweeper's catch-up. */
export async function shopsAwaitingPixel(): Promise<PixelShop[]> {
  const rows = await prisma.shop.findMany({
    where: { platform: "SHOPIFY", uninstalledAt: null, webPixelId: null, scopes: { contains: "write_pixels" } },
    select: { id: true, platform: true, scopes: true, uninstalledAt: true, webPixelId: true, installedAt: true },
    take: 1000,
  });
  return rows.filter(canActivatePixel);
}

/**
 * app/uninstalled: sessions are deleted (the token is dead); the shop's data stays until shop/redact. Shopify
 * removes the app's web pixel with the app, so the pixel id is forgotten and a reinstall creates a new one.
 *
 * `triggeredAt` is when Shopify says the uninstall happened (X-Shopify-Triggered-At). Shopify retries a delivery
 * for up to 48 hours and does not keep webhooks in order, so an uninstall can arrive after the merchant installed
 * the app again: one that happened before the shop's latest install (or re-authorisation) is stale and changes
 * nothing, or it would end the new install's sessions and refuse its storefront events until the next sign-in.
 */
export async function recordUninstall(domain: string, triggeredAt: Date | null = null): Promise<"uninstalled" | "stale"> {
  const at = triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null;
  return prisma.$transaction(async (tx) => {
    const installedSince = at ? await tx.shop.count({ where: { domain, installedAt: { gt: at } } }) : 0;
    if (installedSince > 0) return "stale" as const;
    await tx.session.deleteMany({ where: { shop: domain } });
    await tx.shop.updateMany({
      where: { domain, uninstalledAt: null },
      data: { uninstalledAt: new Date(), webPixelId: null },
    });
    return "uninstalled" as const;
  });
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

/**
 * The shops whose stored events the minute sweep re-enqueues: installed ones, and uninstalled ones holding a webhook
 * never processed. shop/redact always arrives after the uninstall (48 hours later), and customers/redact and data
 * requests may: one stored while Redis was away has had its 200, so Shopify will not send it again, and only the
 * sweep can still get it processed.
 */
export async function shopIdsWithEventsToSweep(): Promise<string[]> {
  const rows = await prisma.shop.findMany({
    where: { OR: [{ uninstalledAt: null }, { events: { some: { processedAt: null, source: "WEBHOOK" } } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** What Settings shows about the store. */
export async function shopProfile(db: ShopDb) {
  return db.shop.findFirstOrThrow({
    select: { domain: true, platform: true, name: true, plan: true, contactEmail: true, scopes: true },
  });
}

/** What pixel activation needs to know about the shop. */
export async function pixelShopOf(db: ShopDb) {
  return db.shop.findFirstOrThrow({
    select: {
      id: true,
      domain: true,
      platform: true,
      scopes: true,
      uninstalledAt: true,
      webPixelId: true,
      installedAt: true,
    },
  });
}

export async function recordWebPixel(db: ShopDb, webPixelId: string): Promise<void> {
  await db.shop.updateMany({ data: { webPixelId } });
}

/** The shop as the platform registry needs it (id, domain, platform). */
export async function platformShopOf(db: ShopDb) {
  return db.shop.findFirstOrThrow({ select: { id: true, domain: true, platform: true } });
}

/** The shop's platform adapter, wired on first use: only the paths that talk to the store load the app wiring. */
export async function storePlatform(db: ShopDb): Promise<DiscountPlatform> {
  const { platformFor } = await import("../platforms/index.server");
  return platformFor(await platformShopOf(db));
}
