// A real HTTP server on 127.0.0.1 playing a merchant's SMS/push provider (msw, set up for the unit project, only
// intercepts the platforms' hosts; loopback requests reach the socket). It records every request and answers as
// the current test's handler says. Call it at the top level of a test file: it registers the file's hooks.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

export type LoopbackHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

export interface LoopbackServer {
  /** The server's address with the given path (set once beforeAll has run). */
  readonly url: string;
  /** Requests received in the current test, in order. */
  readonly received: { headers: IncomingMessage["headers"]; body: string }[];
  /** How the server answers from now on (by default: 200, empty). */
  handle(handler: LoopbackHandler): void;
}

export function loopbackServerForFile(path: string): LoopbackServer {
  let handler: LoopbackHandler = (_req, _body, res) => res.end();
  const received: LoopbackServer["received"] = [];
  let url = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body });
      handler(req, body, res);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
  });
  return {
    get url() {
      return url;
    },
    received,
    handle(next) {
      handler = next;
    },
  };
}
