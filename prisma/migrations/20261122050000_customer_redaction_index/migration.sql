-- Hand-written: every customer and order webhook job asks, once it has written, whether a customers/redact
-- request for its customer overlapped it (app/services/privacy.server.ts, redactAgainIfOverlapping). Partial, so
-- that only redaction requests get an entry: intake of every other webhook and storefront event pays nothing.
CREATE INDEX "events_customer_redactions" ON "events"("shop_id", (("payload"->'customer'->>'id')))
  WHERE "topic" = 'customers/redact';
