// Asking for a pool's low-stock check (stock.server.ts) after its stock changed. A module of its own so the
// services that change stock (issue, uploads, retiring, pool settings) can ask without importing the check itself.
// The queue module (BullMQ, ioredis) is loaded on the first check, not with this module: an upload run in a process
// of its own (bench/lib/upload-child.ts) would otherwise carry it in its memory for a check it never makes.

/**
 * Asks the worker to re-check a pool soon, after the last of a burst of changes (a trailing debounce, so the check
 * always sees the latest stock). Never in the caller's way: a Redis hiccup only delays the alert to the next check.
 * A burst costs one job per pool per second per process; checks are safe to run concurrently (the crossing is
 * claimed with a conditional update). BullMQ's own deduplication is not used: while a key lives it drops adds,
 * which is a leading debounce and can skip the check after the last issue.
 */
const scheduled = new Map<string, NodeJS.Timeout>();
const COALESCE_MS = 1_000;

export function requestStockCheck(shopId: string, poolId: string): void {
  if (scheduled.has(poolId)) return; // a check already runs after this moment
  const timer = setTimeout(() => {
    scheduled.delete(poolId);
    import("../../jobs/enqueue.server")
      .then(({ enqueue }) => enqueue("pools", "checkStock", { shopId, poolId }))
      .catch(() => undefined);
  }, COALESCE_MS);
  timer.unref();
  scheduled.set(poolId, timer);
}
