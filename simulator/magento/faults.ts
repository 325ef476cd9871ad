/**
 * Fault injection per store: the failures a real network and a real Magento produce, on demand, so the app's
 * retries and exactly-once logic can be tested deterministically.
 *
 * - `status`: answered before anything runs (429 with Retry-After, 500, 502, 503, 504).
 * - `timeout`: never answered until the caller aborts; nothing runs.
 * - `executeThenFail`: the request RUNS (a coupon is saved), then the exchange fails with a status (default 502)
 *   from the web server in front of Magento: the caller cannot know whether its write happened.
 * - `executeThenNetworkError`: runs, then the connection drops (fetch rejects).
 * - `executeThenTimeout`: runs, then never answers until aborted.
 */
export type MagentoFault =
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "executeThenFail"; readonly status?: number }
  | { readonly kind: "executeThenNetworkError" }
  | { readonly kind: "executeThenTimeout" };

/** Which requests a fault applies to; all of them when omitted. `path` is the part after `/V1`. */
export interface MagentoFaultMatch {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly path?: string | RegExp;
}

interface Queued {
  readonly fault: MagentoFault;
  remaining: number;
  readonly match: MagentoFaultMatch | undefined;
}

function matches(match: MagentoFaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method !== method) return false;
  if (match.path !== undefined) {
    if (typeof match.path === "string" ? match.path !== path : !match.path.test(path)) return false;
  }
  return true;
}

export class MagentoFaultQueue {
  private readonly queue: Queued[] = [];

  add(fault: MagentoFault, times: number, match: MagentoFaultMatch | undefined): void {
    if (!Number.isInteger(times) || times <= 0) throw new Error("fault times must be a positive integer");
    this.queue.push({ fault, remaining: times, match });
  }

  take(method: string, path: string): MagentoFault | undefined {
    const index = this.queue.findIndex((q) => matches(q.match, method, path));
    const entry = this.queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  get pending(): number {
    return this.queue.reduce((sum, q) => sum + q.remaining, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** What the web server in front of Magento answers when Magento itself never did. */
export function edgeErrorPage(status: number): string {
  const reason: Record<number, string> = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Time-out",
  };
  const title = `${status} ${reason[status] ?? "Error"}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
