// Internal links keep the platform's query string (shop, host, embedded: what an embedded app and the demo sign-in
// need) and drop the pool pages' own view parameters, so a filter on one page does not follow you to the next.
import { useLocation } from "react-router";

/** Query parameters that only describe a view of one page (and React Router's own). */
const VIEW_PARAMS = ["status", "q", "cursor", "prev", "deleted", "retired", "index", "_routes"];

export function appSearch(search: string): string {
  const params = new URLSearchParams(search);
  for (const name of VIEW_PARAMS) params.delete(name);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function appHref(path: string, search: string, extra?: Record<string, string>): string {
  const params = new URLSearchParams(appSearch(search));
  for (const [key, value] of Object.entries(extra ?? {})) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** appHref bound to the current location. */
export function useAppHref(): (path: string, extra?: Record<string, string>) => string {
  const { search } = useLocation();
  return (path, extra) => appHref(path, search, extra);
}
