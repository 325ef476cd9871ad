// Shopify implementation of the DiscountPlatform port over the Admin GraphQL client.
import { PermanentPlatformError, RetriablePlatformError } from "../errors";
import type {
  BulkAddProgress,
  BulkAddStart,
  CreateCodeResult,
  DiscountPlatform,
  DynamicCodeSpec,
  PlatformDiscount,
  ShopProfile,
} from "../port";
import type { ShopifyAdminClient } from "./admin-client.server";
import { codeInputOf, resultOfUserErrors } from "./dynamic-input";
import {
  DYNAMIC_CODE_BASIC_CREATE,
  DYNAMIC_CODE_DEACTIVATE,
  DYNAMIC_CODE_FREE_SHIPPING_CREATE,
  DYNAMIC_CODE_OWNER,
  type CreatedDiscountShape,
} from "./documents/dynamic-codes";
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

  /**
   * One discount per code: Shopify restricts a discount to customers, not a single redeem code, so a code for one
   * customer needs its own discount. A transport failure is thrown (RetriablePlatformError): Shopify may have
   * created the code, and only the caller, who recorded it first, can look before trying again.
   */
  async createDynamicCode(spec: DynamicCodeSpec): Promise<CreateCodeResult> {
    const input = codeInputOf(spec);
    let answer: CreatedDiscountShape;
    switch (input.mutation) {
      case "none":
        return { type: "invalid", message: input.invalid };
      case "basic":
        answer = (await this.admin.request(DYNAMIC_CODE_BASIC_CREATE, { input: input.input })).discountCodeBasicCreate;
        break;
      case "freeShipping":
        answer = (await this.admin.request(DYNAMIC_CODE_FREE_SHIPPING_CREATE, { input: input.input }))
          .discountCodeFreeShippingCreate;
        break;
    }
    if (answer.userErrors.some((e) => e.code === "INTERNAL_ERROR")) {
      throw new RetriablePlatformError(`Shopify failed to create ${spec.code}: ${answer.userErrors.map((e) => e.message).join("; ")}`, "SHOPIFY");
    }
    const refused = resultOfUserErrors(spec, answer.userErrors);
    if (refused) return refused;
    if (!answer.codeDiscountNode) throw new PermanentPlatformError(`Shopify created no discount for ${spec.code} and gave no reason`, "SHOPIFY");
    return { type: "created", platformRef: answer.codeDiscountNode.id };
  }

  /** The discount holding `code`, only when this app created it as a discount of that one code. */
  async findCode(code: string): Promise<{ platformRef: string } | null> {
    const { app, codeDiscountNodeByCode: node } = await this.admin.request(DYNAMIC_CODE_OWNER, { code });
    const first = node?.codeDiscount.codes?.nodes[0];
    if (!node || !app || !first) return null;
    const ours = node.codeDiscount.codesCount?.count === 1 && first.code.toUpperCase() === code.toUpperCase() && first.createdBy?.id === app.id;
    return ours ? { platformRef: node.id } : null;
  }

  /**
   * Deactivates rather than deletes: the discount keeps its usage and sales in the merchant's Shopify reports, and
   * the code text stays reserved, so it can never be reused by another discount and confused with the revoked one
   * when orders are matched to codes by their text. Deactivating is idempotent, and a discount deleted in Shopify
   * meanwhile counts as revoked.
   */
  async revokeCode(platformRef: string): Promise<void> {
    const { discountCodeDeactivate: answer } = await this.admin.request(DYNAMIC_CODE_DEACTIVATE, { id: platformRef });
    const errors = answer.userErrors.filter((e) => !/does not exist/i.test(e.message));
    if (errors.length > 0) {
      throw new PermanentPlatformError(`Shopify refused to deactivate ${platformRef}: ${errors.map((e) => e.message).join("; ")}`, "SHOPIFY");
    }
  }
}
