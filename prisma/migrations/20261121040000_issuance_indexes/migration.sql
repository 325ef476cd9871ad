-- Issuances are looked up by customer (reissue, the customer page, and the cascade when a customer is redacted),
-- so the customer leads the index; before, redacting a customer scanned the whole table.
DROP INDEX "issuances_pool_id_customer_id_created_at_idx";
CREATE INDEX "issuances_customer_id_pool_id_created_at_idx" ON "issuances"("customer_id", "pool_id", "created_at");

-- Hand-written: idempotency keys stay unique per shop, but the many issuances without a key (broadcasts,
-- campaigns) no longer pay for an index entry.
DROP INDEX "issuances_shop_id_idempotency_key_key";
CREATE UNIQUE INDEX "issuances_idempotency_key" ON "issuances"("shop_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
