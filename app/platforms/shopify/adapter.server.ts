// Shopify implementation of the DiscountPlatform port over the Admin GraphQL client.
import { PlatformNotImplementedError } from "../errors";
import type { BulkAddProgress, BulkAddStart, CreateCodeResult, DiscountPlatform, PlatformDiscount, ShopProfile } from "../port";
import type { ShopifyAdminClient } from "./admin-client.server";
import {
  CODE_DISCOUNT_BY_CODE,
  CODE_DISCOUNTS,
  REDEEM_CODES_BULK_ADD,
  REDEEM_CODES_BULK_FAILURES,
  REDEEM_CODES_BULK_PROGRESS,
} from "./documents/redeem-codes";
import { SHOP_DETAILS } from "./documents/shop";

/** Shopify's limit for one discountRedeemCodeBulkAdd call (and any input array). */
export const REDEEM_CODES_PER_CALL = 250;

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

  async listDiscounts(): Promise<PlatformDiscount[]> {
    const { codeDiscountNodes } = await this.admin.request(CODE_DISCOUNTS, { query: null });
    return codeDiscountNodes.nodes.map((n) => ({
      id: n.id,
      title: n.codeDiscount.title ?? n.id,
      status: n.codeDiscount.status ?? null,
      kind: n.codeDiscount.__typename,
    }));
  }

  async addCodesToDiscount(discountRef: string, codes: string[]): Promise<BulkAddStart> {
    if (codes.length === 0 || codes.length > REDEEM_CODES_PER_CALL) {
      return { type: "refused", message: `Between 1 and ${REDEEM_CODES_PER_CALL} codes per call, not ${codes.length}` };
    }
    const { discountRedeemCodeBulkAdd: result } = await this.admin.request(REDEEM_CODES_BULK_ADD, {
      discountId: discountRef,
      codes: codes.map((code) => ({ code })),
    });
    if (result.userErrors.length || !result.bulkCreation) {
      return { type: "refused", message: result.userErrors.map((e) => e.message).join("; ") || "Shopify refused the codes" };
    }
    const b = result.bulkCreation;
    return { type: "started", progress: { ref: b.id, done: b.done, total: b.codesCount, imported: b.importedCount, failed: [] } };
  }

  async bulkAddProgress(ref: string): Promise<BulkAddProgress> {
    const { discountRedeemCodeBulkCreation: b } = await this.admin.request(REDEEM_CODES_BULK_PROGRESS, { id: ref });
    if (!b) return { ref, done: true, total: 0, imported: 0, failed: [] };
    const progress: BulkAddProgress = { ref, done: b.done, total: b.codesCount, imported: b.importedCount, failed: [] };
    if (b.done && b.failedCount > 0) {
      const { discountRedeemCodeBulkCreation: detail } = await this.admin.request(REDEEM_CODES_BULK_FAILURES, { id: ref });
      progress.failed = (detail?.codes.nodes ?? [])
        .filter((n) => n.errors.length > 0)
        .map((n) => ({ code: n.code, reason: n.errors.map((e) => e.code ?? e.message).join(", ") }));
    }
    return progress;
  }

  async discountOfCode(code: string): Promise<string | null> {
    const { codeDiscountNodeByCode } = await this.admin.request(CODE_DISCOUNT_BY_CODE, { code });
    return codeDiscountNodeByCode?.id ?? null;
  }

  // Dynamic codes arrive with the dynamic-codes issue (#4).
  createDynamicCode(): Promise<CreateCodeResult> {
    return Promise.reject(notYet("createDynamicCode"));
  }
  findCode(): Promise<{ platformRef: string } | null> {
    return Promise.reject(notYet("findCode"));
  }
  revokeCode(): Promise<void> {
    return Promise.reject(notYet("revokeCode"));
  }
}

function notYet(method: string) {
  return new PlatformNotImplementedError(`Shopify ${method} is not implemented yet`, "SHOPIFY");
}
