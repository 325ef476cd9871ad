// The one way the app talks to the Admin GraphQL API, from requests (admin.graphql of the authenticated context)
// and from jobs (the shop's offline session). It paces calls by cost, retries what is safe to retry, and turns
// transport errors into the PlatformError hierarchy.
import {
  GraphqlQueryError,
  HttpMaxRetriesError,
  HttpRequestError,
  HttpResponseError,
  HttpRetriableError,
  HttpThrottlingError,
} from "@shopify/shopify-api";
import {
  PermanentPlatformError,
  PlatformAuthError,
  RetriablePlatformError,
  ThrottledError,
  type PlatformError,
} from "../errors";
import type { DataOf, GraphqlDocument, VariablesOf } from "./gql";
import { pacerForShop, type CostExtension, type CostPacer } from "./throttle";

/** The shape of `admin.graphql` in @shopify/shopify-app-react-router. */
export type RawGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown>; signal?: AbortSignal },
) => Promise<Response>;

interface GraphqlBody<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: CostExtension };
}

export interface AdminClientOptions {
  pacer?: CostPacer;
  /** Attempts for THROTTLED answers and 429s (never executed by Shopify, so always safe to repeat). */
  maxThrottleRetries?: number;
  /** Attempts for queries on 5xx/network errors. Mutations are not retried here: see requestOnce. */
  maxQueryRetries?: number;
  /** A request unanswered for this long is abandoned as a retriable failure (a mutation may still have run). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Shopify answers in well under a second; a minute-long silence is a hung connection, not a slow store. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ShopifyAdminClient {
  private readonly pacer: CostPacer;
  private readonly maxThrottleRetries: number;
  private readonly maxQueryRetries: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly shop: string,
    private readonly raw: RawGraphql,
    options: AdminClientOptions = {},
  ) {
    this.pacer = options.pacer ?? pacerForShop(shop);
    this.maxThrottleRetries = options.maxThrottleRetries ?? 8;
    this.maxQueryRetries = options.maxQueryRetries ?? 3;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Runs a document. Throttling is waited out. Queries are retried on transient failures; a mutation that fails
   * with a transient error is thrown as RetriablePlatformError, because Shopify may have executed it: the caller
   * decides how to retry it safely (look the object up first).
   */
  async request<D extends GraphqlDocument<unknown, unknown>>(document: D, variables?: VariablesOf<D>): Promise<DataOf<D>> {
    const isMutation = /^\s*(?:#graphql\s*)?mutation\b/.test(document.source);
    let transientFailures = 0;
    for (let throttled = 0; ; ) {
      try {
        return await this.requestOnce(document, variables);
      } catch (error) {
        if (error instanceof ThrottledError && throttled < this.maxThrottleRetries) {
          throttled += 1;
          await this.sleep(error.retryAfterMs);
          continue;
        }
        if (!isMutation && error instanceof RetriablePlatformError && transientFailures < this.maxQueryRetries) {
          transientFailures += 1;
          await this.sleep(200 * 2 ** transientFailures);
          continue;
        }
        throw error;
      }
    }
  }

  async requestOnce<D extends GraphqlDocument<unknown, unknown>>(document: D, variables?: VariablesOf<D>): Promise<DataOf<D>> {
    const cost = this.pacer.estimate(document.operationName);
    await this.pacer.acquire(cost);
    let extension: CostExtension | undefined;
    try {
      const response = await this.raw(document.source, {
        variables: (variables ?? {}) as Record<string, unknown>,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = (await response.json()) as GraphqlBody<DataOf<D>>;
      extension = body.extensions?.cost;
      if (body.errors?.length) throw this.fromGraphqlErrors(body.errors, cost, extension);
      if (body.data === undefined) {
        throw new PermanentPlatformError(`${document.operationName}: response without data`, "SHOPIFY");
      }
      return body.data;
    } catch (error) {
      if (error instanceof GraphqlQueryError) {
        // The client library wraps GraphQL errors as { errors: { graphQLErrors: [...] } }.
        const body = error.body as
          | { errors?: GraphqlBody<unknown>["errors"] | { graphQLErrors?: GraphqlBody<unknown>["errors"] }; extensions?: { cost?: CostExtension } }
          | undefined;
        extension = body?.extensions?.cost;
        const raw = body?.errors;
        const errors = (Array.isArray(raw) ? raw : raw?.graphQLErrors) ?? [{ message: error.message }];
        throw this.fromGraphqlErrors(errors, cost, extension);
      }
      throw toPlatformError(error, document.operationName);
    } finally {
      this.pacer.release(cost, document.operationName, extension);
    }
  }

  private fromGraphqlErrors(
    errors: NonNullable<GraphqlBody<unknown>["errors"]>,
    cost: number,
    extension: CostExtension | undefined,
  ): PlatformError {
    const message = errors.map((e) => e.message).join("; ");
    if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
      if (extension) this.pacer.release(0, "", extension);
      return new ThrottledError(`Throttled: ${message}`, "SHOPIFY", this.pacer.waitAfterThrottle(cost));
    }
    if (errors.some((e) => e.extensions?.code === "INTERNAL_SERVER_ERROR")) {
      return new RetriablePlatformError(message, "SHOPIFY");
    }
    return new PermanentPlatformError(message, "SHOPIFY");
  }
}

export function toPlatformError(error: unknown, operation: string): PlatformError {
  if (error instanceof RetriablePlatformError || error instanceof PermanentPlatformError) return error;
  if (error instanceof HttpThrottlingError) {
    return new ThrottledError(`${operation}: HTTP 429`, "SHOPIFY", (error.response.retryAfter ?? 1) * 1000, { cause: error });
  }
  if (error instanceof HttpMaxRetriesError || error instanceof HttpRetriableError || error instanceof HttpRequestError) {
    return new RetriablePlatformError(`${operation}: ${error.message}`, "SHOPIFY", { cause: error });
  }
  if (error instanceof HttpResponseError) {
    const status = error.response.code;
    if (status === 401 || status === 403) {
      return new PlatformAuthError(`${operation}: HTTP ${status} (token revoked or app uninstalled)`, "SHOPIFY", {
        cause: error,
      });
    }
    if (status === 404) {
      return new PermanentPlatformError(`${operation}: shop not found (HTTP 404)`, "SHOPIFY", { cause: error });
    }
    if (status >= 500) return new RetriablePlatformError(`${operation}: HTTP ${status}`, "SHOPIFY", { cause: error });
    return new PermanentPlatformError(`${operation}: HTTP ${status}: ${error.message}`, "SHOPIFY", { cause: error });
  }
  if (error instanceof TypeError || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"))) {
    return new RetriablePlatformError(`${operation}: ${error.message}`, "SHOPIFY", { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PermanentPlatformError(`${operation}: ${message}`, "SHOPIFY", { cause: error });
}
