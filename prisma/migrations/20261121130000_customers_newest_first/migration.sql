-- The customers list and the template preview read a shop's newest customers first (ORDER BY created_at DESC
-- LIMIT n): without this index each page load sorted all of the shop's customers.
-- CreateIndex
CREATE INDEX "customers_shop_id_created_at_idx" ON "customers"("shop_id", "created_at");

