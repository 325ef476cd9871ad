// The Shopify-native things a campaign can do for a customer once it has a code: tag them, write the code to a
// customer metafield (so Shopify Email, Klaviyo or any tool reading metafields can use it), and fire the app's
// Flow trigger "promo code issued". All three are safe to repeat: tags and metafields are set, not appended, and
// the Flow trigger is fired once per task by the caller, which records that it did.
import { PermanentPlatformError } from "../errors";
import type { ShopifyAdminClient } from "./admin-client.server";
import { CUSTOMER_METAFIELD_SET, CUSTOMER_TAGS_ADD, FLOW_TRIGGER_RECEIVE, type UserErrorShape } from "./documents/customer-actions";

/** The handle of the Flow trigger extension in extensions/promo-code-issued-flow. */
export const PROMO_CODE_ISSUED_TRIGGER = "promo-code-issued";

export type ActionResult = { type: "done" } | { type: "refused"; message: string };

function refused(errors: UserErrorShape[] | undefined): ActionResult {
  if (!errors?.length) return { type: "done" };
  return { type: "refused", message: errors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ") };
}

export function customerGid(platformId: string): string {
  if (platformId.startsWith("gid://shopify/Customer/")) return platformId;
  if (/^\d+$/.test(platformId)) return `gid://shopify/Customer/${platformId}`;
  throw new PermanentPlatformError(`Not a Shopify customer id: ${platformId}`, "SHOPIFY");
}

export async function addCustomerTags(client: ShopifyAdminClient, platformCustomerId: string, tags: string[]): Promise<ActionResult> {
  const data = await client.request(CUSTOMER_TAGS_ADD, { id: customerGid(platformCustomerId), tags });
  return refused(data.tagsAdd?.userErrors);
}

export async function writeCodeMetafield(
  client: ShopifyAdminClient,
  platformCustomerId: string,
  field: { namespace: string; key: string },
  code: string,
): Promise<ActionResult> {
  const data = await client.request(CUSTOMER_METAFIELD_SET, {
    metafields: [{ ownerId: customerGid(platformCustomerId), namespace: field.namespace, key: field.key, type: "single_line_text_field", value: code }],
  });
  return refused(data.metafieldsSet?.userErrors);
}

export interface PromoCodeIssuedPayload {
  code: string;
  poolName: string;
  expiresAt: Date | null;
  platformCustomerId: string;
  customerEmail: string | null;
}

/** Field names match the trigger extension's [[settings.fields]] keys; customer_id is the reference field Flow knows. */
export async function firePromoCodeIssued(client: ShopifyAdminClient, payload: PromoCodeIssuedPayload): Promise<ActionResult> {
  const numericId = customerGid(payload.platformCustomerId).split("/").pop() ?? "";
  const data = await client.request(FLOW_TRIGGER_RECEIVE, {
    handle: PROMO_CODE_ISSUED_TRIGGER,
    payload: {
      customer_id: Number.isSafeInteger(Number(numericId)) ? Number(numericId) : numericId,
      "Promo code": payload.code,
      "Pool name": payload.poolName,
      "Expires at": payload.expiresAt ? payload.expiresAt.toISOString() : "",
      "Customer email": payload.customerEmail ?? "",
    },
  });
  return refused(data.flowTriggerReceive?.userErrors);
}
