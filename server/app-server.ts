// Serves a production build of the app (react-router build) on Node's http server: static assets from
// build/client, webhook deliveries on a lean path (below), everything else through React Router. Used by
// `npm start` (server/start.ts), the demo, the browser tests and the events benchmark.
//
// Webhook POSTs skip React Router: app/services/webhook-route.server.ts#serveWebhook verifies the HMAC with the
// app secret the way @shopify/shopify-api does and stores the delivery, with the same answers as the route
// modules. Intake is the one hot path that does not need the router, the Fetch request/response conversion or the
// package's per-delivery offline-session lookup (`npm run bench -- events` measures it).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestListener } from "@react-router/node";
import type { ServerBuild } from "react-router";
import { clientAddress } from "../app/domain/client-address";
import { env } from "../app/env.server";
import type { ApiErrorCode } from "../app/services/api/errors";
import { serveWebhook, webhookTopicOfPath } from "../app/services/webhook-route.server";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

export interface RunningAppServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface AppServerOptions {
  buildDir?: string;
  port?: number;
  host?: string;
  /** Webhook POSTs through React Router instead of the lean path (to compare the two). */
  webhooksThroughRouter?: boolean;
}

/** The methods React Router answers; it fails any other with a bare 405 and logs it as a server error. */
const ROUTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

interface Refusal {
  status: number;
  code: ApiErrorCode;
  message: string;
  api: boolean;
}

/**
 * The decoded path of a request, or why no route can answer it: an address whose percent-encoding is malformed
 * (decoding it threw in the request listener and ended the process), a method no route implements, and React
 * Router's own `.data` requests under /api/v1, whose answers are in the router's format rather than the API's JSON.
 */
function routedPath(method: string, rawPath: string): { pathname: string } | { refusal: Refusal } {
  const api = rawPath === "/api" || rawPath.startsWith("/api/");
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    const message = "The address has a malformed percent-encoding (a % not followed by two hex digits of valid UTF-8).";
    return { refusal: { status: 400, code: "malformed_url", message, api } };
  }
  if (!ROUTED_METHODS.has(method)) {
    const message = `${method || "This method"} is not a method this app answers; use GET, POST, PUT, PATCH or DELETE.`;
    return { refusal: { status: 501, code: "method_not_implemented", message, api } };
  }
  if (api && rawPath.endsWith(".data")) {
    return { refusal: { status: 404, code: "not_found", message: "No API endpoint has this address. See /api/v1/openapi.json.", api } };
  }
  return { pathname };
}

function sendRefusal(res: ServerResponse, refusal: Refusal, head: boolean): void {
  const body = refusal.api ? JSON.stringify({ error: { code: refusal.code, message: refusal.message } }) : `${refusal.message}\n`;
  res.writeHead(refusal.status, {
    "content-type": refusal.api ? "application/json" : "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(head ? undefined : body);
}

export async function startAppServer(options: AppServerOptions = {}): Promise<RunningAppServer> {
  const buildDir = path.resolve(options.buildDir ?? "build");
  const clientDir = path.join(buildDir, "client");
  const build = (await import(pathToFileURL(path.join(buildDir, "server", "index.js")).href)) as ServerBuild;
  const handle = createRequestListener({
    build,
    mode: "production",
    getLoadContext: (request, client) => ({
      clientAddress: clientAddress(client.address, request.headers.get("x-forwarded-for"), env().TRUST_PROXY_HOPS),
    }),
  });

  const server: Server = createServer((req, res) => {
    const routed = routedPath(req.method ?? "", (req.url ?? "/").split("?")[0] ?? "/");
    if ("refusal" in routed) return void sendRefusal(res, routed.refusal, req.method === "HEAD");
    const { pathname } = routed;
    const webhookTopic = req.method === "POST" && !options.webhooksThroughRouter ? webhookTopicOfPath(pathname) : null;
    if (webhookTopic) {
      serveWebhook(req, res, webhookTopic).catch((error: unknown) => {
        // Storing failed (the database is away): 500 makes Shopify deliver it again later.
        console.error(`[webhooks] ${pathname}: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("Could not store the webhook");
      });
      return;
    }
    const file = path.join(clientDir, pathname);
    if (req.method === "GET" && file.startsWith(clientDir + path.sep) && pathname !== "/") {
      stat(file)
        .then((s) => {
          if (!s.isFile()) return handle(req, res);
          res.writeHead(200, {
            "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
            "content-length": s.size,
            "cache-control": pathname.startsWith("/assets/")
              ? "public, max-age=31536000, immutable"
              : "public, max-age=300",
          });
          createReadStream(file).pipe(res);
        })
        .catch(() => handle(req, res));
      return;
    }
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
