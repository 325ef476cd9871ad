import { gql } from "../gql";

export interface DiscountUserErrorShape {
  field: string[] | null;
  message: string;
  code: string | null;
}

export interface BulkCreationShape {
  id: string;
  done: boolean;
  codesCount: number;
  importedCount: number;
  failedCount: number;
}

export const REDEEM_CODES_BULK_ADD = gql<
  { discountRedeemCodeBulkAdd: { bulkCreation: BulkCreationShape | null; userErrors: DiscountUserErrorShape[] } },
  { discountId: string; codes: { code: string }[] }
>(`#graphql
  mutation RedeemCodesBulkAdd($discountId: ID!, $codes: [DiscountRedeemCodeInput!]!) {
    discountRedeemCodeBulkAdd(discountId: $discountId, codes: $codes) {
      bulkCreation { id done codesCount importedCount failedCount }
      userErrors { field message code }
    }
  }
`);

/** Cheap to poll (a handful of points); the per-code list is fetched once, and only when some failed. */
export const REDEEM_CODES_BULK_PROGRESS = gql<{ discountRedeemCodeBulkCreation: BulkCreationShape | null }, { id: string }>(`#graphql
  query RedeemCodesBulkProgress($id: ID!) {
    discountRedeemCodeBulkCreation(id: $id) { id done codesCount importedCount failedCount }
  }
`);

export const REDEEM_CODES_BULK_FAILURES = gql<
  {
    discountRedeemCodeBulkCreation: {
      codes: { nodes: { code: string; errors: DiscountUserErrorShape[] }[] };
    } | null;
  },
  { id: string }
>(`#graphql
  query RedeemCodesBulkFailures($id: ID!) {
    discountRedeemCodeBulkCreation(id: $id) {
      codes(first: 250) { nodes { code errors { field message code } } }
    }
  }
`);

export const CODE_DISCOUNT_BY_CODE = gql<{ codeDiscountNodeByCode: { id: string } | null }, { code: string }>(`#graphql
  query CodeDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) { id }
  }
`);

export interface CodeDiscountSummary {
  id: string;
  codeDiscount: { __typename: string; title?: string; status?: string };
}

export const CODE_DISCOUNTS = gql<{ codeDiscountNodes: { nodes: CodeDiscountSummary[] } }, { query?: string | null }>(`#graphql
  query CodeDiscounts($query: String) {
    codeDiscountNodes(first: 100, query: $query, sortKey: TITLE) {
      nodes {
        id
        codeDiscount {
          __typename
          ... on DiscountCodeBasic { title status }
          ... on DiscountCodeFreeShipping { title status }
          ... on DiscountCodeBxgy { title status }
          ... on DiscountCodeApp { title status }
        }
      }
    }
  }
`);
