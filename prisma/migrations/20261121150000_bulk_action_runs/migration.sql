-- CreateEnum
CREATE TYPE "BulkActionKind" AS ENUM ('TAGS', 'METAFIELD');

-- CreateEnum
CREATE TYPE "BulkActionStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "bulk_action_runs" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "kind" "BulkActionKind" NOT NULL,
    "part" INTEGER NOT NULL,
    "status" "BulkActionStatus" NOT NULL DEFAULT 'PENDING',
    "customer_ids" TEXT[],
    "line_customer_ids" TEXT[],
    "operation_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_until" TIMESTAMP(3),
    "processed" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "failures" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "finished_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "bulk_action_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "bulk_action_runs_shop_id_status_idx" ON "bulk_action_runs"("shop_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "bulk_action_runs_shop_id_campaign_id_kind_part_key" ON "bulk_action_runs"("shop_id", "campaign_id", "kind", "part");

-- AddForeignKey
ALTER TABLE "bulk_action_runs" ADD CONSTRAINT "bulk_action_runs_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulk_action_runs" ADD CONSTRAINT "bulk_action_runs_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

