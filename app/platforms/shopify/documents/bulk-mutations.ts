import { gql } from "../gql";

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export const STAGED_UPLOADS_CREATE = gql<
  {
    stagedUploadsCreate: {
      stagedTargets: { url: string | null; parameters: { name: string; value: string }[] }[] | null;
      userErrors: { field: string[] | null; message: string }[];
    } | null;
  },
  { input: { resource: "BULK_MUTATION_VARIABLES"; filename: string; mimeType: string; httpMethod: "POST" }[] }
>(`#graphql
  mutation BulkVariablesStage($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets { url parameters { name value } }
      userErrors { field message }
    }
  }
`);

export const BULK_OPERATION_RUN_MUTATION = gql<
  { bulkOperationRunMutation: { bulkOperation: { id: string; status: string } | null; userErrors: BulkUserError[] } | null },
  { mutation: string; stagedUploadPath: string; clientIdentifier: string }
>(`#graphql
  mutation BulkMutationStart($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }
`);

export const BULK_OPERATION_STATUS = gql<
  {
    bulkOperation: {
      id: string;
      status: string;
      errorCode: string | null;
      objectCount: string;
      url: string | null;
      partialDataUrl: string | null;
    } | null;
  },
  { id: string }
>(`#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl }
  }
`);

/** What a broadcast runs once per member line (decision 0022). Each line of the variables file is `{ id, tags }`. */
export const BULK_TAGS_ADD = gql<{ tagsAdd: { userErrors: { field: string[] | null; message: string }[] } | null }, { id: string; tags: string[] }>(`#graphql
  mutation BroadcastTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node { id }
      userErrors { field message }
    }
  }
`);

/** Each line is `{ metafields: [{ ownerId, namespace, key, type, value }] }`. */
export const BULK_METAFIELDS_SET = gql<
  { metafieldsSet: { userErrors: { field: string[] | null; message: string }[] } | null },
  { metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[] }
>(`#graphql
  mutation BroadcastMetafieldSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id }
      userErrors { field message code }
    }
  }
`);
