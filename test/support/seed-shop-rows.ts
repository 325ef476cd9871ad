// Puts one row in every shop-owned table for a shop, so isolation tests can check each table and service.
import type { TestShop } from "./shops";

export async function seedEveryTable(shop: TestShop, tag: string) {
  const db = shop.db;
  const customer = await db.customer.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Customer/${tag}`, email: `${tag}@example.com`, firstName: tag },
  });
  const pool = await db.pool.create({ data: { shopId: shop.id, name: `Pool ${tag}` } });
  const code = await db.code.create({
    data: { shopId: shop.id, poolId: pool.id, code: `CODE-${tag}`, codeKey: `CODE-${tag}`.toUpperCase(), customerId: customer.id },
  });
  await db.issuance.create({ data: { shopId: shop.id, poolId: pool.id, codeId: code.id, customerId: customer.id, idempotencyKey: tag } });
  await db.codeImport.create({ data: { shopId: shop.id, poolId: pool.id, source: "paste" } });
  await db.visitor.create({ data: { shopId: shop.id, clientId: `client-${tag}`, customerId: customer.id } });
  const order = await db.order.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Order/${tag}`, customerId: customer.id, placedAt: new Date() },
  });
  await db.event.create({
    data: { shopId: shop.id, source: "WEBHOOK", externalId: tag, topic: "orders/create", payload: {}, occurredAt: new Date() },
  });
  const segment = await db.segment.create({ data: { shopId: shop.id, name: `Segment ${tag}`, rules: {} } });
  await db.segmentMembership.create({ data: { shopId: shop.id, segmentId: segment.id, customerId: customer.id } });
  await db.segmentTransition.create({ data: { shopId: shop.id, segmentId: segment.id, customerId: customer.id, kind: "ENTER" } });
  await db.segmentRequest.create({ data: { shopId: shop.id, customerId: customer.id, reasons: 1 } });
  await db.segmentRecheck.create({ data: { shopId: shop.id, segmentId: segment.id, customerId: customer.id, dueAt: new Date() } });
  const campaign = await db.campaign.create({ data: { shopId: shop.id, name: `Campaign ${tag}`, segmentId: segment.id } });
  const scenario = await db.scenario.create({ data: { shopId: shop.id, name: `Scenario ${tag}`, trigger: "orders/create" } });
  const task = await db.task.create({
    data: { shopId: shop.id, scenarioId: scenario.id, campaignId: campaign.id, customerId: customer.id, orderId: order.id, dueAt: new Date() },
  });
  const template = await db.messageTemplate.create({ data: { shopId: shop.id, name: `T ${tag}`, channel: "EMAIL", body: "hi" } });
  await db.message.create({
    data: { shopId: shop.id, customerId: customer.id, taskId: task.id, templateId: template.id, channel: "EMAIL", recipient: "x", body: "b", dedupeKey: tag },
  });
  await db.redemption.create({ data: { shopId: shop.id, codeId: code.id, orderId: order.id, customerId: customer.id } });
  await db.orderRefund.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Refund/${tag}`, orderPlatformId: order.platformId, amount: "1.00", refundedAt: new Date() },
  });
  await db.apiKey.create({ data: { shopId: shop.id, name: tag, prefix: `pk_${tag}`, secretHash: "x" } });
  await db.jobFailure.create({
    data: { shopId: shop.id, queue: "system", jobName: "ping", jobId: `job-${tag}`, payload: {}, error: "boom", attempts: 1 },
  });
  await db.platformConnection.create({
    data: { shopId: shop.id, baseUrl: `https://${tag}.example.com`, tokenEncrypted: "v1:x:y:z" },
  });
  await db.product.create({ data: { shopId: shop.id, platformId: `gid://shopify/Product/${tag}`, title: tag } });
  await db.dataRequest.create({ data: { shopId: shop.id, platformCustomerId: tag, requestId: `request-${tag}` } });
  await db.channelSettings.create({ data: { shopId: shop.id, channel: "EMAIL", config: { host: `${tag}.example.com` } } });
  await db.review.create({ data: { shopId: shop.id, externalId: `review-${tag}`, orderId: order.id, customerId: customer.id, rating: 5 } });
  const account = await db.merchantAccount.create({
    data: { shopId: shop.id, email: `${tag}-${shop.id}@merchant.test`, passwordHash: "scrypt$1$1$1$x$y" },
  });
  await db.bulkActionRun.create({
    data: { shopId: shop.id, campaignId: campaign.id, kind: "TAGS", part: 0, customerIds: [customer.id] },
  });
  await db.merchantToken.create({
    data: { shopId: shop.id, accountId: account.id, kind: "SESSION", tokenHash: `hash-${tag}-${shop.id}`, expiresAt: new Date(Date.now() + 60_000) },
  });
}

/** Every model delegate that carries shop_id, by its client property name. */
export const SHOP_OWNED_DELEGATES = [
  "apiKey",
  "pool",
  "code",
  "issuance",
  "codeImport",
  "customer",
  "visitor",
  "order",
  "event",
  "segment",
  "segmentMembership",
  "segmentTransition",
  "campaign",
  "scenario",
  "task",
  "messageTemplate",
  "message",
  "redemption",
  "orderRefund",
  "jobFailure",
  "platformConnection",
  "product",
  "dataRequest",
  "segmentRequest",
  "segmentRecheck",
  "channelSettings",
  "review",
  "merchantAccount",
  "merchantToken",
  "bulkActionRun",
] as const;
