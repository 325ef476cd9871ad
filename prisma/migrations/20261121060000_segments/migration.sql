-- Segments that stay current: pending evaluations the segments job drains, scheduled re-checks for non-members, a
-- version on segments so a full recompute knows when it is stale, names unique among live segments, the indexes
-- redaction and campaigns need, and lean memberships, transitions and requests (no redundant foreign keys, a
-- partial expiry index), since every event batch and every entry writes them. Written with `prisma migrate diff`,
-- then edited by hand for the partial indexes Prisma cannot express (docs/decisions/0002-migrations.md,
-- 0011-incremental-segments.md).

-- DropForeignKey
ALTER TABLE "segment_memberships" DROP CONSTRAINT "segment_memberships_shop_id_fkey";

-- DropForeignKey
ALTER TABLE "segment_transitions" DROP CONSTRAINT "segment_transitions_shop_id_fkey";

-- DropIndex
DROP INDEX "segments_shop_id_name_key";

-- DropIndex
DROP INDEX "segment_memberships_shop_id_expires_at_idx";

-- DropIndex
DROP INDEX "segment_transitions_segment_id_created_at_idx";

-- AlterTable
ALTER TABLE "segments" ADD COLUMN     "recomputed_at" TIMESTAMP(3),
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "segment_requests" (
    "customer_id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "reasons" INTEGER NOT NULL,
    "requested_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "segment_requests_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "segment_rechecks" (
    "segment_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "segment_rechecks_pkey" PRIMARY KEY ("segment_id","customer_id")
);

-- CreateIndex
CREATE INDEX "segment_requests_shop_id_requested_at_idx" ON "segment_requests"("shop_id", "requested_at");

-- CreateIndex
CREATE INDEX "segment_rechecks_shop_id_due_at_idx" ON "segment_rechecks"("shop_id", "due_at");

-- CreateIndex
CREATE INDEX "segment_rechecks_customer_id_idx" ON "segment_rechecks"("customer_id");

-- CreateIndex
CREATE INDEX "segments_shop_id_name_idx" ON "segments"("shop_id", "name");

-- CreateIndex
CREATE INDEX "segment_memberships_customer_id_idx" ON "segment_memberships"("customer_id");

-- CreateIndex
CREATE INDEX "segment_transitions_segment_id_id_idx" ON "segment_transitions"("segment_id", "id");

-- CreateIndex
CREATE INDEX "segment_transitions_customer_id_idx" ON "segment_transitions"("customer_id");

-- AddForeignKey
ALTER TABLE "segment_requests" ADD CONSTRAINT "segment_requests_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_rechecks" ADD CONSTRAINT "segment_rechecks_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_rechecks" ADD CONSTRAINT "segment_rechecks_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_rechecks" ADD CONSTRAINT "segment_rechecks_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: a deleted segment frees its name; names compare without regard to case.
CREATE UNIQUE INDEX "segments_live_name_key" ON "segments"("shop_id", lower("name")) WHERE "deleted_at" IS NULL;
-- Hand-written: the expiry sweep finds due members; members of all-time rules (no expiry) stay out of the index.
CREATE INDEX "segment_memberships_expiry_idx" ON "segment_memberships"("shop_id", "expires_at") WHERE "expires_at" IS NOT NULL;
-- Hand-written: segment evaluation reads a batch of customers' events by (customer_id, topic, occurred_at) and needs
-- only shop, product and collection besides: carried in the index, the read is an index-only scan instead of one
-- heap page per event. Same name and key as before, so Prisma's @@index on Event still describes it.
DROP INDEX "events_customer_id_topic_occurred_at_idx";
CREATE INDEX "events_customer_id_topic_occurred_at_idx" ON "events"("customer_id", "topic", "occurred_at") INCLUDE ("shop_id", "product_id", "collection_id");
