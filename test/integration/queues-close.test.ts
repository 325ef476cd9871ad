import { afterEach, describe, expect, it } from "vitest";
import { closeQueues, enqueue, queue, QueuesClosingError } from "../../app/jobs/enqueue.server";

// Shutdown (server/stack.ts, every test file's afterAll) closes the queues while a debounced enqueue may just have
// opened one. BullMQ's close of a connection still initializing let the initialization's failure escape as an
// unhandled rejection, which fails a vitest run and ends a Node process.

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

afterEach(async () => {
  process.off("unhandledRejection", onRejection);
  await closeQueues();
});

describe("closing the queues", () => {
  it("never leaves an unhandled rejection when a queue is closed while it is still connecting", async () => {
    process.on("unhandledRejection", onRejection);
    // Without the wait for readiness about one close in ten, at some delay after opening, left one.
    for (let i = 0; i < 120; i++) {
      queue("system");
      const delayMs = (i % 40) * 0.1;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await closeQueues();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rejections.map(String)).toEqual([]);
  });

  it("refuses to open a queue while the queues close, and opens one again afterwards", async () => {
    queue("system");
    const closing = closeQueues();
    await expect(enqueue("segments", "evaluate", { shopId: "s" })).rejects.toBeInstanceOf(QueuesClosingError);
    await closing;
    await expect(queue("segments").waitUntilReady()).resolves.toBeDefined();
  });
});
