// Typed GraphQL documents. Each document is a string starting with the #graphql marker (the one Shopify's tooling and
// our schema test look for) and carries its result and variables types, so callers get typed data without codegen.
// test/unit/platforms/graphql-documents.test.ts validates every such string under app/ against the
// vendored Admin schema of the pinned version.

export interface GraphqlDocument<TData, TVariables> {
  readonly source: string;
  readonly operationName: string;
  /** Phantom fields: never set, only carry the types. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

export function gql<TData, TVariables = Record<string, never>>(source: string): GraphqlDocument<TData, TVariables> {
  if (!source.trimStart().startsWith("#graphql")) {
    throw new Error("GraphQL documents start with #graphql so the schema test finds them");
  }
  const match = /\b(?:query|mutation)\s+([A-Za-z0-9_]+)/.exec(source);
  if (!match?.[1]) throw new Error("GraphQL documents must be named operations");
  return { source, operationName: match[1] };
}

export type DataOf<D> = D extends GraphqlDocument<infer T, unknown> ? T : never;
export type VariablesOf<D> = D extends GraphqlDocument<unknown, infer V> ? V : never;
