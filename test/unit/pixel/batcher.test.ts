import { describe, expect, it } from "vitest";
import { EventBatcher, outcomeOfStatus, type SendOutcome } from "../../../extensions/promo-pixel/src/batcher";
import type { WireBatch, WireEvent } from "../../../extensions/promo-pixel/src/wire";

/** A hand-driven clock for the batcher's timer: run() fires what is due. */
class Timers {
  now = 0;
  private queue: { at: number; run: () => void; id: number }[] = [];
  private next = 0;
  schedule = (run: () => void, ms: number) => {
    const id = this.next++;
    this.queue.push({ at: this.now + ms, run, id });
    return () => {
      this.queue = this.queue.filter((t) => t.id !== id);
    };
  };
  async advance(ms: number) {
    this.now += ms;
    const due = this.queue.filter((t) => t.at <= this.now);
    this.queue = this.queue.filter((t) => t.at > this.now);
    for (const t of due) t.run();
    await settle();
  }
  get armed() {
    return this.queue.length;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let seq = 0;
function event(name: WireEvent["name"] = "product_viewed", extra: Partial<WireEvent> = {}): WireEvent {
  seq += 1;
  return {
    id: `sh-${seq}`,
    name,
    timestamp: new Date(Date.UTC(2026, 10, 21, 10, 0, seq)).toISOString(),
    clientId: "client-1",
    customerId: null,
    products: [
      { id: "101", variantId: "201", title: "Tee", vendor: "Acme", type: "Shirts", sku: "T-1", quantity: null, url: "/products/tee" },
    ],
    collection: null,
    orderId: null,
    ...extra,
  };
}

function harness(
  options: { outcomes?: SendOutcome[]; throwOnce?: boolean; maxEvents?: number; maxBytes?: number } = {},
) {
  const timers = new Timers();
  const sent: WireBatch[] = [];
  const outcomes = [...(options.outcomes ?? [])];
  let saved: string | null = null;
  let throwNext = options.throwOnce ?? false;
  const batcher = new EventBatcher({
    shop: "demo.myshopify.com",
    accountId: "acct-1",
    maxEvents: options.maxEvents ?? 3,
    maxDelayMs: 2000,
    maxBytes: options.maxBytes,
    retryDelaysMs: [1000, 5000],
    schedule: timers.schedule,
    async send(body) {
      if (throwNext) {
        throwNext = false;
        throw new TypeError("Failed to fetch");
      }
      sent.push(JSON.parse(body) as WireBatch);
      return outcomes.shift() ?? "sent";
    },
    storage: {
      load: async () => saved,
      save: async (value) => {
        saved = value;
      },
    },
  });
  return { batcher, timers, sent, saved: () => saved, setSaved: (v: string | null) => (saved = v) };
}

describe("the pixel's batcher", () => {
  it("GIVEN fewer events than a batch WHEN the delay passes THEN they go out together in one request", async () => {
    const { batcher, timers, sent } = harness();
    batcher.add(event());
    batcher.add(event());
    await settle();
    expect(sent).toHaveLength(0);
    await timers.advance(1999);
    expect(sent).toHaveLength(0);
    await timers.advance(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ v: 1, shop: "demo.myshopify.com", accountId: "acct-1" });
    expect(sent[0]?.events.map((e) => e.id)).toHaveLength(2);
    expect(batcher.size).toBe(0);
  });

  it("GIVEN a full batch WHEN the last event arrives THEN it is sent at once without waiting for the timer", async () => {
    const { batcher, timers, sent } = harness({ maxEvents: 3 });
    for (let i = 0; i < 3; i++) batcher.add(event());
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.events).toHaveLength(3);
    expect(timers.armed).toBe(0);
  });

  it("GIVEN a completed checkout or an add to cart THEN it is sent at once: the visitor is about to leave the page", async () => {
    const { batcher, sent } = harness({ maxEvents: 10 });
    batcher.add(event("product_viewed"));
    batcher.add(event("checkout_completed", { customerId: "7001", orderId: "9001" }));
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.events.map((e) => e.name)).toEqual(["product_viewed", "checkout_completed"]);
    batcher.add(event("product_added_to_cart"));
    await settle();
    expect(sent).toHaveLength(2);
  });

