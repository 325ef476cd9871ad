/**
 * Relay-style cursor pagination as the Admin API does it: `first`/`after`
 * forwards, `last`/`before` backwards, `reverse` flips the sort, and a
 * connection without `first` or `last` is an error rather than "everything".
 */
import { GraphQLError } from "graphql";
import type { View } from "./context";

export interface PageArgs {
  readonly first?: number | null;
  readonly last?: number | null;
  readonly after?: string | null;
  readonly before?: string | null;
  readonly reverse?: boolean | null;
}

/** The Admin API's page-size ceiling per connection. */
export const MAX_PAGE_SIZE = 250;

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ last_id: key }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && "last_id" in parsed) {
      const key = (parsed as { last_id: unknown }).last_id;
      return typeof key === "string" ? key : undefined;
    }
  } catch {
    // fall through
  }
  return undefined;
}

function cursorIndex(items: readonly unknown[], keys: readonly string[], cursor: string, name: string): number {
  const key = decodeCursor(cursor);
  const index = key === undefined ? -1 : keys.indexOf(key);
  if (index < 0) {
    throw new GraphQLError(`Invalid cursor for current pagination sort: ${name} "${cursor}"`, {
      extensions: { code: "BAD_REQUEST" },
    });
  }
  return index;
}

/**
 * Builds a connection view over `items` (already filtered and sorted).
 * `keyOf` gives a stable key per item for cursors; `toNode` builds the view.
 */
export function connection<T>(
  items: readonly T[],
  args: PageArgs,
  keyOf: (item: T) => string,
  toNode: (item: T) => unknown,
): View {
  const first = args.first ?? null;
  const last = args.last ?? null;
  if (first === null && last === null) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  if ((first !== null && first < 0) || (last !== null && last < 0)) {
    throw new GraphQLError("first and last must be non-negative", { extensions: { code: "BAD_REQUEST" } });
  }
  if ((first ?? 0) > MAX_PAGE_SIZE || (last ?? 0) > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The maximum page size is ${MAX_PAGE_SIZE}; requested ${first ?? last}.`, {
      extensions: { code: "BAD_REQUEST" },
    });
  }
  const ordered = args.reverse ? [...items].reverse() : [...items];
  const keys = ordered.map(keyOf);
  let start = 0;
  let end = ordered.length;
  if (args.after) start = cursorIndex(ordered, keys, args.after, "after") + 1;
  if (args.before) end = cursorIndex(ordered, keys, args.before, "before");
  if (end < start) end = start;
  let sliceStart = start;
  let sliceEnd = end;
  if (first !== null) sliceEnd = Math.min(sliceEnd, sliceStart + first);
  if (last !== null) sliceStart = Math.max(sliceStart, sliceEnd - last);
  const page = ordered.slice(sliceStart, sliceEnd);
  const pageKeys = keys.slice(sliceStart, sliceEnd);
  const nodes = page.map(toNode);
  const edges = nodes.map((node, i) => ({ __typename: "Edge", cursor: encodeCursor(pageKeys[i] ?? ""), node }));
  const startKey = pageKeys[0];
  const endKey = pageKeys[pageKeys.length - 1];
  return {
    edges,
    nodes,
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: sliceEnd < ordered.length,
      hasPreviousPage: sliceStart > 0,
      startCursor: startKey === undefined ? null : encodeCursor(startKey),
      endCursor: endKey === undefined ? null : encodeCursor(endKey),
    },
  };
}

/** Sorts records by a key function, ties broken by numeric id. */
export function sortBy<T extends { id: string }>(items: readonly T[], key: (item: T) => string | number): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -1;
    if (ka > kb) return 1;
    return compareNumericStrings(a.id, b.id);
  });
}

export function compareNumericStrings(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
