// A list's search box and paging kept in the URL (?q=, ?cursor=, ?prev=): the box's text goes to ?q= once typing
// pauses, which starts the list again from its first page, and `go` changes other parameters in place. The box
// follows the URL when it changes from elsewhere (back button, a link), not when it is the echo of what was typed.
import { IndexFiltersMode, useSetIndexFiltersMode } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useLocation, useNavigation, useSearchParams } from "react-router";

const SEARCH_DELAY_MS = 350;

export function useUrlSearch(q: string) {
  const [params, setParams] = useSearchParams();
  const { pathname } = useLocation();
  const navigation = useNavigation();
  const [query, setQuery] = useState(q);
  const [pushedQ, setPushedQ] = useState(q);
  const [seenQ, setSeenQ] = useState(q);
  if (q !== seenQ) {
    setSeenQ(q);
    if (q !== pushedQ) {
      setPushedQ(q);
      setQuery(q);
    }
  }
  const { mode, setMode } = useSetIndexFiltersMode(q ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);

  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { preventScrollReset: true });
  };

  useEffect(() => {
    if (query.trim() === q) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(params);
      if (query.trim()) next.set("q", query.trim());
      else next.delete("q");
      setPushedQ(query.trim());
      next.delete("cursor");
      next.delete("prev");
      setParams(next, { preventScrollReset: true, replace: true });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, q, params, setParams]);

  /**
   * The table's Previous/Next over keyset pages: ?cursor= is where this page starts, ?prev= the starts of the pages
   * before it ("first" for the first), so Previous goes back without the server paging backwards. A page that
   * shares its URL with another list names its own parameters (`names`).
   */
  const pagination = (
    page: { cursor: string | null; nextCursor: string | null; prev: string[] },
    names: { cursor: string; prev: string } = { cursor: "cursor", prev: "prev" },
  ) =>
    page.nextCursor === null && page.cursor === null
      ? undefined
      : {
          hasNext: page.nextCursor !== null,
          hasPrevious: page.cursor !== null,
          onNext: () =>
            page.nextCursor && go({ [names.cursor]: page.nextCursor, [names.prev]: [...page.prev, page.cursor ?? "first"].join(",") }),
          onPrevious: () => {
            const prev = [...page.prev];
            const back = prev.pop();
            go({ [names.cursor]: back && back !== "first" ? back : null, [names.prev]: prev.length ? prev.join(",") : null });
          },
        };

  /** Polaris IndexFilters' search-only props: the box, its clearing, its mode, and loading while this list reloads. */
  const filterProps = {
    queryValue: query,
    onQueryChange: setQuery,
    onQueryClear: () => setQuery(""),
    filters: [],
    appliedFilters: [],
    onClearAll: () => setQuery(""),
    cancelAction: { onAction: () => setQuery("") },
    hideFilters: true,
    canCreateNewView: false,
    mode,
    setMode,
    loading: navigation.state === "loading" && navigation.location.pathname === pathname,
  };

  return { go, pagination, filterProps };
}
