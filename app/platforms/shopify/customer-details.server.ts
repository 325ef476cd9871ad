// Reads customers' details from the Admin API, in the shape customers/* webhooks carry them, so that one upsert
// (services/customers.server.ts) serves both and keeps its rules: fields left out are unknown, and a version
// older than one already applied is not written.
import type { CustomerPayload } from "../../domain/shopify/webhook-payloads";
import type { ShopifyAdminClient } from "./admin-client.server";
import { CUSTOMER_DETAILS, type CustomerDetailsShape } from "./documents/customers";

/** Ids a call: a customer's fields cost little, and a hundred keeps one call's cost well under the bucket. */
export const CUSTOMER_DETAILS_BATCH = 100;

function isCustomer(node: Partial<CustomerDetailsShape> | null): node is CustomerDetailsShape {
  return node !== null && typeof node.id === "string" && node.id.startsWith("gid://shopify/Customer/");
}

export function customerPayloadOf(node: CustomerDetailsShape): CustomerPayload {
  const count = Number(node.numberOfOrders);
  return {
    id: node.id.slice("gid://shopify/Customer/".length),
    admin_graphql_api_id: node.id,
    email: node.defaultEmailAddress?.emailAddress ?? null,
    first_name: node.firstName,
    last_name: node.lastName,
    phone: node.defaultPhoneNumber?.phoneNumber ?? null,
    tags: node.tags.join(", "),
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    email_marketing_consent: node.defaultEmailAddress ? { state: node.defaultEmailAddress.marketingState.toLowerCase() } : null,
    orders_count: Number.isSafeInteger(count) && count <= 2_147_483_647 ? count : undefined,
    total_spent: /^\d{1,12}(\.\d+)?$/.test(node.amountSpent.amount) ? node.amountSpent.amount : undefined,
  };
}

/** The customers the store knows among `gids` (a deleted one is simply missing), as webhook payloads. */
export async function fetchCustomerDetails(client: ShopifyAdminClient, gids: readonly string[]): Promise<CustomerPayload[]> {
  const found: CustomerPayload[] = [];
  for (let at = 0; at < gids.length; at += CUSTOMER_DETAILS_BATCH) {
    const data = await client.request(CUSTOMER_DETAILS, { ids: gids.slice(at, at + CUSTOMER_DETAILS_BATCH) });
    for (const node of data.nodes) if (isCustomer(node)) found.push(customerPayloadOf(node));
  }
  return found;
}
