// `npm start`: the production web process. Serves the build with server/app-server.ts, so webhook deliveries take
// the lean HMAC-checked path the events benchmark measures (react-router-serve would send each through the route
// modules at a fraction of the rate). The database comes from DATABASE_URL (app/db.server.ts), Redis from REDIS_URL.
import { env } from "../app/env.server";
import { startAppServer } from "./app-server";

const config = env();
const port = Number(process.env.PORT ?? 3000);
const server = await startAppServer({ port, host: process.env.HOST ?? "0.0.0.0" });
console.log(`[web] serving ${config.SHOPIFY_APP_URL ?? "the app"} on port ${server.port}`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