  it("GIVEN events whose body would pass the byte bound THEN they are split over several requests, each under it", async () => {
    const big = "x".repeat(900);
    const { batcher, timers, sent } = harness({ maxEvents: 50, maxBytes: 3000 });
    for (let i = 0; i < 6; i++)
      batcher.add(
        event("product_viewed", {
          products: [{ id: "1", variantId: null, title: big, vendor: null, type: null, sku: null, quantity: null, url: null }],
        }),
      );
    await timers.advance(2000);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.flatMap((b) => b.events)).toHaveLength(6);
    for (const batch of sent) expect(new TextEncoder().encode(JSON.stringify(batch)).length).toBeLessThanOrEqual(3000);
  });

  it("GIVEN the app answers 429 or fails WHEN it recovers THEN the same events are sent again, in order, after the backoff", async () => {
    const { batcher, timers, sent } = harness({ outcomes: ["retry"], maxEvents: 2 });
    const first = event();
    const second = event();
    batcher.add(first);
    batcher.add(second);
    await settle();
    expect(sent).toHaveLength(1);
    expect(batcher.size).toBe(2);
    await timers.advance(999);
    expect(sent).toHaveLength(1);
    await timers.advance(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.events.map((e) => e.id)).toEqual([first.id, second.id]);
    expect(batcher.size).toBe(0);
  });

  it("GIVEN a network error (fetch throws) THEN the batch is kept and retried", async () => {
    const { batcher, timers, sent } = harness({ throwOnce: true, maxEvents: 1 });
    batcher.add(event());
    await settle();
    expect(sent).toHaveLength(0);
    expect(batcher.size).toBe(1);
    await timers.advance(1000);
    expect(sent).toHaveLength(1);
    expect(batcher.size).toBe(0);
  });

  it("GIVEN the app refuses a batch for what it is (4xx) THEN it is dropped, not retried forever", async () => {
    const { batcher, timers, sent } = harness({ outcomes: ["drop"], maxEvents: 1 });
    batcher.add(event());
    await settle();
    await timers.advance(60_000);
    expect(sent).toHaveLength(1);
    expect(batcher.size).toBe(0);
  });

  it("maps the app's statuses to what the pixel does", () => {
    expect([202, 200].map(outcomeOfStatus)).toEqual(["sent", "sent"]);
    expect([429, 500, 502, 503, 408].map(outcomeOfStatus)).toEqual(["retry", "retry", "retry", "retry", "retry"]);
    expect([400, 403, 404, 413].map(outcomeOfStatus)).toEqual(["drop", "drop", "drop", "drop"]);
  });

  it("GIVEN a page left before its batch went out WHEN the next page's pixel starts THEN it sends what was left first", async () => {
    const first = harness({ maxEvents: 10 });
    const left = [event(), event()];
    for (const e of left) first.batcher.add(e);
    await settle();
    expect(first.sent).toHaveLength(0);
    const carried = first.saved();
    expect(JSON.parse(carried ?? "[]")).toHaveLength(2);

    // The next page: a new sandbox, the same storefront storage.
    const next = harness({ maxEvents: 10 });
    next.setSaved(carried);
    await next.batcher.restore();
    expect(next.sent).toHaveLength(1);
    expect(next.sent[0]?.events.map((e) => e.id)).toEqual(left.map((e) => e.id));
    expect(next.saved()).toBeNull();
  });

  it("keeps a batch in storage while its request is in flight, so a page that goes away mid-request loses nothing", async () => {
    let release: (outcome: SendOutcome) => void = () => undefined;
    let saved: string | null = null;
    const batcher = new EventBatcher({
      shop: "s.myshopify.com",
      accountId: "a",
      maxEvents: 1,
      schedule: () => () => undefined,
      send: () => new Promise<SendOutcome>((resolve) => (release = resolve)),
      storage: { load: async () => saved, save: async (v) => void (saved = v) },
    });
    const e = event();
    batcher.add(e);
    await settle();
    expect(JSON.parse(saved ?? "[]").map((x: WireEvent) => x.id)).toEqual([e.id]);
    release("sent");
    await settle();
    expect(saved).toBeNull();
  });

  it("GIVEN the app is unreachable for long THEN at most maxPending events are kept, the oldest dropped first", async () => {
    const timers = new Timers();
    const batcher = new EventBatcher({
      shop: "s.myshopify.com",
      accountId: "a",
      maxEvents: 1000,
      maxPending: 5,
      schedule: timers.schedule,
      send: async () => "retry",
    });
    const events = Array.from({ length: 8 }, () => event());
    for (const e of events) batcher.add(e);
    expect(batcher.size).toBe(5);
  });
});
