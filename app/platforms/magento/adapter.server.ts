// Magento 2 implementation of the DiscountPlatform port. The REST adapter (sales rules, coupons, per-shop
// connection settings) arrives with the dynamic-codes issue (#4); until then every call says so.
import { PlatformNotImplementedError } from "../errors";
import type { BulkAddProgress, BulkAddStart, CreateCodeResult, DiscountPlatform, PlatformDiscount, ShopProfile } from "../port";

export class MagentoPlatform implements DiscountPlatform {
  readonly kind = "MAGENTO" as const;

  describeShop(): Promise<ShopProfile> {
    return Promise.reject(notYet("describeShop"));
  }
  createDynamicCode(): Promise<CreateCodeResult> {
    return Promise.reject(notYet("createDynamicCode"));
  }
  findCode(): Promise<{ platformRef: string } | null> {
    return Promise.reject(notYet("findCode"));
  }
  revokeCode(): Promise<void> {
    return Promise.reject(notYet("revokeCode"));
  }
  listDiscounts(): Promise<PlatformDiscount[]> {
    return Promise.reject(notYet("listDiscounts"));
  }
  addCodesToDiscount(): Promise<BulkAddStart> {
    return Promise.reject(notYet("addCodesToDiscount"));
  }
  discountOfCode(): Promise<string | null> {
    return Promise.reject(notYet("discountOfCode"));
  }
  bulkAddProgress(): Promise<BulkAddProgress> {
    return Promise.reject(notYet("bulkAddProgress"));
  }
}

function notYet(method: string) {
  return new PlatformNotImplementedError(`Magento ${method} is not implemented yet`, "MAGENTO");
}
