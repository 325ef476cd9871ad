// The events bench's app: the production build (react-router build) served by server/app-server.ts, the way the
// demo serves it, on PostgreSQL and Redis from the environment (bench-env.ts). Like `npm start`, the app opens
// its own database pool from DATABASE_URL; nothing is registered for it. Prints {"port":N} once it listens.
import { setBenchEnv } from "./bench-env";

setBenchEnv(process.env.BENCH_DATABASE_URL);
process.env.NODE_ENV = "production";
const { startAppServer } = await import("../../server/app-server");
const server = await startAppServer({
  port: 0,
  host: "127.0.0.1",
  webhooksThroughRouter: process.env.BENCH_WEBHOOKS_THROUGH_ROUTER === "1",
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
