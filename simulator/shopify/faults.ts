/**
 * Fault injection: the failures a real network and a real Shopify produce,
 * on demand and per shop, so the app's retry and exactly-once logic can be
 * tested deterministically.
 *
 * - `status`: answered before anything runs (e.g. 429, 500, 502, 503, 504).
 * - `timeout`: never answered until the caller aborts; nothing runs.
 * - `executeThenFail`: the operation RUNS (a mutation persists), then the
 *   exchange fails with an HTTP status (default 502) — the caller cannot know
 *   whether its write happened.
 * - `executeThenNetworkError`: runs, then the connection drops (fetch rejects).
 * - `executeThenTimeout`: runs, then never answers until aborted.
 */
export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "executeThenFail"; readonly status?: number }
  | { readonly kind: "executeThenNetworkError" }
  | { readonly kind: "executeThenTimeout" };

/** Which requests a fault applies to; all of them when omitted. */
export interface FaultMatch {
  readonly operationName?: string | RegExp;
  readonly operationType?: "query" | "mutation";
  /** Matches when any root field has this name, e.g. "discountCodeBasicCreate". */
  readonly rootField?: string;
}

export interface RequestFacts {
  readonly operationName: string | null;
  readonly operationType: "query" | "mutation" | "subscription" | null;
  readonly rootFields: readonly string[];
}

interface QueuedFault {
  readonly fault: Fault;
  remaining: number;
  readonly match: FaultMatch | undefined;
}

function matches(match: FaultMatch | undefined, facts: RequestFacts): boolean {
  if (!match) return true;
  if (match.operationType && match.operationType !== facts.operationType) return false;
  if (match.rootField && !facts.rootFields.includes(match.rootField)) return false;
  if (match.operationName !== undefined) {
    const name = facts.operationName ?? "";
    if (typeof match.operationName === "string" ? match.operationName !== name : !match.operationName.test(name)) {
      return false;
    }
  }
  return true;
}

/** FIFO of faults for one shop; each matching request consumes one use of the first match. */
export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  add(fault: Fault, times: number, match: FaultMatch | undefined): void {
    if (!Number.isInteger(times) || times <= 0) throw new Error("fault times must be a positive integer");
    this.queue.push({ fault, remaining: times, match });
  }

  take(facts: RequestFacts): Fault | undefined {
    const index = this.queue.findIndex((q) => matches(q.match, facts));
    const entry = this.queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  get pending(): number {
    return this.queue.reduce((sum, q) => sum + q.remaining, 0);
  }
}

export function statusBody(status: number): unknown {
  switch (status) {
    case 429:
      return {
        errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
      };
    case 500:
      return { errors: "Internal Server Error" };
    case 503:
      return { errors: "Unavailable Shop" };
    case 504:
      return { errors: "Gateway Timeout" };
    default:
      return { errors: `HTTP ${status}` };
  }
}
