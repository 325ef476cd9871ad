// Picks the DiscountPlatform adapter for a shop. Adapters register a factory per platform kind; tests can
// register their own to observe calls without touching the network.
import { PermanentPlatformError } from "./errors";
import type { DiscountPlatform, PlatformKind } from "./port";

export interface PlatformShop {
  id: string;
  domain: string;
  platform: PlatformKind;
}

export type PlatformFactory = (shop: PlatformShop) => Promise<DiscountPlatform>;

const factories = new Map<PlatformKind, PlatformFactory>();

export function registerPlatform(kind: PlatformKind, factory: PlatformFactory): () => void {
  const previous = factories.get(kind);
  factories.set(kind, factory);
  return () => {
    if (previous) factories.set(kind, previous);
    else factories.delete(kind);
  };
}

export async function platformFor(shop: PlatformShop): Promise<DiscountPlatform> {
  const factory = factories.get(shop.platform);
  if (!factory) {
    throw new PermanentPlatformError(`No adapter registered for platform ${shop.platform}`, shop.platform);
  }
  return factory(shop);
}
