// A closed-loop HTTP load generator: `concurrency` loops, each sending its next request as soon as the previous
// answer arrived, for a fixed time, over keep-alive connections. Latency is measured per request, from write to
// the end of the response. Bounded in count and time, and only ever aimed at a server on this machine.
import { Agent, request as httpRequest } from "node:http";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  /** Base URL of a server on this machine (http://127.0.0.1:PORT). */
  url: string;
  concurrency: number;
  durationMs: number;
  /** Builds request number i (each loop asks for its next one). */
  next: (i: number) => LoadRequest;
  /** A hard cap on requests, whatever the duration. */
  maxRequests?: number;
}

export interface LoadResult {
  sent: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every request's latency in ms, sorted: slices of one measurement are merged with mergeLoads. */
  latencies: number[];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(target.hostname)) {
    throw new Error(`Load is only sent to this machine, not ${target.hostname}`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let issued = 0;
  const maxRequests = options.maxRequests ?? 10_000_000;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const once = (req: LoadRequest) =>
    new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: "POST",
          path: req.path,
          headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) },
        },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(req.body);
    });

  const loop = async () => {
    while (performance.now() < deadline && issued < maxRequests) {
      const req = options.next(issued++);
      const t0 = performance.now();
      try {
        const status = await once(req);
        statuses[status] = (statuses[status] ?? 0) + 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return summarise(latencies, statuses, errors, seconds);
}

function summarise(latencies: number[], statuses: Record<string, number>, errors: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const ok = Object.entries(statuses)
    .filter(([s]) => Number(s) >= 200 && Number(s) < 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    sent: latencies.length,
    ok,
    statuses,
    errors,
    seconds: round(seconds, 2),
    perSec: round(latencies.length / seconds, 1),
    p50Ms: round(at(0.5), 1),
    p99Ms: round(at(0.99), 1),
    maxMs: round(latencies.at(-1) ?? 0, 1),
    latencies,
  };
}

/** One result for several slices of the same measurement: counts and time added, percentiles over all requests. */
export function mergeLoads(results: LoadResult[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const r of results)
    for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return summarise(
    results.flatMap((r) => r.latencies),
    statuses,
    results.reduce((sum, r) => sum + r.errors, 0),
    results.reduce((sum, r) => sum + r.seconds, 0),
  );
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a server script (bench/lib/*-child.ts) in its own Node process, so the server and the load generator
 * do not share an event loop; the child prints `{"port":N}` once it listens.
 */
export async function startChildServer(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.resolve(script)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once("error", reject);
  });
  child.stdout!.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
