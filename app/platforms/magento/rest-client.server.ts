// The one way the app talks to a Magento store's REST API (`<base url>/rest/<store code>/V1/...`) with the
// integration's access token as a bearer token. Every call has a timeout. Failures become PlatformErrors that say
// whether a retry makes sense: 429, 5xx, timeouts and network errors are retriable; Magento's own refusals carry
// its message (placeholders filled in). Only requests that are safe to repeat are retried here: a POST that
// creates something may have run before its answer was lost, so its caller decides (look it up first).
import { merchantFetch, privateAddressRefusal } from "../../net/public-fetch.server";
import { PermanentPlatformError, PlatformAuthError, RetriablePlatformError, ThrottledError } from "../errors";
import type { SearchCriteria } from "./search-criteria";
import { searchCriteriaQuery } from "./search-criteria";

export interface MagentoConnection {
  baseUrl: string;
  storeCode: string;
  token: string;
}

export interface MagentoClientOptions {
  timeoutMs?: number;
  /** Extra attempts for retriable failures of requests that are safe to repeat (and for 429 on any request). */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  backoffMs?: (attempt: number) => number;
}

type Parameters = Readonly<Record<string, unknown>> | readonly unknown[];

/** Magento answered and refused the request (4xx other than 401/403/429). */
export class MagentoApiError extends PermanentPlatformError {
  override name = "MagentoApiError";
  constructor(
    message: string,
    readonly status: number,
    /** Magento's message with its placeholders filled in. */
    readonly magentoMessage: string,
    readonly rawMessage: string,
    readonly parameters: Parameters | undefined,
  ) {
    super(message, "MAGENTO");
  }
}

/** Fills `%name` / `%1` placeholders from Magento's `parameters`, as Magento's own clients do. */
export function renderMagentoMessage(message: string, parameters: Parameters | undefined): string {
  if (!parameters) return message;
  if (Array.isArray(parameters)) {
    return message.replace(/%(\d+)/g, (whole, n: string) => {
      const value: unknown = parameters[Number(n) - 1];
      return value === undefined ? whole : String(value);
    });
  }
  const named = parameters as Readonly<Record<string, unknown>>;
  return message.replace(/%([A-Za-z_]\w*)/g, (whole, name: string) => (name in named ? String(named[name]) : whole));
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface RequestOptions {
  query?: URLSearchParams;
  body?: unknown;
  /** True for requests that may be repeated after a lost answer: reads, deletes, idempotent POSTs. */
  idempotent: boolean;
}

export class MagentoRestClient {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backoffMs: (attempt: number) => number;

  constructor(
    readonly connection: MagentoConnection,
    options: MagentoClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.sleep = options.sleep ?? defaultSleep;
    this.backoffMs = options.backoffMs ?? ((attempt) => 250 * 2 ** attempt);
  }

  get<T>(path: string, query?: URLSearchParams): Promise<T> {
    return this.request<T>("GET", path, { ...(query ? { query } : {}), idempotent: true });
  }

  search<T>(path: string, criteria: SearchCriteria): Promise<{ items: T[]; total_count: number }> {
    return this.get(path, searchCriteriaQuery(criteria));
  }

  post<T>(path: string, body: unknown, options: { idempotent?: boolean } = {}): Promise<T> {
    return this.request<T>("POST", path, { body, idempotent: options.idempotent ?? false });
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path, { idempotent: true });
  }

  url(path: string, query?: URLSearchParams): string {
    const base = this.connection.baseUrl.replace(/\/+$/, "");
    const search = query && [...query.keys()].length ? `?${query.toString()}` : "";
    return `${base}/rest/${encodeURIComponent(this.connection.storeCode)}/V1${path}${search}`;
  }

  async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, options: RequestOptions): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        const retry =
          error instanceof ThrottledError || (options.idempotent && error instanceof RetriablePlatformError);
        if (!retry || attempt >= this.maxRetries) throw error;
        await this.sleep(error instanceof ThrottledError ? error.retryAfterMs : this.backoffMs(attempt));
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const label = `Magento ${method} /V1${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.connection.token}`, accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await merchantFetch()(this.url(path, options.query), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") {
        throw new RetriablePlatformError(`${label}: no answer within ${this.timeoutMs / 1000} s`, "MAGENTO", { cause: error });
      }
      const host = new URL(this.connection.baseUrl).host;
      const refused = privateAddressRefusal(error);
      if (refused) throw new PermanentPlatformError(`${label}: ${refused.message}`, "MAGENTO", { cause: error });
      const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new RetriablePlatformError(`${label}: could not reach ${host} (${detail})`, "MAGENTO", { cause: error });
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new PermanentPlatformError(
          `${label}: the answer is not JSON; is ${this.connection.baseUrl} the address of a Magento store?`,
          "MAGENTO",
        );
      }
    }
    throw this.failure(label, status, text, retryAfter);
  }

  private failure(label: string, status: number, text: string, retryAfter: string | null) {
    const body = parseErrorBody(text);
    const magentoMessage = body ? renderMagentoMessage(body.message, body.parameters) : null;
    const suffix = magentoMessage ? `: ${magentoMessage}` : "";
    if (status === 429) {
      const seconds = Number(retryAfter);
      const waitMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
      return new ThrottledError(`${label}: HTTP 429 (too many requests)`, "MAGENTO", waitMs);
    }
    if (status >= 500) return new RetriablePlatformError(`${label}: HTTP ${status}${suffix}`, "MAGENTO");
    if (status === 401 || status === 403) {
      return new PlatformAuthError(`${label}: Magento refused the access token (HTTP ${status})${suffix}`, "MAGENTO");
    }
    return new MagentoApiError(
      `${label}: HTTP ${status}${suffix || " (not a Magento REST answer: check the base URL and store code)"}`,
      status,
      magentoMessage ?? "",
      body?.message ?? "",
      body?.parameters,
    );
  }
}

function parseErrorBody(text: string): { message: string; parameters?: Parameters } | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string") {
      return parsed as { message: string; parameters?: Parameters };
    }
  } catch {
    // An HTML page from a proxy, or nothing at all.
  }
  return null;
}
