-- AlterEnum
ALTER TYPE "CodeStatus" ADD VALUE 'PENDING';

-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "web_pixel_id" TEXT;

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "collection_id" TEXT,
ADD COLUMN     "variant_id" TEXT;

-- CreateTable
CREATE TABLE "platform_connections" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "base_url" TEXT NOT NULL,
    "store_code" TEXT NOT NULL DEFAULT 'default',
    "token_encrypted" TEXT NOT NULL,
    "events_secret_encrypted" TEXT,
    "website_ids" INTEGER[] DEFAULT ARRAY[1]::INTEGER[],
    "customer_group_ids" INTEGER[] DEFAULT ARRAY[1]::INTEGER[],
    "verified_at" TIMESTAMP(3),
    "last_error" TEXT,
    "orders_synced_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "platform_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "platform_id" TEXT NOT NULL,
    "title" TEXT,
    "vendor" TEXT,
    "product_type" TEXT,
    "collection_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "skus" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_requests" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "platform_customer_id" TEXT NOT NULL,
    "email" TEXT,
    "request_id" TEXT NOT NULL,
    "export" JSONB,
    "requested_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fulfilled_at" TIMESTAMP(3),

    CONSTRAINT "data_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "platform_connections_shop_id_key" ON "platform_connections"("shop_id");

-- CreateIndex
CREATE UNIQUE INDEX "products_shop_id_platform_id_key" ON "products"("shop_id", "platform_id");

-- CreateIndex
CREATE UNIQUE INDEX "data_requests_shop_id_request_id_key" ON "data_requests"("shop_id", "request_id");

-- CreateIndex
CREATE INDEX "events_shop_id_client_id_idx" ON "events"("shop_id", "client_id");

-- AddForeignKey
ALTER TABLE "platform_connections" ADD CONSTRAINT "platform_connections_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_requests" ADD CONSTRAINT "data_requests_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

