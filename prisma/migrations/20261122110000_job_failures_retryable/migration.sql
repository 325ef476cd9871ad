-- A job whose attempts ran out (an outage longer than its backoff) is retried later, a few times; one refused for
-- good (UnrecoverableError) is not. Failures recorded before this migration are not retried on their own.
ALTER TABLE "job_failures" ADD COLUMN     "retryable" BOOLEAN NOT NULL DEFAULT false;
