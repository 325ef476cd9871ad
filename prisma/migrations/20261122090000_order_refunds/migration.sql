-- Refunds: each Shopify refund once (by its id, linked to its order by the order's platform id, since a refund may
-- arrive first), and on the order the total refunded so far, which results subtract from revenue (decision 0026).
-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "refunded_total" DECIMAL(14,2) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "order_refunds" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" UUID NOT NULL,
    "platform_id" TEXT NOT NULL,
    "order_platform_id" TEXT NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "currency" TEXT,
    "refunded_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "order_refunds_shop_id_order_platform_id_idx" ON "order_refunds"("shop_id", "order_platform_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_refunds_shop_id_platform_id_key" ON "order_refunds"("shop_id", "platform_id");

-- AddForeignKey
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

