// Static promo-code pools on the machine's PostgreSQL, each measure against a baseline taken in the same run:
//
// 1. Upload 1,000,000 codes from a CSV through importUpload (streamed from disk, in a child process so its peak
//    RSS is the upload's: see bench/lib/upload-child.ts). Baseline: PostgreSQL COPY of the same file, through
//    psql's \copy (COPY FROM STDIN: the same client-to-server transfer our upload pays), into
//    `CREATE TABLE bench_copy (code text)`: the literal reading of "a table shaped like the CSV", timed before
//    and after our upload (mean). That table has no index and no constraint; our path also parses and validates
//    every line, de-duplicates the file case-insensitively in memory, stages it in an unlogged table, then adds it
//    to `codes` (rows of ~16 columns, a sequence and five indexes: primary key, the unique (pool_id, code_key) that
//    finds duplicates in the pool, (pool_id, status), and the partial claim and expiry indexes) in one insert
//    sorted by key that skips the pool's existing codes (docs/decisions/0021). The goal (>= 0.5 of COPY) is taken
//    against that literal baseline. For scale, the run also COPYs the file into a table with the upper-cased key
//    and its unique index (copyKeyedPerSec: the least a de-duplicating load costs); with BENCH_POOLS_STAGED=1 it
//    also loads it the COPY way into `codes` itself (stagedCopyPerSec: COPY into a temporary staging table, then
//    the same sorted INSERT ... SELECT DISTINCT ON ... NOT EXISTS as our final step, into a fresh pool).
// 2. 64 concurrent issuers drain a 100,000-code pool with issueCode (pool lookup, interactive transaction, SKIP
//    LOCKED claim, issuance insert, stock-check enqueue). Baseline: 64 loops of the bare claim statement (the
//    same UPDATE issueCode runs; no transaction, no issuance) through the same pg pool, on a fresh pool of the
//    same size, before and after our drain (mean). A short warm-up drain first opens the 64 connections, so
//    neither side pays for that. Duplicates and lost codes are counted from the database afterwards.
// 3. issueBatch to 100,000 recipients on a fresh 100,000-code pool: seconds (goal < 3 s).
//
// Runs in its own database (promo_bench, created and migrated when missing) under its own shop, deleted at the
// end; queue jobs go under the promo-bench prefix and are removed too. Sizes can be shrunk for a quick check
// with BENCH_UPLOAD_CODES, BENCH_ISSUE_CODES and BENCH_BATCH_RECIPIENTS.
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openBenchDatabase } from "../lib/bench-env";
import { writeCodesCsv } from "../lib/codes-csv";
import { psql, sqlLiteral } from "../lib/psql";
import type { UploadChildResult } from "../lib/upload-child";
import { phaseTimer } from "../lib/phases";

