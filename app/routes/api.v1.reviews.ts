// POST /api/v1/reviews: a review platform tells us a customer reviewed an order. Stored once per review id (a
// redelivery answers 200 with the stored review), then handed to the scenarios: "a review is created" starts
// tasks, and tasks waiting on "a review for the trigger order" are cancelled or succeed.
import { z } from "zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { isoDateTime } from "../domain/instants";
import { apiEndpoint, type ApiContext } from "../services/api/endpoint.server";
import { ApiError, validationFailed } from "../services/api/errors";
import { readJson, validate } from "../services/api/request.server";
import { json } from "../services/api/responses";
import { recordReview, type StoredReview } from "../services/reviews.server";

const MAX_REVIEW_BODY_BYTES = 64 * 1024;
/** How far ahead of our clock a review's createdAt may be (the platform's clock may run ahead of ours). */
const MAX_CLOCK_SKEW_MS = 24 * 3600_000;

const platformId = (what: string) =>
  z
    .string({
      error: (issue) =>
        typeof issue.input === "number"
          ? `Send the ${what} id as a string: platform ids can exceed 2^53 and lose digits as JSON numbers`
          : `The ${what}'s id on the store's platform, as a string`,
    })
    .trim()
    .min(1, `The ${what} id can't be empty`)
    .max(255, "At most 255 characters");

const ReviewBody = z
  .strictObject({
    id: z
      .string({ error: (issue) => (issue.input === undefined ? "Required: the review's id on your review platform" : "The review id must be a string") })
      .trim()
      .min(1, "The review id can't be empty")
      .max(255, "At most 255 characters"),
    orderId: platformId("order").nullish(),
    customerId: platformId("customer").nullish(),
    rating: z.number("rating must be a number").int("rating must be a whole number").min(0, "rating is 0 to 10").max(10, "rating is 0 to 10").nullish(),
    body: z.string("body must be a string").max(10_000, "At most 10,000 characters").nullish(),
    createdAt: isoDateTime({
      error: "createdAt must be an ISO 8601 date-time, e.g. 2026-11-21T10:15:00Z",
      range: "createdAt must be from 1970 on and at most a day ahead of now: it is when the review was written",
      maxAheadMs: MAX_CLOCK_SKEW_MS,
    }).nullish(),
  })
  .refine((b) => b.orderId || b.customerId, { path: ["orderId"], message: "Name the order (orderId) or the customer (customerId) the review belongs to" });

function serialise(review: StoredReview) {
  return {
    id: review.externalId,
    orderId: review.order?.platformId ?? null,
    customerId: review.customer?.platformId ?? null,
    rating: review.rating,
    body: review.body,
    createdAt: review.createdAt.toISOString(),
  };
}

async function createReview({ request, db, shopId }: ApiContext): Promise<Response> {
  const body = validate(ReviewBody, await readJson(request, MAX_REVIEW_BODY_BYTES));
  const result = await recordReview(db, shopId, {
    externalId: body.id,
    orderId: body.orderId ?? null,
    customerId: body.customerId ?? null,
    rating: body.rating ?? null,
    body: body.body ?? null,
    createdAt: body.createdAt ? new Date(body.createdAt) : null,
  });
  switch (result.type) {
    case "order_not_found":
      throw new ApiError(404, "not_found", "No order with this id in this store. Orders arrive from the store by webhook; retry once it has been received.", {
        orderId: body.orderId,
      });
    case "customer_not_found":
      throw new ApiError(404, "not_found", "No customer with this id in this store.", { customerId: body.customerId });
    case "customer_mismatch":
      throw validationFailed({ customerId: "The order belongs to another customer" });
    case "recorded": {
      const tasksStarted = result.triggers.type === "processed" ? result.triggers.started.length : 0;
      const payload = { review: serialise(result.review), duplicate: result.duplicate, tasksStarted };
      return json(payload, { status: result.duplicate ? 200 : 201, headers: result.duplicate ? { "idempotent-replayed": "true" } : {} });
    }
  }
}

const reviews = apiEndpoint({ POST: createReview });

export const loader = (args: LoaderFunctionArgs) => reviews.handle(args);
export const action = (args: ActionFunctionArgs) => reviews.handle(args);
