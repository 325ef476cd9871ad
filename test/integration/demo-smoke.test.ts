import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The README's first command on its embedded defaults: PGlite, a private redis-server, the simulator, the worker.
describe("npm run demo -- --smoke", () => {
  it("starts every part without configuration, checks each, shuts down cleanly and prints one JSON line last", async () => {
    // The same Node that runs the tests (the project's pinned Node 24), as `npm run demo` would use.
    const child = spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "scripts/demo.ts", "--smoke"], {
      // A clean environment: no DATABASE_URL, no REDIS_URL, no Shopify credentials.
      env: {
        PATH: `${path.resolve("node_modules/.bin")}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? "/root",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const lastLine = stdout.trim().split("\n").pop() ?? "";
    const result = JSON.parse(lastLine) as { ok: boolean; checks: Record<string, { ok: boolean }> } & Record<string, unknown>;
    expect(result, stderr).toMatchObject({ ok: true });
    expect(Object.keys(result.checks)).toEqual(
      expect.arrayContaining(["databaseMigrated", "simulatorAnswersSchemaValidQuery", "jobRoundTrip", "adminPageRenders", "storyEndToEnd"]),
    );
    // The whole loop ran: codes issued and emailed, one redeemed, the delayed scenario executed.
    for (const field of ["codesIssued", "messagesDelivered", "redemptions", "tasksCompleted"]) {
      expect(result[field], `${field} in ${lastLine}`).toBeGreaterThan(0);
    }
    expect(code).toBe(0);
  }, 240_000);
});
