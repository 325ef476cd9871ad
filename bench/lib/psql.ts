// Runs a script through Debian's psql client. Used for the COPY baselines: `\copy ... FROM 'file'` is
// `COPY ... FROM STDIN` with psql streaming the file over the wire protocol, which is what an app-side COPY
// (pg-copy-streams) would do, so the baseline pays the same client-to-server transfer as the app's own upload.
import { spawn } from "node:child_process";

export async function psql(url: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`psql exited with ${code}: ${err.trim()}`))));
    child.stdin.end(script);
  });
}

/** A path as a psql/SQL string literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
