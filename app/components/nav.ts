// The admin's sections, shared by the embedded NavMenu (App Bridge) and the stand-alone Polaris Navigation.
export const NAV_ITEMS = [
  { label: "Home", path: "/app" },
  { label: "Pools", path: "/app/pools" },
  { label: "Segments", path: "/app/segments" },
  { label: "Campaigns", path: "/app/campaigns" },
  { label: "Templates", path: "/app/templates" },
  { label: "Scenarios", path: "/app/scenarios" },
  { label: "Tasks", path: "/app/tasks" },
  { label: "Customers", path: "/app/customers" },
  { label: "Settings", path: "/app/settings" },
] as const;

/** Keeps the query string (shop, host, embedded) on internal links, as embedded apps must. */
export function withSearch(path: string, search: string): string {
  return search ? `${path}${search.startsWith("?") ? search : `?${search}`}` : path;
}
