-- When the platform last changed the order: payloads older than the stored one are stale (webhooks and polls
-- arrive out of order).
ALTER TABLE "orders" ADD COLUMN "platform_updated_at" TIMESTAMP(3);
