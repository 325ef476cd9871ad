// A customer's details as the store has them, for customers the app first met through the storefront pixel (the
// pixel names only the customer's id): contact, consent, tags, creation date and the store's own counters.
import { gql } from "../gql";

export interface CustomerDetailsShape {
  id: string;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** UnsignedInt64, as a string. */
  numberOfOrders: string;
  amountSpent: { amount: string };
  defaultEmailAddress: { emailAddress: string | null; marketingState: string } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
}

/** At most 250 ids a call (the nodes field's limit); the client asks for fewer. */
export const CUSTOMER_DETAILS = gql<{ nodes: (Partial<CustomerDetailsShape> | null)[] }, { ids: string[] }>(`#graphql
  query CustomerDetails($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        firstName
        lastName
        tags
        createdAt
        updatedAt
        numberOfOrders
        amountSpent { amount }
        defaultEmailAddress { emailAddress marketingState }
        defaultPhoneNumber { phoneNumber }
      }
    }
  }
`);
