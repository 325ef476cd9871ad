import { gql } from "../gql";

export interface ShopDetails {
  shop: {
    id: string;
    name: string;
    email: string;
    contactEmail: string;
    myshopifyDomain: string;
    currencyCode: string;
    plan: { displayName: string; shopifyPlus: boolean; partnerDevelopment: boolean };
  };
}

export const SHOP_DETAILS = gql<ShopDetails>(`#graphql
  query ShopDetails {
    shop {
      id
      name
      email
      contactEmail
      myshopifyDomain
      currencyCode
      plan { displayName shopifyPlus partnerDevelopment }
    }
  }
`);
