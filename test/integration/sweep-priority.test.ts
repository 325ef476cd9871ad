// The per-minute sweeps fan out one job per installed shop. With many shops that is a long line of jobs on the
// same queues as the real work; they go at sweep priority, so a message to send never waits behind them.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeQueues, enqueue, enqueueShopSweeps, queue } from "../../app/jobs/enqueue.server";
import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";

let worker: RunningWorker | undefined;

afterAll(async () => {
  await worker?.close();
  await closeQueues();
});

describe("sweep fan-out", () => {
  it("GIVEN 1,200 shops' sweeps waiting WHEN a message is queued after them THEN the worker sends it first, and each shop's sweep runs once", async () => {
    await queue("messages").obliterate({ force: true });
    const shops = Array.from({ length: 1200 }, () => randomUUID());
    const minute = Math.floor(Date.now() / 60_000);
    await enqueueShopSweeps("messages", "sweep", shops, "msweep-priority", minute);
    // The scheduler firing twice in the same minute adds nothing.
    await enqueueShopSweeps("messages", "sweep", shops, "msweep-priority", minute);
    await enqueue("messages", "send", { shopId: shops[0]!, messageIds: ["1"] });

    const order: string[] = [];
    const swept = new Set<string>();
    worker = await startWorker({
      schedules: false,
      concurrency: 1,
      log: () => undefined,
      processors: {
        messages: {
          send: async () => {
            order.push("send");
            return { sent: 0 };
          },
          sweep: async (payload) => {
            order.push("sweep");
            swept.add(payload.shopId);
            return { requeued: 0 };
          },
        },
      },
    });
    const deadline = Date.now() + 30_000;
    while (order.length < shops.length + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    expect(order[0]).toBe("send");
    expect(order).toHaveLength(shops.length + 1);
    expect(swept.size).toBe(shops.length);
  });
});