const UPLOAD_CODES = Number(process.env.BENCH_UPLOAD_CODES ?? 1_000_000);
const ISSUE_CODES = Number(process.env.BENCH_ISSUE_CODES ?? 100_000);
const ISSUERS = 64;
const BATCH_RECIPIENTS = Number(process.env.BENCH_BATCH_RECIPIENTS ?? 100_000);
const SHOP_DOMAIN_PREFIX = "pools-bench-";
/** The staged-COPY comparison costs about as long as the upload itself: only with BENCH_POOLS_STAGED=1. */
const STAGED = process.env.BENCH_POOLS_STAGED === "1";

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export async function run(log: (line: string) => void) {
  const { phases, timed } = phaseTimer();

  const { url, db, prisma, forShop } = await openBenchDatabase(timed, 70);
  const { issueBatch, issueCode } = await import("../../app/services/pools/issue.server");
  const { closeQueues, queue } = await import("../../app/jobs/enqueue.server");

  /**
   * Deletes a bench shop and everything under it. Cascading from the shop row fires a foreign-key trigger per
   * deleted row (codes alone: ~15 µs each here, and issuances.code_id has no index, so each deleted code's
   * ON DELETE SET NULL scans issuances), which makes a million-code cleanup take most of a minute. The big tables
   * are emptied first with the triggers off (session_replication_role = replica, superuser only; the bench only
   * writes shops, pools, code_imports, codes, customers and issuances), then the shop row cascades over the rest.
   */
  const deleteShop = async (shopId: string) => {
    const literal = `'${shopId.replaceAll("'", "''")}'::uuid`;
    const fast = await db.withConnection(async (conn) => {
      try {
        await conn.execScript(`BEGIN;
          SET LOCAL session_replication_role = replica;
          DELETE FROM issuances WHERE shop_id = ${literal};
          DELETE FROM codes WHERE shop_id = ${literal};
          DELETE FROM customers WHERE shop_id = ${literal};
          COMMIT;`);
        return true;
      } catch (error) {
        await conn.execScript("ROLLBACK").catch(() => undefined);
        log(`fast cleanup unavailable (${(error as Error).message}); cascading from the shop row instead`);
        return false;
      }
    });
    if (!fast) {
      // Neither has a foreign key to the shop's rows (decisions 0015, 0021): the shop row's cascade misses them.
      await prisma.$executeRaw`DELETE FROM issuances WHERE shop_id = ${shopId}::uuid`;
      await prisma.$executeRaw`DELETE FROM codes WHERE pool_id IN (SELECT id FROM pools WHERE shop_id = ${shopId}::uuid)`;
      await db.execScript("VACUUM issuances");
    }
    await prisma.$executeRaw`DELETE FROM shops WHERE id = ${shopId}::uuid`;
  };

  await timed("cleanLeftovers", async () => {
    const leftovers = await prisma.shop.findMany({ where: { domain: { startsWith: SHOP_DOMAIN_PREFIX } }, select: { id: true } });
    for (const s of leftovers) await deleteShop(s.id);
    if (leftovers.length) log(`removed ${leftovers.length} shop(s) left by an earlier run`);
    await psql(url, "DROP TABLE IF EXISTS bench_copy, bench_copy_keyed");
    await db.execScript("VACUUM ANALYZE codes");
    await db.execScript("VACUUM ANALYZE issuances");
    await db.execScript("VACUUM ANALYZE customers");
  });

  const shop = await prisma.shop.create({
    data: { domain: `${SHOP_DOMAIN_PREFIX}${randomUUID().slice(0, 8)}.myshopify.com`, name: "pools bench" },
  });
  const shopId = shop.id;
  const shopDb = forShop(shopId);
  const csvPath = path.join(tmpdir(), `pools-bench-${process.pid}.csv`);

  let result: Record<string, unknown> = {};
  try {
    const upload = await benchUpload();
    const issue = await benchIssue();
    result = { ...upload.headline, ...issue.headline, ...upload.details, ...issue.details };
  } finally {
    await timed("cleanup", async () => {
      // issueCode and issueBatch enqueue a debounced stock check each; let the last ones land, then drop them.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await queue("pools")
        .obliterate({ force: true })
        .catch((error: unknown) => log(`could not clear the bench queue: ${(error as Error).message}`));
      await closeQueues();
      await rm(csvPath, { force: true });
      await psql(url, "DROP TABLE IF EXISTS bench_copy, bench_copy_keyed").catch(() => undefined);
      await deleteShop(shopId);
      await db.execScript("VACUUM ANALYZE codes");
    });
    await db.close();
  }
  log(`phases (s): ${JSON.stringify(phases)}`);
  const goals = {
    uploadRatio: (result.uploadRatio as number) >= 0.5,
    peakRss: (result.peakRssMb as number) < 300,
    issueRatio: (result.issueRatio as number) >= 0.5,
    exactlyOnce: result.duplicates === 0 && result.lost === 0,
    batch: (result.batch100kSeconds as number) < 3,
  };
  return { ...result, goals, phaseSeconds: phases };

  // -------------------------------------------------------------------------------------------------------------
  // 1. Upload

  async function benchUpload() {
    const csvBytes = await timed("writeCsv", () => writeCodesCsv(csvPath, UPLOAD_CODES));
    log(`wrote ${UPLOAD_CODES.toLocaleString("en")} codes (${(csvBytes / 1e6).toFixed(1)} MB) to ${csvPath}`);
    const copyInto = async (table: string, columns: string) => {
      await psql(url, `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${columns});`);
      const started = performance.now();
      await psql(url, `\\copy ${table} (code) FROM ${sqlLiteral(csvPath)} WITH (FORMAT csv, HEADER true)`);
      const seconds = (performance.now() - started) / 1000;
      await psql(url, `DROP TABLE ${table}`);
      return seconds;
    };
    const copyPlain = () => timed("copyBaseline", () => copyInto("bench_copy", "code text"));

    // COPY before and after our upload; the baseline is their mean, so drift during the run (checkpoints,
    // autovacuum, the neighbours) weighs on both sides.
    const copyBefore = await copyPlain();
    log(`COPY baseline (before): ${copyBefore.toFixed(2)} s`);
    const pool = await prisma.pool.create({ data: { shopId, name: "bench upload" }, select: { id: true } });
    const child = await timed("upload", () => runUploadChild(url, shopId, pool.id, csvPath));
    log(
      `importUpload: ${child.seconds.toFixed(2)} s (${child.accepted} accepted), peak RSS ${child.peakRssMb} MB ` +
        `(highest 50 ms sample ${child.sampledPeakRssMb} MB, ${child.rssBeforeMb} MB before the upload); ` +
        `the parser alone: ${child.parseOnlySeconds.toFixed(2)} s`,
    );
    if (child.outcome !== "done" || child.accepted !== UPLOAD_CODES) {
      throw new Error(`the upload did not import every code: ${JSON.stringify(child)}`);
    }
    const copyAfter = await copyPlain();
    log(`COPY baseline (after): ${copyAfter.toFixed(2)} s`);
    const copySeconds = (copyBefore + copyAfter) / 2;

    // For scale, not goals: the least a case-insensitively de-duplicating load costs (COPY into a table with the
    // upper-cased key and its unique index), and the COPY way of loading into `codes` itself.
    const keyedSeconds = await timed("copyKeyed", () =>
      copyInto("bench_copy_keyed", "code text NOT NULL, code_key text GENERATED ALWAYS AS (upper(code)) STORED UNIQUE"),
    );
    log(`COPY into a table with a unique upper(code) key: ${keyedSeconds.toFixed(2)} s`);
    let stagedSeconds: number | null = null;
    if (STAGED) {
      const staged = await prisma.pool.create({ data: { shopId, name: "bench staged copy" }, select: { id: true } });
      stagedSeconds = await timed("stagedCopy", async () => {
        const started = performance.now();
        // What our upload's final step does (decision 0021), with the file loaded by COPY and de-duplicated by
        // DISTINCT ON instead of parsed, validated and de-duplicated by us: sorted by key, NOT EXISTS for the pool.
        await psql(
          url,
          `BEGIN;
CREATE TEMP TABLE bench_stage (code text) ON COMMIT DROP;
\\copy bench_stage (code) FROM ${sqlLiteral(csvPath)} WITH (FORMAT csv, HEADER true)
INSERT INTO codes (shop_id, pool_id, code, code_key, status, created_at)
  SELECT DISTINCT ON (upper(s.code)) '${shopId}'::uuid, '${staged.id}'::uuid, s.code, upper(s.code), 'AVAILABLE'::"CodeStatus", now()
  FROM bench_stage s
  WHERE NOT EXISTS (SELECT 1 FROM codes c WHERE c.pool_id = '${staged.id}'::uuid AND c.code_key = upper(s.code))
  ORDER BY upper(s.code);
COMMIT;`,
        );
        return (performance.now() - started) / 1000;
      });
      log(`COPY into a staging table + one sorted INSERT ... SELECT ... NOT EXISTS into codes: ${stagedSeconds.toFixed(2)} s`);
    }

    const uploadPerSec = UPLOAD_CODES / child.seconds;
    const copyPerSec = UPLOAD_CODES / copySeconds;
    return {
      headline: {
        uploadPerSec: Math.round(uploadPerSec),
        copyPerSec: Math.round(copyPerSec),
        uploadRatio: round(uploadPerSec / copyPerSec, 4),
        peakRssMb: child.peakRssMb ?? child.sampledPeakRssMb,
      },
      details: {
        uploadSeconds: round(child.seconds, 2),
        uploadParseOnlySeconds: round(child.parseOnlySeconds, 2),
        copySeconds: [round(copyBefore, 2), round(copyAfter, 2)],
        rssBeforeUploadMb: child.rssBeforeMb,
        sampledPeakRssMb: child.sampledPeakRssMb,
        copyKeyedPerSec: Math.round(UPLOAD_CODES / keyedSeconds),
        stagedCopyPerSec: stagedSeconds === null ? null : Math.round(UPLOAD_CODES / stagedSeconds),
      },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // 2. Concurrent issue and 3. batch issue

  async function benchIssue() {
    const setup = await timed("issueSetup", async () => {
      const pools: string[] = [];
      const sizes = [ISSUERS * 8, ISSUE_CODES, ISSUE_CODES, ISSUE_CODES, BATCH_RECIPIENTS];
      for (const [i, size] of sizes.entries()) {
        const pool = await prisma.pool.create({ data: { shopId, name: `bench pool ${i}` }, select: { id: true } });
        await prisma.$executeRaw`
          INSERT INTO codes (shop_id, pool_id, code, code_key, status, created_at)
          SELECT ${shopId}::uuid, ${pool.id}::uuid, k, k, 'AVAILABLE', now()
          FROM (SELECT ${`B${i}-`} || lpad(g::text, 7, '0') AS k FROM generate_series(1, ${size}::int) g) keys`;
        pools.push(pool.id);
      }
      // Enough customers that every issuer's last call finds the pool empty, whatever the interleaving.
      await prisma.$executeRaw`
        INSERT INTO customers (id, shop_id, platform_id, email, updated_at)
        SELECT gen_random_uuid(), ${shopId}::uuid, 'gid://shopify/Customer/' || g, 'bench' || g || '@example.com', now()
        FROM generate_series(1, ${Math.max(ISSUE_CODES, BATCH_RECIPIENTS) + ISSUERS * 2}::int) g`;
      for (const table of ["codes", "customers", "issuances"]) await db.execScript(`ANALYZE ${table}`);
      const rows = await prisma.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM customers WHERE shop_id = ${shopId}::uuid`;
      return { pools, customers: rows.map((r) => r.id) };
    });
    const customers = setup.customers;
    const [warmupPoolId, baselineBeforePoolId, issuePoolId, baselineAfterPoolId, batchPoolId] = setup.pools as [string, string, string, string, string];
    log(`set up 4 pools of ${ISSUE_CODES.toLocaleString("en")} codes and ${customers.length.toLocaleString("en")} customers`);

    const issueLoop = (poolId: string) => async (customerId: string) => {
      const result = await issueCode(shopDb, { shopId, poolId, customerId, source: "bench" });
      if (result.type === "issued") return true;
      if (result.type === "pool_empty") return false;
      throw new Error(`issueCode answered ${result.type}`);
    };
    // Whichever drain runs first would otherwise pay for opening the pool's 64 connections (a backend start and
    // a cold catalog cache each: seconds on this machine) and for Prisma's first queries.
    await timed("warmup", () => drain("warm-up", customers, issueLoop(warmupPoolId)));

    // Baseline: the claim statement issueCode runs, alone, through the same pg pool (db.withConnection takes a
    // client from the pg.Pool the Prisma adapter uses). Ids are inlined: they are uuids this bench made. Taken
    // before and after our drain, on two fresh pools of the same size; the baseline is the mean rate.
    const claimSql = (poolId: string, customerId: string) => `
      UPDATE codes SET status = 'ASSIGNED', customer_id = '${customerId}'::uuid, assigned_at = now()
      WHERE id = (
        SELECT id FROM codes
        WHERE pool_id = '${poolId}'::uuid AND shop_id = '${shopId}'::uuid AND status = 'AVAILABLE'
          AND (expires_at IS NULL OR expires_at > now())
        ORDER BY id + 0
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`;
    const claimBaseline = async (poolId: string, label: string) => {
      const run = await timed("claimBaseline", () =>
        drain(label, customers, async (customerId) => {
          const rows = await db.withConnection((conn) => conn.query<{ id: string }>(claimSql(poolId, customerId)));
          return rows.length > 0;
        }),
      );
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM codes WHERE pool_id = ${poolId}::uuid AND status = 'ASSIGNED'`;
      const perSec = Number(row?.n ?? 0) / run.seconds;
      log(`${label}: ${row?.n} claimed in ${run.seconds.toFixed(2)} s (${Math.round(perSec)}/s)`);
      return { perSec, seconds: run.seconds };
    };

    const baselineBefore = await claimBaseline(baselineBeforePoolId, "claim baseline (before)");
    const ours = await timed("issue", () => drain("issueCode", customers, issueLoop(issuePoolId)));
    const check = await checkIssues(issuePoolId);
    const issuePerSec = check.issuances / ours.seconds;
    log(
      `issueCode: ${check.issuances} issued in ${ours.seconds.toFixed(2)} s (${Math.round(issuePerSec)}/s), ` +
        `${ours.errors} error(s); from the database: ${JSON.stringify(check)}`,
    );

    const baselineAfter = await claimBaseline(baselineAfterPoolId, "claim baseline (after)");
    const claimBaselinePerSec = (baselineBefore.perSec + baselineAfter.perSec) / 2;

    const batch = await timed("batch", async () => {
      const recipients = customers.slice(0, BATCH_RECIPIENTS);
      const started = performance.now();
      const result = await issueBatch(shopDb, { shopId, poolId: batchPoolId, customerIds: recipients, source: "bench" });
      const seconds = (performance.now() - started) / 1000;
      const [row] = await prisma.$queryRaw<{ n: bigint; codes: bigint; customers: bigint }[]>`
        SELECT count(*) AS n, count(DISTINCT code_id) AS codes, count(DISTINCT customer_id) AS customers
        FROM issuances WHERE pool_id = ${batchPoolId}::uuid`;
      return { seconds, returned: result.issued.length, unserved: result.unserved.length, recorded: Number(row?.n ?? 0), distinctCodes: Number(row?.codes ?? 0), distinctCustomers: Number(row?.customers ?? 0) };
    });
    log(`issueBatch: ${BATCH_RECIPIENTS.toLocaleString("en")} recipients in ${batch.seconds.toFixed(2)} s: ${JSON.stringify(batch)}`);
    if (batch.recorded !== BATCH_RECIPIENTS || batch.distinctCodes !== BATCH_RECIPIENTS) {
      throw new Error(`issueBatch did not serve every recipient once: ${JSON.stringify(batch)}`);
    }

    return {
      headline: {
        issuePerSec: Math.round(issuePerSec),
        claimBaselinePerSec: Math.round(claimBaselinePerSec),
        issueRatio: round(issuePerSec / claimBaselinePerSec, 3),
        duplicates: check.sharedCode + check.wrongCustomer,
        lost: check.unlinked + check.leftAvailable,
        batch100kSeconds: round(batch.seconds, 2),
      },
      details: {
        issueSeconds: round(ours.seconds, 2),
        claimBaselineSeconds: [round(baselineBefore.seconds, 2), round(baselineAfter.seconds, 2)],
        claimBaselinePerSecBeforeAfter: [Math.round(baselineBefore.perSec), Math.round(baselineAfter.perSec)],
        issueErrors: ours.errors,
        issueCheck: check,
      },
    };
  }

  /** Duplicates and lost codes of a drained pool, counted from the database. */
  async function checkIssues(poolId: string) {
    const [row] = await prisma.$queryRaw<Record<string, bigint>[]>`
      SELECT
        (SELECT count(*) FROM issuances WHERE pool_id = ${poolId}::uuid) AS issuances,
        -- issuances beyond the first for one code
        (SELECT count(*) - count(DISTINCT code_id) FROM issuances WHERE pool_id = ${poolId}::uuid AND code_id IS NOT NULL) AS shared_code,
        -- codes whose row names another customer than their issuance
        (SELECT count(*) FROM issuances i JOIN codes c ON c.id = i.code_id
          WHERE i.pool_id = ${poolId}::uuid AND c.customer_id IS DISTINCT FROM i.customer_id) AS wrong_customer,
        (SELECT count(*) - count(DISTINCT customer_id) FROM issuances WHERE pool_id = ${poolId}::uuid) AS customer_twice,
        -- taken out of the pool but given to nobody
        (SELECT count(*) FROM codes c WHERE c.pool_id = ${poolId}::uuid AND c.status <> 'AVAILABLE'
          AND NOT EXISTS (SELECT 1 FROM issuances i WHERE i.code_id = c.id)) AS unlinked,
        -- still available although every issuer was told the pool was empty
        (SELECT count(*) FROM codes WHERE pool_id = ${poolId}::uuid AND status = 'AVAILABLE') AS left_available`;
    const n = (key: string) => Number(row?.[key] ?? 0);
    return {
      issuances: n("issuances"),
      sharedCode: n("shared_code"),
      wrongCustomer: n("wrong_customer"),
      customerTwice: n("customer_twice"),
      unlinked: n("unlinked"),
      leftAvailable: n("left_available"),
    };
  }

  /**
   * ISSUERS concurrent loops, each taking the next customer and claiming for them until its claim finds the pool
   * empty. Errors are counted (the customer is skipped) rather than ending the run, up to a hundred.
   */
  async function drain(label: string, customerIds: string[], claim: (customerId: string) => Promise<boolean>) {
    let next = 0;
    let claimed = 0;
    let errors = 0;
    const started = performance.now();
    const progress = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      log(`  ${label}: ${claimed} in ${seconds.toFixed(0)} s (${Math.round(claimed / seconds)}/s)`);
    }, 10_000);
    try {
      await Promise.all(
        Array.from({ length: ISSUERS }, async () => {
          for (;;) {
            const customerId = customerIds[next++];
            if (customerId === undefined) return;
            try {
              if (!(await claim(customerId))) return;
              claimed++;
            } catch (error) {
              if (++errors <= 3) log(`  ${label}: ${(error as Error).message.split("\n").slice(-1)[0]}`);
              if (errors > 100) throw error;
            }
          }
        }),
      );
    } finally {
      clearInterval(progress);
    }
    return { seconds: (performance.now() - started) / 1000, claimed, errors };
  }
}

function runUploadChild(url: string, shopId: string, poolId: string, csvPath: string): Promise<UploadChildResult> {
  return new Promise((resolve, reject) => {
    // The same V8 flag `npm start` and `npm run worker` use (package.json): a 16 MB young generation instead of
    // the up-to-128 MB V8 picks on a 24 GB machine, which is what the upload's peak memory mostly was.
    const child = spawn(process.execPath, ["--max-semi-space-size=16", "--import", "tsx", path.resolve("bench/lib/upload-child.ts")], {
      env: { ...process.env, BENCH_DATABASE_URL: url, BENCH_SHOP_ID: shopId, BENCH_POOL_ID: poolId, BENCH_CSV: csvPath },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`upload child exited with ${code}: ${out}`));
      resolve(JSON.parse(line) as UploadChildResult);
    });
  });
}
