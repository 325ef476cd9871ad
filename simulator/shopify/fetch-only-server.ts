// msw's setupServer intercepts every TCP socket in the process (its ClientRequest interceptor works at the
// net.Socket level), which puts PostgreSQL and Redis connections through it too. The Shopify libraries use
// fetch, so the demo and the tests intercept fetch only and leave every other socket alone.
import { FetchInterceptor } from "@mswjs/interceptors/fetch";
import type { RequestHandler } from "msw";
import { InterceptorSource } from "msw/experimental";
import { defaultNetworkOptions, setupServer, type SetupServer } from "msw/node";

export function setupFetchOnlyServer(...handlers: RequestHandler[]): SetupServer {
  const previous = defaultNetworkOptions.sources;
  defaultNetworkOptions.sources = [new InterceptorSource({ interceptors: [new FetchInterceptor()] })];
  try {
    return setupServer(...handlers);
  } finally {
    defaultNetworkOptions.sources = previous;
  }
}
