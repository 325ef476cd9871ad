// Child process of the pools bench: uploads one CSV into one pool through importUpload and reports, as one JSON
// line on stdout, the wall time and the process's peak RSS. It runs in its own process so that the peak belongs
// to the upload: before it, this process only loads the app's modules and opens a connection (that floor is
// reported too, as rssBeforeMb); nothing else the bench does (generating the CSV, 64 issuers, ...) is in it.
// After the upload it also times the parser alone over the same file (no database), to split the time into
// parse and insert.
//
// Input (env): BENCH_DATABASE_URL, BENCH_SHOP_ID, BENCH_POOL_ID, BENCH_CSV.
import { createReadStream, statSync } from "node:fs";
import { BENCH_DATABASE_URL, setBenchEnv } from "./bench-env";
import { peakRssBytes, sampleRss, toMb } from "./memory";

export interface UploadChildResult {
  seconds: number;
  outcome: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Kernel high-water mark (VmHWM) of this process at the end of the upload. */
  peakRssMb: number | null;
  /** Highest 50 ms sample of process.memoryUsage.rss() during the upload. */
  sampledPeakRssMb: number;
  samples: number;
  /** RSS right before the upload started (modules loaded, one connection open). */
  rssBeforeMb: number;
  /** The same file through parseUpload only, batches dropped: the parse share of the upload. */
  parseOnlySeconds: number;
  parseOnlyAccepted: number;
}

const url = BENCH_DATABASE_URL;
setBenchEnv(url);
const shopId = process.env.BENCH_SHOP_ID ?? "";
const poolId = process.env.BENCH_POOL_ID ?? "";
const csvPath = process.env.BENCH_CSV ?? "";
if (!shopId || !poolId || !csvPath) throw new Error("upload-child needs BENCH_SHOP_ID, BENCH_POOL_ID and BENCH_CSV");

const { connectPostgres } = await import("../../app/db/connect.server");
const { registerDatabase, prisma } = await import("../../app/db.server");
const db = connectPostgres(url, { max: 4 });
registerDatabase(db);
const { forShop } = await import("../../app/db/shop-scope.server");
const { importUpload } = await import("../../app/services/pools/imports.server");
const { parseUpload } = await import("../../app/domain/pools/upload");

// Open the connection (and let Prisma compile its first query) outside the timed part; psql's connect is inside
// the baseline's time, but it is a few milliseconds either way.
await prisma.$queryRaw`SELECT 1`;

const bytesTotal = statSync(csvPath).size;
const rssBefore = process.memoryUsage.rss();
const sampler = sampleRss(50);
const started = performance.now();
const outcome = await importUpload(forShop(shopId), {
  shopId,
  poolId,
  format: "csv",
  fileName: "bench.csv",
  bytesTotal,
  source: createReadStream(csvPath),
});
const seconds = (performance.now() - started) / 1000;
const sampled = sampler.stop();
const hwm = peakRssBytes();

const parseStarted = performance.now();
let parseOnlyAccepted = 0;
for await (const batch of parseUpload(createReadStream(csvPath), { format: "csv" })) parseOnlyAccepted += batch.accepted.length;
const parseOnlySeconds = (performance.now() - parseStarted) / 1000;

const report = outcome.type === "done" ? outcome.report : null;
const result: UploadChildResult = {
  seconds,
  outcome: outcome.type === "refused" ? `refused: ${outcome.reason}` : outcome.type,
  accepted: report?.accepted ?? 0,
  duplicates: report ? report.duplicatesInFile + report.duplicatesInPool : 0,
  rejected: report?.rejected ?? 0,
  peakRssMb: hwm === null ? null : toMb(hwm),
  sampledPeakRssMb: toMb(sampled.peakBytes),
  samples: sampled.samples,
  rssBeforeMb: toMb(rssBefore),
  parseOnlySeconds,
  parseOnlyAccepted,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
await db.close();
process.exit(0);
