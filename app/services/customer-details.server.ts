// Customers the app first met through the storefront pixel carry only their id: the pixel names the logged-in
// customer, and a customer who signed up before the install sends no customers/create. Without their details they
// had no address to send a code to, and their row's creation date (the day the pixel saw them) put long-standing
// customers into "created in the last N days" segments. Their details are read once from the store and written
// through the webhooks' own upsert.
import type { ShopDb } from "../db/shop-scope.server";
import type { CustomerPayload } from "../domain/shopify/webhook-payloads";
import { upsertCustomerFromWebhook } from "./customers.server";
import { requestSegmentEvaluation } from "./segments/triggers.server";

/** Reads the store's customers by GID; customers it does not know (deleted) are left out of the answer. */
export type CustomerDetailsSource = (gids: string[]) => Promise<CustomerPayload[]>;

/**
 * Fills in the customers among `customerIds` whose details were never read (no creation date from the store),
 * then asks segments to look at them again. Returns how many were asked for and how many the store knew.
 */
export async function fillCustomerDetails(
  db: ShopDb,
  shopId: string,
  customerIds: string[],
  source: CustomerDetailsSource,
): Promise<{ asked: number; filled: number }> {
  const rows = await db.customer.findMany({
    where: { id: { in: customerIds }, platformCreatedAt: null, platformId: { startsWith: "gid://shopify/Customer/" } },
    select: { platformId: true },
  });
  if (rows.length === 0) return { asked: 0, filled: 0 };
  const filled: string[] = [];
  for (const payload of await source(rows.map((r) => r.platformId))) filled.push(await upsertCustomerFromWebhook(db, shopId, payload));
  if (filled.length) {
    // Contact, tags, consent and creation date, and the store's counters, which order segments read.
    await Promise.all([requestSegmentEvaluation(shopId, filled, "customer"), requestSegmentEvaluation(shopId, filled, "orders")]);
  }
  return { asked: rows.length, filled: filled.length };
}
