-- Hand-written (Prisma's schema cannot declare it without a preview feature): the Customers page searches name
-- and email with ILIKE '%word%' (app/services/customers.server.ts, customerSearch). Without this index a search
-- that matches few customers reads every customer of the shop: 190 ms at 200k, 3 ms with it (decision 0025).
-- pg_trgm is a trusted extension: the database owner can create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "customers_search_trgm" ON "customers" USING gin ("email" gin_trgm_ops, "first_name" gin_trgm_ops, "last_name" gin_trgm_ops);
