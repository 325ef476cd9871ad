import type { ShopDb } from "../db/shop-scope.server";
import { customerGid, type CustomerPayload } from "../domain/shopify/webhook-payloads";

/** Creates or updates the customer a webhook describes; returns its id. */
export async function upsertCustomerFromWebhook(db: ShopDb, shopId: string, payload: CustomerPayload): Promise<string> {
  const fields = {
    email: payload.email ?? null,
    firstName: payload.first_name ?? null,
    lastName: payload.last_name ?? null,
    phone: payload.phone ?? null,
    tags: (payload.tags ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    acceptsMarketing: payload.email_marketing_consent?.state === "subscribed",
    platformCreatedAt: payload.created_at ? new Date(payload.created_at) : null,
  };
  const platformId = customerGid(payload);
  const row = await db.customer.upsert({
    where: { shopId_platformId: { shopId, platformId } },
    create: { shopId, platformId, ...fields },
    update: fields,
    select: { id: true },
  });
  return row.id;
}

export async function listCustomers(db: ShopDb, options: { take?: number } = {}) {
  return db.customer.findMany({ orderBy: { createdAt: "desc" }, take: options.take ?? 50 });
}
