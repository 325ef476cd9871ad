-- A fingerprint of the request that used an issuance's idempotency key: a retry under the key that asks for
-- anything else is refused (docs/api/openapi.json, Idempotency). Nullable, no default: no table rewrite.
ALTER TABLE "issuances" ADD COLUMN "request_hash" TEXT;
