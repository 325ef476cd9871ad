// Redis for the demo: REDIS_URL when given, otherwise a private redis-server started on a free port (installed
// from Debian's packages when it is missing and we may install), otherwise one line saying what is missing.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export interface RedisHandle {
  url: string;
  started: boolean;
  stop(): Promise<void>;
}

export class MissingDependencyError extends Error {
  override name = "MissingDependencyError";
}

function which(binary: string): string | null {
  const result = spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function tryInstallRedis(log: (line: string) => void): boolean {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which("apt-get")) return false;
  log("redis-server not found: installing it from Debian's packages (apt-get install redis-server)...");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  const result = spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], {
    stdio: "ignore",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0 && which("redis-server") !== null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function ping(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function ensureRedis(options: { url?: string; dataDir: string; log: (line: string) => void }): Promise<RedisHandle> {
  if (options.url) {
    if (!(await ping(options.url, 2000))) throw new MissingDependencyError(`Redis at REDIS_URL (${options.url}) does not answer`);
    return { url: options.url, started: false, stop: async () => undefined };
  }
  if (!which("redis-server") && !tryInstallRedis(options.log)) {
    throw new MissingDependencyError(
      "Redis is missing: install redis-server (e.g. `apt-get install redis-server`) or set REDIS_URL to a running Redis",
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", options.dataDir],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await ping(url, 200)) break;
    if (child.exitCode !== null) throw new MissingDependencyError(`redis-server exited with code ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    started: true,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
