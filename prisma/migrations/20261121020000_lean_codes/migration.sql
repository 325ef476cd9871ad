-- A leaner codes table: uploads and claims write it at volume (docs/decisions/0007-lean-codes-table.md).
-- Written with `prisma migrate diff`, plus the hand-written partial indexes Prisma cannot express.

-- shop_id on codes and issuances keeps no foreign key of its own: pool_id's cascade already removes them with
-- their shop, and each key costs a lookup on every inserted row.
ALTER TABLE "codes" DROP CONSTRAINT "codes_shop_id_fkey";
ALTER TABLE "issuances" DROP CONSTRAINT "issuances_shop_id_fkey";

-- Codes are found by text through their pool's unique (pool_id, code_key) index.
DROP INDEX "codes_shop_id_code_key_idx";

-- Most codes have no customer (uploaded, not yet issued): index only the ones that do.
DROP INDEX "codes_customer_id_idx";
CREATE INDEX "codes_customer_idx" ON "codes"("customer_id") WHERE "customer_id" IS NOT NULL;

-- A refused upload removes its codes through the pool's index (pool_id, import_id), not a global one.
DROP INDEX "codes_import_id_idx";

-- Deleting codes (pool or shop removal) sets issuances.code_id to NULL: without this index every deleted code
-- scanned the issuances table.
CREATE INDEX "issuances_code_id_idx" ON "issuances"("code_id");

-- The expiry sweep runs every minute per shop: it reads only available codes that can expire.
CREATE INDEX "codes_expiry_idx" ON "codes"("pool_id", "expires_at") WHERE "status" = 'AVAILABLE' AND "expires_at" IS NOT NULL;
