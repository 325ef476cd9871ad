// Product reviews, received from a review platform through POST /api/v1/reviews. A review is a scenario trigger
// ("a review is created") and a follow-up for tasks already there (cancellation "a review for the trigger order",
// success "a review for the trigger order"). It is stored once per external id; a redelivery returns the stored
// review and runs the triggers again, which are idempotent, so a request that failed half-way and is retried still
// starts every task it should.
import type { Platform, Prisma } from "@prisma/client";
import { isUniqueViolation } from "../db/errors";
import type { ShopDb } from "../db/shop-scope.server";
import { onReviewCreated, type TriggerResult } from "./scenarios/triggers.server";

export interface ReviewInput {
  externalId: string;
  /** The order's id on the store's platform (Shopify: numeric or gid://shopify/Order/...). */
  orderId?: string | null;
  /** The customer's id on the store's platform. Optional when the order names its customer. */
  customerId?: string | null;
  rating?: number | null;
  body?: string | null;
  /** When the review was written; defaults to when it is received. */
  createdAt?: Date | null;
}

const WITH_REFS = { order: { select: { platformId: true } }, customer: { select: { platformId: true } } } as const;

/** A stored review with the platform ids of its order and customer (what the API answers with). */
export type StoredReview = Prisma.ReviewGetPayload<{ include: typeof WITH_REFS }>;

export type RecordReviewResult =
  | { type: "recorded"; review: StoredReview; duplicate: boolean; triggers: TriggerResult }
  | { type: "order_not_found" }
  | { type: "customer_not_found" }
  /** The order belongs to another customer than the one named. */
  | { type: "customer_mismatch" };

/** Shopify stores orders and customers by GID (as webhooks deliver them); review platforms often send bare ids. */
export function platformIdOf(platform: Platform, kind: "Order" | "Customer", raw: string): string {
  if (platform !== "SHOPIFY") return raw;
  return /^\d+$/.test(raw) ? `gid://shopify/${kind}/${raw}` : raw;
}

async function resolve(db: ShopDb, platform: Platform, input: ReviewInput) {
  const order = input.orderId
    ? await db.order.findFirst({ where: { platformId: platformIdOf(platform, "Order", input.orderId) }, select: { id: true, customerId: true } })
    : null;
  if (input.orderId && !order) return { type: "order_not_found" as const };
  const customer = input.customerId
    ? await db.customer.findFirst({ where: { platformId: platformIdOf(platform, "Customer", input.customerId) }, select: { id: true } })
    : null;
  if (input.customerId && !customer) return { type: "customer_not_found" as const };
  if (order?.customerId && customer && order.customerId !== customer.id) return { type: "customer_mismatch" as const };
  return { type: "resolved" as const, orderId: order?.id ?? null, customerId: customer?.id ?? order?.customerId ?? null };
}

export async function recordReview(db: ShopDb, shopId: string, input: ReviewInput, now = new Date()): Promise<RecordReviewResult> {
  const earlier = await db.review.findFirst({ where: { externalId: input.externalId }, include: WITH_REFS });
  if (earlier) return { type: "recorded", review: earlier, duplicate: true, triggers: await onReviewCreated(db, shopId, earlier.id, { now }) };

  const shop = await db.shop.findFirstOrThrow({ select: { platform: true } });
  const resolved = await resolve(db, shop.platform, input);
  if (resolved.type !== "resolved") return resolved;
  let review: StoredReview;
  let duplicate = false;
  try {
    review = await db.review.create({
      data: {
        shopId,
        externalId: input.externalId,
        orderId: resolved.orderId,
        customerId: resolved.customerId,
        rating: input.rating ?? null,
        body: input.body ?? null,
        createdAt: input.createdAt ?? now,
      },
      include: WITH_REFS,
    });
  } catch (error) {
    // The same review delivered twice at once: the first one stored it.
    if (!isUniqueViolation(error)) throw error;
    review = await db.review.findFirstOrThrow({ where: { externalId: input.externalId }, include: WITH_REFS });
    duplicate = true;
  }
  return { type: "recorded", review, duplicate, triggers: await onReviewCreated(db, shopId, review.id, { now }) };
}
