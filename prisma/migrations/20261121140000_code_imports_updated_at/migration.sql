-- An upload is abandoned when it stops making progress, not when it is old: a large file on a slow connection can
-- take longer than the hour the sweep waits, and its staging table must not be dropped while it still streams.
ALTER TABLE "code_imports" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
