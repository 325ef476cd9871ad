-- AlterTable
ALTER TABLE "platform_connections" ADD COLUMN     "orders_watched_from" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Hand-written: a store connected before this column has been watched since it was connected.
UPDATE "platform_connections" SET "orders_watched_from" = "created_at";
