-- Campaigns, scenarios and messages: broadcast kind and progress, a transition cursor per campaign, task success
-- deadlines and outcomes, per-shop channel settings, reviews (a scenario trigger), and the indexes condition
-- lookups, results and redaction need. Written with `prisma migrate diff` (docs/decisions/0002-migrations.md).

-- CreateEnum
CREATE TYPE "CampaignKind" AS ENUM ('AUTOMATED', 'BROADCAST');

-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "finished_at" TIMESTAMP(3),
ADD COLUMN     "kind" "CampaignKind" NOT NULL DEFAULT 'AUTOMATED',
ADD COLUMN     "recipients_done" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "recipients_total" INTEGER,
ADD COLUMN     "started_at" TIMESTAMP(3),
ADD COLUMN     "transition_cursor" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "check_at" TIMESTAMP(3),
ADD COLUMN     "outcome" TEXT;

-- AlterTable
ALTER TABLE "message_templates" ADD COLUMN     "needs" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "campaign_id" UUID,
ADD COLUMN     "code_id" BIGINT,
ADD COLUMN     "provider_ref" TEXT;

-- CreateTable
CREATE TABLE "channel_settings" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL,
    "secret_encrypted" TEXT,
    "verified_at" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "channel_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "order_id" UUID,
    "customer_id" UUID,
    "rating" INTEGER,
    "body" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "channel_settings_shop_id_channel_key" ON "channel_settings"("shop_id", "channel");

-- CreateIndex
CREATE INDEX "reviews_order_id_idx" ON "reviews"("order_id");

-- CreateIndex
CREATE INDEX "reviews_customer_id_idx" ON "reviews"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "reviews_shop_id_external_id_key" ON "reviews"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "issuances_shop_id_source_created_at_idx" ON "issuances"("shop_id", "source", "created_at");

-- CreateIndex
CREATE INDEX "tasks_customer_id_status_idx" ON "tasks"("customer_id", "status");

-- CreateIndex
CREATE INDEX "tasks_order_id_idx" ON "tasks"("order_id");

-- CreateIndex
CREATE INDEX "tasks_scenario_id_created_at_idx" ON "tasks"("scenario_id", "created_at");

-- CreateIndex
CREATE INDEX "tasks_campaign_id_created_at_idx" ON "tasks"("campaign_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_campaign_id_status_idx" ON "messages"("campaign_id", "status");

-- CreateIndex
CREATE INDEX "messages_task_id_idx" ON "messages"("task_id");

-- CreateIndex
CREATE INDEX "messages_customer_id_idx" ON "messages"("customer_id");

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_settings" ADD CONSTRAINT "channel_settings_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: the task sweeper closes success windows whose time is up; only executed tasks with a window are
-- in this index, so the per-minute check reads what is due instead of every executed task of the shop.
CREATE INDEX "tasks_success_check_idx" ON "tasks"("shop_id", "check_at") WHERE "status" = 'EXECUTED' AND "check_at" IS NOT NULL;
