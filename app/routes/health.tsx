import { checkHealth } from "../services/health.server";

// Liveness and readiness for load balancers: 200 when the database answers and is migrated, and Redis answers.
export const loader = async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
};
