// The search box's term from a page's URL (?q=), as the customers and pool codes searches use it.

/** Longest term searched: a name, an email or a code is far shorter. */
const MAX_TERM = 100;

/**
 * The term trimmed and cut to 100 characters, without NUL characters: PostgreSQL's text cannot hold U+0000 and
 * refused the query (a 500) when an address carried %00.
 */
export function searchTerm(params: URLSearchParams): string {
  return (params.get("q") ?? "").replaceAll("\u0000", "").trim().slice(0, MAX_TERM);
}
