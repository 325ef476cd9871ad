import { gql } from "../gql";
import type { DiscountUserErrorShape } from "./redeem-codes";

/** What discountCodeBasicCreate / discountCodeFreeShippingCreate answer; only the node id is needed. */
export interface CreatedDiscountShape {
  codeDiscountNode: { id: string } | null;
  userErrors: DiscountUserErrorShape[];
}

/** DiscountCodeBasicInput as the app fills it (see dynamic-input.ts). */
export type BasicCodeInput = Record<string, unknown>;
export type FreeShippingCodeInput = Record<string, unknown>;

export const DYNAMIC_CODE_BASIC_CREATE = gql<{ discountCodeBasicCreate: CreatedDiscountShape }, { input: BasicCodeInput }>(`#graphql
  mutation DynamicCodeBasicCreate($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }
`);

export const DYNAMIC_CODE_FREE_SHIPPING_CREATE = gql<
  { discountCodeFreeShippingCreate: CreatedDiscountShape },
  { input: FreeShippingCodeInput }
>(`#graphql
  mutation DynamicCodeFreeShippingCreate($input: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }
`);

export interface CodeOwnerShape {
  app: { id: string } | null;
  codeDiscountNodeByCode: {
    id: string;
    codeDiscount: {
      __typename: string;
      codesCount?: { count: number };
      codes?: { nodes: { code: string; createdBy: { id: string } | null }[] };
    };
  } | null;
}

/**
 * Which discount holds a code, and whether this app made it: the discount has that one code and the code's
 * createdBy is us. A merchant's discount (or another app's) holding the same text is not ours to adopt.
 */
export const DYNAMIC_CODE_OWNER = gql<CodeOwnerShape, { code: string }>(`#graphql
  query DynamicCodeOwner($code: String!) {
    app { id }
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic {
          codesCount { count }
          codes(first: 1) { nodes { code createdBy { id } } }
        }
        ... on DiscountCodeFreeShipping {
          codesCount { count }
          codes(first: 1) { nodes { code createdBy { id } } }
        }
      }
    }
  }
`);

export const DYNAMIC_CODE_DEACTIVATE = gql<
  { discountCodeDeactivate: { codeDiscountNode: { id: string } | null; userErrors: DiscountUserErrorShape[] } },
  { id: string }
>(`#graphql
  mutation DynamicCodeDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }
`);
