/**
 * Time source for everything time-dependent in the simulator: the leaky
 * bucket, discount status (SCHEDULED/ACTIVE/EXPIRED), timestamps and the
 * progress of asynchronous bulk code creation. Injected so tests can move
 * time explicitly instead of sleeping.
 */
export type Clock = () => number;

/** Wall-clock milliseconds since the epoch, but monotonic within the process. */
export const systemClock: Clock = () => performance.timeOrigin + performance.now();

/** A date after the demo seed's history, so seeded discounts are ACTIVE. */
export const DEFAULT_MANUAL_CLOCK_START = Date.UTC(2026, 10, 21, 12, 0, 0);

/** A clock that only moves when told to; `clock.now` is a `Clock`. */
export class ManualClock {
  private current: number;

  constructor(start: number = DEFAULT_MANUAL_CLOCK_START) {
    this.current = start;
  }

  readonly now: Clock = () => this.current;

  advance(ms: number): number {
    if (ms < 0) throw new Error("ManualClock cannot go backwards");
    this.current += ms;
    return this.current;
  }

  advanceSeconds(seconds: number): number {
    return this.advance(seconds * 1000);
  }

  set(ms: number): void {
    if (ms < this.current) throw new Error("ManualClock cannot go backwards");
    this.current = ms;
  }
}
