// Serves a production build of the app (react-router build) on Node's http server: static assets from
// build/client, everything else through React Router. Used by the demo and the browser tests; production uses
// `npm start` (react-router-serve), which does the same with Express.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestListener } from "@react-router/node";
import type { ServerBuild } from "react-router";

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

export async function startAppServer(options: { buildDir?: string; port?: number; host?: string } = {}): Promise<RunningAppServer> {
  const buildDir = path.resolve(options.buildDir ?? "build");
  const clientDir = path.join(buildDir, "client");
  const build = (await import(pathToFileURL(path.join(buildDir, "server", "index.js")).href)) as ServerBuild;
  const handle = createRequestListener({ build, mode: "production" });

  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    const file = path.join(clientDir, pathname);
    if (req.method === "GET" && file.startsWith(clientDir + path.sep) && pathname !== "/") {
      stat(file)
        .then((s) => {
          if (!s.isFile()) return handle(req, res);
          res.writeHead(200, {
            "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
            "content-length": s.size,
            "cache-control": pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "public, max-age=300",
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
