-- Hand-written (docs/decisions/0015-issue-path-without-foreign-keys.md): the rows every issue writes carry no
-- foreign-key checks. A batch of 100,000 issues fired 400,000 of them (one per key per row) plus 100,000 random
-- inserts into the codes customer index; together about 40% of the batch's time (`npm run bench -- pools`).
-- The services keep what the constraints did: a customer's redaction deletes their issuances and unlinks their
-- codes (found through the issuances), a shop's redaction deletes its issuances before the shop row, and a
-- code is only ever deleted together with its issuance (a dynamic code's refused PENDING row) or before it was
-- issued (a refused upload). The Prisma relations stay declared for queries; `prisma migrate diff` between
-- schema files does not re-add the constraints, a diff against a live database would: do not apply one blindly.
ALTER TABLE "codes" DROP CONSTRAINT "codes_customer_id_fkey";
DROP INDEX "codes_customer_idx";
ALTER TABLE "issuances"
  DROP CONSTRAINT "issuances_pool_id_fkey",
  DROP CONSTRAINT "issuances_code_id_fkey",
  DROP CONSTRAINT "issuances_customer_id_fkey";
