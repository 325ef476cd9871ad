// Paces Admin GraphQL calls against Shopify's cost-based leaky bucket, so bursts drain at the shop's restore
// rate instead of hitting THROTTLED. State is per shop and per process; every response's
// extensions.cost.throttleStatus corrects our estimate, so several processes sharing a bucket converge.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

type Clock = { now(): number; sleep(ms: number): Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class CostPacer {
  private status: ThrottleStatus | undefined;
  private seenAt = 0;
  /** Points promised to requests in flight, not yet reflected in a throttleStatus. */
  private reserved = 0;
  private readonly costByOperation = new Map<string, number>();
  /** Until the first answer tells us the bucket, one request at a time: a blind burst could drain it. */
  private probing: Promise<void> | undefined;
  private endProbe: (() => void) | undefined;

  constructor(private readonly clock: Clock = realClock) {}

  estimate(operationName: string): number {
    return this.costByOperation.get(operationName) ?? 10;
  }

  /** Points available now by our estimate, or Infinity before the first response tells us the bucket. */
  available(): number {
    if (!this.status) return Number.POSITIVE_INFINITY;
    const elapsed = (this.clock.now() - this.seenAt) / 1000;
    const restored = this.status.currentlyAvailable + elapsed * this.status.restoreRate;
    return Math.min(this.status.maximumAvailable, restored) - this.reserved;
  }

  /** Waits until `cost` points are (probably) available, then holds them until release(). */
  async acquire(cost: number): Promise<void> {
    while (!this.status) {
      if (!this.probing) {
        this.probing = new Promise((resolve) => (this.endProbe = resolve));
        this.reserved += cost;
        return;
      }
      await this.probing;
    }
    for (;;) {
      const available = this.available();
      if (available >= cost || !this.status) break;
      const waitMs = ((cost - available) / this.status.restoreRate) * 1000;
      await this.clock.sleep(Math.max(5, Math.ceil(waitMs)));
    }
    this.reserved += cost;
  }

  release(cost: number, operationName: string, extension: CostExtension | undefined): void {
    this.reserved = Math.max(0, this.reserved - cost);
    if (extension) {
      if (operationName) this.costByOperation.set(operationName, extension.requestedQueryCost);
      this.status = extension.throttleStatus;
      this.seenAt = this.clock.now();
    }
    // The probe ends with its answer, even one without cost information, so waiters never hang.
    if (this.probing && cost > 0) {
      this.endProbe?.();
      this.probing = undefined;
      this.endProbe = undefined;
    }
  }

  /** After a THROTTLED answer: how long until `cost` points are back. */
  waitAfterThrottle(cost: number): number {
    if (!this.status) return 1000;
    const missing = cost - this.status.currentlyAvailable;
    return Math.max(50, Math.ceil((missing / this.status.restoreRate) * 1000));
  }
}

const pacers = new Map<string, CostPacer>();

export function pacerForShop(shop: string): CostPacer {
  let pacer = pacers.get(shop);
  if (!pacer) {
    pacer = new CostPacer();
    pacers.set(shop, pacer);
  }
  return pacer;
}
