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

type NavItem = (typeof NAV_ITEMS)[number];

/** Whether an admin path is in the item's section (Home only at /app itself; Messages is under Settings). */
export function isInSection(item: NavItem, pathname: string): boolean {
  return item.path === "/app" ? pathname === "/app" : pathname.startsWith(item.path);
}

/** The browser tab's title of an admin path: its section and the app's name, so tabs and screen readers tell pages apart. */
export function adminDocumentTitle(pathname: string): string {
  const section = NAV_ITEMS.find((item) => isInSection(item, pathname));
  return section ? `${section.label} · Promo codes` : "Promo codes";
}

/** Keeps the query string (shop, host, embedded) on internal links, as embedded apps must. */
export function withSearch(path: string, search: string): string {
  return search ? `${path}${search.startsWith("?") ? search : `?${search}`}` : path;
}
