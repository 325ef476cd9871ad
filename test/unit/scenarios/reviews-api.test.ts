// POST /api/v1/reviews: authenticated like every /api/v1 route, validated, stored once per review id, and handed
// to scenarios (a review-created trigger starts a task; a pending task waiting on "a review for the trigger order"
// is cancelled).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as reviewsRoute from "../../../app/routes/api.v1.reviews";
import { onOrderEvent } from "../../../app/services/scenarios/triggers.server";
import { call, createApiShop, type ErrorBody } from "../api/helpers";
import { createPoolWithCodes } from "../../support/pools";
import { makeCustomer, makeOrder, makeScenario } from "./helpers";

interface OpenApiResponse {
  $ref?: string;
  description?: string;
  content?: Record<string, { example?: unknown }>;
}

interface OpenApi {
  paths: Record<string, { post: { responses: Record<string, OpenApiResponse> } }>;
  components: { responses: Record<string, OpenApiResponse> };
}

function post(key: string | null, json: unknown, headers: Record<string, string> = {}) {
  return call(reviewsRoute, "POST", "/reviews", { key, json, headers });
}

describe("POST /api/v1/reviews", () => {
  it("GIVEN a known order WHEN its review is posted twice THEN it is stored once (201, then 200 as a duplicate) and starts one task of a review scenario", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["REV-1"]);
    const scenario = await makeScenario(shop, { trigger: "review_created", actions: [{ type: "generate_code", poolId: pool.id }] });
    const ada = await makeCustomer(shop);
    const order = await makeOrder(shop, ada.id);
    const numericOrderId = order.platformId.split("/").pop()!;

    const first = await post(shop.key, { id: "rev-1", orderId: numericOrderId, rating: 5, body: "Lovely", createdAt: "2026-11-21T10:15:00Z" });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({
      review: { id: "rev-1", orderId: order.platformId, customerId: ada.platformId, rating: 5, body: "Lovely", createdAt: "2026-11-21T10:15:00.000Z" },
      duplicate: false,
      tasksStarted: 1,
    });
    const again = await post(shop.key, { id: "rev-1", orderId: numericOrderId, rating: 1 });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toMatchObject({ review: { rating: 5 }, duplicate: true, tasksStarted: 0 });
    expect(await shop.db.review.count()).toBe(1);
    expect(await shop.db.task.findMany({ where: { scenarioId: scenario.id } })).toMatchObject([{ customerId: ada.id, orderId: order.id, status: "PENDING" }]);
  });

  it("GIVEN a pending task waiting on a review of its order WHEN the review is posted THEN the task is cancelled", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["REV-2"]);
    await makeScenario(shop, { trigger: "order_paid", delay: { value: 3, unit: "day" }, cancelConditions: ["order_review"], actions: [{ type: "generate_code", poolId: pool.id }] });
    const ada = await makeCustomer(shop);
    const order = await makeOrder(shop, ada.id);
    await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    const response = await post(shop.key, { id: "rev-2", orderId: order.platformId, customerId: ada.platformId });
    expect(response.status).toBe(201);
    expect(await shop.db.task.findFirstOrThrow()).toMatchObject({ status: "CANCELLED", outcome: "A review for the trigger order" });
  });

  it("GIVEN an order the store never sent WHEN its review is posted THEN 404 and nothing is stored", async () => {
    const shop = await createApiShop();
    const response = await post(shop.key, { id: "rev-3", orderId: "999999" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: "not_found", details: { orderId: "999999" } });
    expect(await shop.db.review.count()).toBe(0);
  });

  it("GIVEN a customer who did not place the order WHEN the review names both THEN it is refused field by field", async () => {
    const shop = await createApiShop();
    const ada = await makeCustomer(shop, "Ada");
    const bob = await makeCustomer(shop, "Bob");
    const order = await makeOrder(shop, ada.id);
    const response = await post(shop.key, { id: "rev-4", orderId: order.platformId, customerId: bob.platformId });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: "validation_failed", details: { fields: { customerId: "The order belongs to another customer" } } });
  });

  it("GIVEN malformed input WHEN posted THEN 400 with one message per field, and unknown fields are named", async () => {
    const shop = await createApiShop();
    const response = await post(shop.key, { id: "", orderId: 12345, rating: 11, extra: true });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.details).toEqual({
      fields: {
        id: "The review id can't be empty",
        orderId: "Send the order id as a string: platform ids can exceed 2^53 and lose digits as JSON numbers",
        rating: "rating is 0 to 10",
        extra: "Unknown field",
      },
    });
    const neither = await post(shop.key, { id: "rev-5" });
    expect(((await neither.json()) as ErrorBody).error.details).toEqual({ fields: { orderId: "Name the order (orderId) or the customer (customerId) the review belongs to" } });
    const notJson = await call(reviewsRoute, "POST", "/reviews", { key: shop.key, body: "id=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(notJson.status).toBe(415);
  });

  it.each([
    ["year 0000", "0000-01-01T00:00:00Z"],
    ["before 1970", "1969-12-31T23:59:59Z"],
    ["more than a day ahead", () => new Date(Date.now() + 25 * 3600_000).toISOString()],
  ])("GIVEN a createdAt %s WHEN the review is posted THEN 400 validation_failed names createdAt and nothing is stored", async (_, createdAt) => {
    const shop = await createApiShop();
    const ada = await makeCustomer(shop);
    const order = await makeOrder(shop, ada.id);
    const response = await post(shop.key, { id: "rev-7", orderId: order.platformId, createdAt: typeof createdAt === "function" ? createdAt() : createdAt });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toEqual({
      code: "validation_failed",
      message: expect.any(String),
      details: { fields: { createdAt: expect.stringContaining("from 1970 on and at most a day ahead") } },
    });
    expect(await shop.db.review.count()).toBe(0);
  });

  it("GIVEN a createdAt a few hours ahead of our clock WHEN the review is posted THEN it is stored as sent (the platform's clock may run ahead)", async () => {
    const shop = await createApiShop();
    const ada = await makeCustomer(shop);
    const order = await makeOrder(shop, ada.id);
    const createdAt = new Date(Date.now() + 3 * 3600_000);
    const response = await post(shop.key, { id: "rev-8", orderId: order.platformId, createdAt: createdAt.toISOString() });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ review: { createdAt: createdAt.toISOString() } });
  });

  it("GIVEN a body over the reviews limit WHEN posted THEN 413 with the limit the OpenAPI document gives for this endpoint", async () => {
    const shop = await createApiShop();
    const response = await post(shop.key, { id: "rev-9", orderId: "1", body: "a".repeat(70 * 1024) });
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as ErrorBody;
    expect(error).toMatchObject({ code: "payload_too_large", details: { limitBytes: 64 * 1024 } });

    const spec = JSON.parse(readFileSync("docs/api/openapi.json", "utf8")) as OpenApi;
    let documented = spec.paths["/api/v1/reviews"]!.post.responses["413"]!;
    if (documented.$ref) documented = spec.components.responses[documented.$ref.split("/").pop()!]!;
    expect(documented.description).toContain("64 KB");
    expect(documented.description).not.toMatch(/1 MB/);
    expect(documented.content?.["application/json"]?.example).toEqual({ error });
  });

  it("GIVEN no key, a bad key or another method WHEN called THEN 401, 401 and 405 with Allow", async () => {
    const shop = await createApiShop();
    expect((await post(null, { id: "x", customerId: "1" })).status).toBe(401);
    expect((await post("pk_0000000000000000_" + "a".repeat(43), { id: "x", customerId: "1" })).status).toBe(401);
    const get = await call(reviewsRoute, "GET", "/reviews", { key: shop.key });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await shop.db.review.count()).toBe(0);
  });

  it("GIVEN another shop's order WHEN reviewed with this shop's key THEN it is not found here", async () => {
    const shop = await createApiShop();
    const other = await createApiShop();
    const theirs = await makeOrder(other, (await makeCustomer(other)).id);
    expect((await post(shop.key, { id: "rev-6", orderId: theirs.platformId })).status).toBe(404);
    expect(await other.db.review.count()).toBe(0);
  });
});
