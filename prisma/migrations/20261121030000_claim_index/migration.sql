-- Claims order by `id + 0` so that only this index can serve them (app/services/pools/issue.server.ts explains
-- the planner trap a plain `ORDER BY id` falls into when pools are stored one after another).
DROP INDEX "codes_available_idx";
CREATE INDEX "codes_available_idx" ON "codes"("pool_id", ("id" + 0)) WHERE "status" = 'AVAILABLE';
