// `npm run bench -- <suite>`: runs bench/suites/<suite>.ts. Each suite measures itself against a baseline taken in
// the same run (these machines are noisy) and its result is printed as one JSON line, last.
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const suitesDir = path.resolve("bench/suites");
const available = readdirSync(suitesDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const suite = process.argv[2];

if (!suite || !available.includes(suite)) {
  console.error(`usage: npm run bench -- <suite>   (suites: ${available.join(", ") || "none yet"})`);
  process.exit(2);
}

const module = (await import(pathToFileURL(path.join(suitesDir, `${suite}.ts`)).href)) as {
  run: (log: (line: string) => void) => Promise<Record<string, unknown>>;
};
const result = await module.run((line) => process.stderr.write(`${line}\n`));
console.log(JSON.stringify({ suite, ...result }));
process.exit(0);
