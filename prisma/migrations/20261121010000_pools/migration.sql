-- Pools: case-insensitive code keys, a claim index over available codes only, unique names among live pools.
-- Written with `prisma migrate diff`, then edited by hand for the backfill and the two partial indexes Prisma
-- cannot express (see docs/decisions/0002-migrations.md).

-- AlterTable: add the key nullable, backfill it, then require it.
ALTER TABLE "codes" ADD COLUMN "code_key" TEXT;
UPDATE "codes" SET "code_key" = upper("code") WHERE "code_key" IS NULL;
ALTER TABLE "codes" ALTER COLUMN "code_key" SET NOT NULL;

ALTER TABLE "codes" ADD COLUMN "import_id" UUID;
CREATE INDEX "codes_import_id_idx" ON "codes"("import_id") WHERE "import_id" IS NOT NULL;

DROP INDEX "codes_pool_id_status_id_idx";
DROP INDEX "codes_shop_id_code_idx";
DROP INDEX "codes_pool_id_code_key";

CREATE INDEX "codes_pool_id_status_idx" ON "codes"("pool_id", "status");
CREATE INDEX "codes_shop_id_code_key_idx" ON "codes"("shop_id", "code_key");
CREATE UNIQUE INDEX "codes_pool_id_code_key_key" ON "codes"("pool_id", "code_key");
-- Hand-written: issuing claims the lowest available id with FOR UPDATE SKIP LOCKED; this index holds only
-- available codes, so the claim never walks over assigned ones.
CREATE INDEX "codes_available_idx" ON "codes"("pool_id", "id") WHERE "status" = 'AVAILABLE';

DROP INDEX "pools_shop_id_idx";
DROP INDEX "pools_shop_id_name_key";
CREATE INDEX "pools_shop_id_name_idx" ON "pools"("shop_id", "name");
-- Hand-written: a deleted pool frees its name.
CREATE UNIQUE INDEX "pools_live_name_key" ON "pools"("shop_id", lower("name")) WHERE "deleted_at" IS NULL;

-- AlterTable
ALTER TABLE "code_imports" ADD COLUMN "file_name" TEXT,
ADD COLUMN "items_done" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "items_total" INTEGER,
ADD COLUMN "params" JSONB;
