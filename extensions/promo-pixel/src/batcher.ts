// Small batches, bounded in size and in time, so the app gets one request per handful of events rather than one
// per event, and no event waits long. Pure: the clock, the timer, the transport and the storage are passed in,
// so test/unit/pixel exercises every path without a browser.
//
// The strict sandbox runs in a web worker that never sees the page being hidden, and each storefront page loads a
// fresh sandbox. So the pending events are also kept in the storefront's localStorage: a page that navigates away
// before its batch went out leaves them there, and the next page's pixel sends them first. The app deduplicates
// on the event id, so an event sent twice (saved, then also delivered) is stored once.
import type { WireBatch, WireEvent } from "./wire";

export type SendOutcome = "sent" | "retry" | "drop";

export interface BatcherOptions {
  shop: string;
  accountId: string;
  send(body: string): Promise<SendOutcome>;
  schedule(run: () => void, ms: number): () => void;
  /** Keeps pending events across page loads; omitted, they live only as long as the page. */
  storage?: { load(): Promise<string | null>; save(value: string | null): Promise<void> };
  maxEvents?: number;
  maxDelayMs?: number;
  /** Bodies stay under keepalive's 64 KiB limit with room to spare. */
  maxBytes?: number;
  /** Pending events beyond this (the app unreachable for long) drop the oldest. */
  maxPending?: number;
  /** Retry delays after a failed send, in order; the last one repeats. */
  retryDelaysMs?: number[];
}

export const DEFAULTS = {
  maxEvents: 10,
  maxDelayMs: 2000,
  maxBytes: 48 * 1024,
  maxPending: 200,
  retryDelaysMs: [2000, 10_000, 30_000],
};

/** How the app's answer maps to what the pixel does with the batch. */
export function outcomeOfStatus(status: number): SendOutcome {
  if (status >= 200 && status < 300) return "sent";
  // Throttled, or the app is having a bad moment: the same batch may be taken later.
  if (status === 429 || status === 408 || status >= 500) return "retry";
  // Refused for what it is (unknown shop, malformed, too large): sending it again cannot change that.
  return "drop";
}

/** Events that should not wait for the timer: after them the visitor usually leaves the page. */
const URGENT = new Set<WireEvent["name"]>(["checkout_completed", "product_added_to_cart"]);

export class EventBatcher {
  private pending: WireEvent[] = [];
  /** The batch being sent: kept in storage until the app took it, in case the page goes away mid-request. */
  private inFlight: WireEvent[] = [];
  private cancelTimer: (() => void) | null = null;
  private sending = false;
  private failures = 0;
  private readonly o: Required<Omit<BatcherOptions, "storage">> & Pick<BatcherOptions, "storage">;

  constructor(options: BatcherOptions) {
    this.o = { ...DEFAULTS, ...options };
  }

  /** Picks up what an earlier page left unsent, then sends it. */
  async restore(): Promise<void> {
    const saved = await this.o.storage?.load().catch(() => null);
    if (!saved) return;
    let events: unknown;
    try {
      events = JSON.parse(saved);
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    const known = new Set(this.pending.map((e) => e.id));
    const carried = (events as WireEvent[]).filter((e) => e && typeof e.id === "string" && !known.has(e.id));
    this.pending = [...carried, ...this.pending].slice(-this.o.maxPending);
    if (this.pending.length) await this.flush();
  }

  add(event: WireEvent): void {
    this.pending.push(event);
    if (this.pending.length > this.o.maxPending) this.pending.splice(0, this.pending.length - this.o.maxPending);
    void this.persist();
    if (
      URGENT.has(event.name) ||
      this.pending.length >= this.o.maxEvents ||
      this.bytesOf(this.pending) >= this.o.maxBytes
    ) {
      void this.flush();
    } else {
      this.arm(this.o.maxDelayMs);
    }
  }

  /** Sends everything pending now, in as many batches as the size bounds need. Safe to call at any time. */
  async flush(): Promise<void> {
    if (this.sending) return;
    this.disarm();
    this.sending = true;
    try {
      while (this.pending.length) {
        const batch = this.takeBatch();
        this.inFlight = batch;
        const outcome = await this.o.send(this.body(batch)).catch((): SendOutcome => "retry");
        this.inFlight = [];
        if (outcome === "retry") {
          this.pending = [...batch, ...this.pending].slice(-this.o.maxPending);
          this.failures += 1;
          const delays = this.o.retryDelaysMs;
          this.arm(delays[Math.min(this.failures, delays.length) - 1] ?? this.o.maxDelayMs);
          break;
        }
        this.failures = 0;
      }
    } finally {
      this.sending = false;
      await this.persist();
    }
  }

  /** For tests and diagnostics. */
  get size(): number {
    return this.pending.length + this.inFlight.length;
  }

  private takeBatch(): WireEvent[] {
    let count = Math.min(this.pending.length, this.o.maxEvents);
    // A single oversized event still goes alone: the app answers 413 and it is dropped, not retried forever.
    while (count > 1 && this.bytesOf(this.pending.slice(0, count)) > this.o.maxBytes) count -= 1;
    return this.pending.splice(0, count);
  }

  private body(events: WireEvent[]): string {
    const batch: WireBatch = { v: 1, shop: this.o.shop, accountId: this.o.accountId, events };
    return JSON.stringify(batch);
  }

  private bytesOf(events: WireEvent[]): number {
    return new TextEncoder().encode(this.body(events)).length;
  }

  private arm(ms: number): void {
    if (this.cancelTimer) return;
    this.cancelTimer = this.o.schedule(() => {
      this.cancelTimer = null;
      void this.flush();
    }, ms);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private async persist(): Promise<void> {
    if (!this.o.storage) return;
    const unsent = [...this.inFlight, ...this.pending];
    await this.o.storage.save(unsent.length ? JSON.stringify(unsent) : null).catch(() => undefined);
  }
}
