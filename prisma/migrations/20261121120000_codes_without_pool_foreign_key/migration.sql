-- Hand-written (docs/decisions/0021-uploads-staged-then-added-in-one-sorted-insert.md): adding codes to a pool
-- fires no foreign-key check. Loading 1,000,000 codes spent about 3 s of its 8-10 s on the per-row check against
-- pools (psql, same data, this machine). Pools are only ever soft-deleted; a shop's redaction deletes its codes
-- (through its pools) before the shop row. The Prisma relation stays declared for queries; `prisma migrate diff`
-- between schema files does not re-add the constraint, a diff against a live database would: do not apply one
-- blindly.
ALTER TABLE "codes" DROP CONSTRAINT "codes_pool_id_fkey";
