// Each test gets its own shop: a Shop row, an offline session (what jobs use), and, when a simulator is
// running, the same shop registered there with a seeded catalogue.
import { randomUUID } from "node:crypto";
import type { Platform } from "@prisma/client";
import { prisma } from "../../app/db.server";
import { forShop } from "../../app/db/shop-scope.server";

export interface TestShop {
  id: string;
  domain: string;
  accessToken: string;
  db: ReturnType<typeof forShop>;
}

export async function createTestShop(options: { platform?: Platform; name?: string; seed?: boolean } = {}): Promise<TestShop> {
  const slug = `t-${randomUUID().slice(0, 12)}`;
  const domain = `${slug}.myshopify.com`;
  const accessToken = `shpat_${randomUUID().replaceAll("-", "")}`;
  const shop = await prisma.shop.create({
    data: { domain, platform: options.platform ?? "SHOPIFY", name: options.name ?? slug, contactEmail: `owner@${slug}.test` },
  });
  await prisma.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "installed",
      isOnline: false,
      accessToken,
      scope: process.env.SCOPES ?? "",
    },
  });
  const simulator = globalThis.__testSimulator;
  if (simulator) {
    simulator.registerShop({ domain, accessToken, plan: "standard", name: options.name ?? slug });
    if (options.seed) {
      const { seedDemoShop } = await import("../../simulator/shopify");
      seedDemoShop(simulator, { domain });
    }
  }
  return { id: shop.id, domain, accessToken, db: forShop(shop.id) };
}
