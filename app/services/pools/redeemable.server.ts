// Making a static pool's codes redeemable at checkout: they are added to a discount the merchant chose on the
// platform, through the port, 250 codes a call. Shopify adds them asynchronously (discountRedeemCodeBulkAdd,
// polled until done); Magento adds each as a specific coupon of the chosen sales rule and reports the outcome at
// once (its progress is done from the start). Progress and per-code failures land on a code_imports row. Codes
// added are marked with the discount id, so a retried run only sends what is missing; a code the platform calls
// taken is checked, since a lost response may mean we added it.
import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { isUuid } from "../../domain/ids";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { PlatformError } from "../../platforms/errors";
import type { BulkAddProgress, DiscountPlatform, PlatformDiscount } from "../../platforms/port";
import { storePlatform } from "../shops.server";
import { markImportFailed } from "./admin-queries.server";
import { startImport } from "./imports.server";

const BATCH = 250;
const MAX_REPORTED_FAILURES = 1000;

export type RedeemableStart = { type: "started"; importId: string; codes: number } | { type: "pool_not_found" } | { type: "nothing_to_add" };

export async function startRedeemableSync(
  db: ShopDb,
  input: { shopId: string; poolId: string; discountId: string },
): Promise<RedeemableStart> {
  if (!isUuid(input.poolId)) return { type: "pool_not_found" };
  const pool = await db.pool.findFirst({ where: { id: input.poolId, deletedAt: null, kind: "STATIC" }, select: { id: true } });
  if (!pool) return { type: "pool_not_found" };
  await db.pool.update({ where: { id: input.poolId }, data: { platformDiscountId: input.discountId } });
  const pending = await db.code.count({ where: { poolId: input.poolId, platformRef: null, status: { in: ["AVAILABLE", "ASSIGNED"] } } });
  if (pending === 0) return { type: "nothing_to_add" };
  const run = await startImport(db, {
    shopId: input.shopId,
    poolId: input.poolId,
    source: "redeemable",
    itemsTotal: pending,
    params: { discountId: input.discountId },
  });
  return { type: "started", importId: run.id, codes: pending };
}

/** The pool page's answer when the merchant asks to add the codes: the queued run to follow, or why not. */
export type RedeemableStartAnswer = { type: "started"; importId: string; codes: number } | { type: "refused"; message: string };

/** Starts a run adding the pool's missing codes to the discount and queues its job, in the merchant's words. */
export async function queueRedeemableSync(
  db: ShopDb,
  input: { shopId: string; poolId: string; discountId: string },
): Promise<RedeemableStartAnswer> {
  const started = await startRedeemableSync(db, input);
  if (started.type === "pool_not_found") return { type: "refused", message: "This pool no longer exists, or its codes are created on the store already." };
  if (started.type === "nothing_to_add") return { type: "refused", message: "Every code of this pool that can still be used is on the discount already." };
  try {
    await enqueue("pools", "syncRedeemable", { shopId: input.shopId, importId: started.importId }, { jobId: jobId("redeemable", started.importId) });
  } catch {
    await markImportFailed(db, started.importId, "The run could not be queued.");
    return { type: "refused", message: "The codes could not be queued for the discount right now. Try again in a moment." };
  }
  return { type: "started", importId: started.importId, codes: started.codes };
}

export interface SyncOptions {
  pollMs?: number;
  maxPollsPerBatch?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function runRedeemableSync(
  db: ShopDb,
  importId: string,
  platform: DiscountPlatform,
  options: SyncOptions = {},
): Promise<{ added: number; failed: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const run = await db.codeImport.findFirst({ where: { id: importId, source: "redeemable" } });
  if (!run) return { added: 0, failed: 0 };
  const { discountId } = run.params as { discountId: string };
  const failures: { code: string; reason: string }[] = [];
  let added = 0;
  let failed = 0;
  let afterId = 0n;
  for (;;) {
    const batch = await db.code.findMany({
      where: { poolId: run.poolId, platformRef: null, status: { in: ["AVAILABLE", "ASSIGNED"] }, id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true, code: true },
    });
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1]!.id;

    const start = await platform.addCodesToDiscount(discountId, batch.map((c) => c.code));
    if (start.type === "refused") {
      await db.codeImport.update({
        where: { id: importId },
        data: { status: "FAILED", finishedAt: new Date(), error: start.message, accepted: added, rejected: failed, itemsDone: added + failed },
      });
      return { added, failed };
    }
    let progress: BulkAddProgress = start.progress;
    for (let polls = 0; !progress.done && polls < (options.maxPollsPerBatch ?? 600); polls++) {
      await sleep(options.pollMs ?? 1000);
      progress = await platform.bulkAddProgress(progress.ref);
    }
    if (!progress.done) throw new Error(`${platform.kind} did not finish adding codes (${progress.ref}); the job will retry`);

    const failedByCode = new Map(progress.failed.map((f) => [f.code.toUpperCase(), f.reason]));
    const succeeded: bigint[] = [];
    for (const code of batch) {
      const reason = failedByCode.get(code.code.toUpperCase());
      // "Taken" may be our own earlier attempt whose answer was lost: then the code is already on our discount.
      if (reason === undefined || (/TAKEN/i.test(reason) && (await platform.discountOfCode(code.code)) === discountId)) {
        succeeded.push(code.id);
      } else {
        failed += 1;
        if (failures.length < MAX_REPORTED_FAILURES) failures.push({ code: code.code, reason });
      }
    }
    if (succeeded.length) await db.code.updateMany({ where: { id: { in: succeeded } }, data: { platformRef: discountId } });
    added += succeeded.length;
    await db.codeImport.update({
      where: { id: importId },
      data: { itemsDone: added + failed, accepted: added, rejected: failed, report: { failures } as unknown as Prisma.InputJsonValue },
    });
  }
  await db.codeImport.update({
    where: { id: importId },
    data: { status: "SUCCEEDED", finishedAt: new Date(), itemsDone: added + failed, accepted: added, rejected: failed, report: { failures } as unknown as Prisma.InputJsonValue },
  });
  return { added, failed };
}

/** What the pool page's "Redeemable at checkout" card shows before a run: the discounts to choose from. */
export type RedeemableTargets =
  | { type: "ok"; discounts: PlatformDiscount[]; currentDiscountId: string | null; added: number; pending: number }
  | { type: "pool_not_found" }
  | { type: "platform_error"; message: string };

export async function redeemableTargets(
  db: ShopDb,
  poolId: string,
  platform: (db: ShopDb) => Promise<DiscountPlatform> = storePlatform,
): Promise<RedeemableTargets> {
  // The pool's id comes from the URL: PostgreSQL refuses a malformed uuid with an error, where this is "not found".
  if (!isUuid(poolId)) return { type: "pool_not_found" };
  const pool = await db.pool.findFirst({ where: { id: poolId, deletedAt: null, kind: "STATIC" }, select: { platformDiscountId: true } });
  if (!pool) return { type: "pool_not_found" };
  const live = { poolId, status: { in: ["AVAILABLE" as const, "ASSIGNED" as const] } };
  const [added, pending] = await Promise.all([
    db.code.count({ where: { ...live, platformRef: { not: null } } }),
    db.code.count({ where: { ...live, platformRef: null } }),
  ]);
  try {
    const discounts = await (await platform(db)).listDiscounts();
    return { type: "ok", discounts, currentDiscountId: pool.platformDiscountId, added, pending };
  } catch (error) {
    if (error instanceof PlatformError) return { type: "platform_error", message: error.message };
    throw error;
  }
}

