// Failures talking to a store's platform, as a hierarchy that says whether a retry makes sense. Jobs retry
// RetriablePlatformError (with ThrottledError's wait) and give up at once on PermanentPlatformError.

export abstract class PlatformError extends Error {
  abstract readonly retriable: boolean;
  constructor(
    message: string,
    readonly platform: "SHOPIFY" | "MAGENTO",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Network failures, 5xx, timeouts: the same request may succeed later. */
export class RetriablePlatformError extends PlatformError {
  override name = "RetriablePlatformError";
  readonly retriable = true;
}

/** The platform asked us to slow down (HTTP 429 or a GraphQL THROTTLED error). */
export class ThrottledError extends RetriablePlatformError {
  override name = "ThrottledError";
  constructor(
    message: string,
    platform: "SHOPIFY" | "MAGENTO",
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, platform, options);
  }
}

/** Bad credentials, a document the API rejects, a shop that is gone: retrying cannot help. */
export class PermanentPlatformError extends PlatformError {
  override name = "PermanentPlatformError";
  readonly retriable = false;
}

/** The shop uninstalled the app or its token was revoked. */
export class PlatformAuthError extends PermanentPlatformError {
  override name = "PlatformAuthError";
}

/** A capability a later issue fills in; failing loudly beats pretending. */
export class PlatformNotImplementedError extends PermanentPlatformError {
  override name = "PlatformNotImplementedError";
}
