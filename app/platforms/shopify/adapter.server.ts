// Shopify implementation of the DiscountPlatform port over the Admin GraphQL client.
import { PlatformNotImplementedError } from "../errors";
import type { BulkAddProgress, CreateCodeResult, DiscountPlatform, ShopProfile } from "../port";
import type { ShopifyAdminClient } from "./admin-client.server";
import { SHOP_DETAILS } from "./documents/shop";

export class ShopifyPlatform implements DiscountPlatform {
  readonly kind = "SHOPIFY" as const;

  constructor(private readonly admin: ShopifyAdminClient) {}

  async describeShop(): Promise<ShopProfile> {
    const { shop } = await this.admin.request(SHOP_DETAILS);
    return {
      name: shop.name,
      contactEmail: shop.contactEmail || shop.email || null,
      plan: shop.plan.displayName,
      currencyCode: shop.currencyCode,
    };
  }

  // Dynamic codes and bulk redeem codes arrive with the dynamic-codes and pools issues (#4, #3).
  createDynamicCode(): Promise<CreateCodeResult> {
    return Promise.reject(notYet("createDynamicCode"));
  }
  findCode(): Promise<{ platformRef: string } | null> {
    return Promise.reject(notYet("findCode"));
  }
  revokeCode(): Promise<void> {
    return Promise.reject(notYet("revokeCode"));
  }
  addCodesToDiscount(): Promise<BulkAddProgress> {
    return Promise.reject(notYet("addCodesToDiscount"));
  }
  bulkAddProgress(): Promise<BulkAddProgress> {
    return Promise.reject(notYet("bulkAddProgress"));
  }
}

function notYet(method: string) {
  return new PlatformNotImplementedError(`Shopify ${method} is not implemented yet`, "SHOPIFY");
}
