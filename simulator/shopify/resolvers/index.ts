/**
 * Root values for query and mutation operations, assembled per request from
 * the area modules. A root field not listed here is "not modelled" and fails
 * loudly (see context.ts).
 */
import type { ShopStore } from "../store";
import { bulkCodeMutationFields, bulkCodeQueryFields } from "./bulk-codes";
import { bulkOperationMutationFields, bulkOperationQueryFields } from "./bulk-operations";
import type { View } from "./context";
import { customerMutationFields, customerQueryFields } from "./customers";
import { discountMutationFields } from "./discount-mutations";
import { discountQueryFields } from "./discounts";
import { metafieldMutationFields } from "./metafields";
import { nodeQueryFields } from "./nodes";
import { orderQueryFields } from "./orders";
import { pixelMutationFields, pixelQueryFields } from "./pixels";
import { productQueryFields } from "./products";
import { shopQueryFields, type AppIdentity } from "./shop";

export { fieldResolver, typeResolver, NOT_MODELLED_CODE } from "./context";
export type { ResolverContext, BulkCodeTiming } from "./context";
export type { AppIdentity } from "./shop";
export { bulkMutationOperation, isActiveBulkOperation, MAX_CONCURRENT_BULK_MUTATIONS } from "./bulk-operations";

export function queryRoot(store: ShopStore, app: AppIdentity): View {
  return {
    ...shopQueryFields(store, app),
    ...productQueryFields(store),
    ...customerQueryFields(store),
    ...orderQueryFields(store),
    ...discountQueryFields(store),
    ...bulkCodeQueryFields(store),
    ...bulkOperationQueryFields(store),
    ...pixelQueryFields(store),
    ...nodeQueryFields(store),
  };
}

export function mutationRoot(store: ShopStore): View {
  return {
    ...customerMutationFields(store),
    ...metafieldMutationFields(store),
    ...discountMutationFields(store),
    ...bulkCodeMutationFields(store),
    ...bulkOperationMutationFields(store),
    ...pixelMutationFields(store),
  };
}
