import { gql } from "../gql";

export interface UserErrorShape {
  field: string[] | null;
  message: string;
}

export const CUSTOMER_TAGS_ADD = gql<{ tagsAdd: { userErrors: UserErrorShape[] } | null }, { id: string; tags: string[] }>(`#graphql
  mutation CustomerTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      userErrors { field message }
    }
  }
`);

export const CUSTOMER_METAFIELD_SET = gql<
  { metafieldsSet: { metafields: { id: string }[] | null; userErrors: (UserErrorShape & { code: string | null })[] } | null },
  { metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[] }
>(`#graphql
  mutation CustomerMetafieldSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id }
      userErrors { field message code }
    }
  }
`);

export const FLOW_TRIGGER_RECEIVE = gql<{ flowTriggerReceive: { userErrors: UserErrorShape[] } | null }, { handle: string; payload: unknown }>(`#graphql
  mutation PromoCodeIssuedFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }
`);
