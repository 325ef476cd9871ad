import { Outlet, data, useLoaderData, useRouteError, type LoaderFunctionArgs } from "react-router";
import { boundary } from "@shopify/shopify-app-react-router/server";
import type { HeadersFunction } from "react-router";
import { demoShopCookie, requireAdmin } from "../auth.server";
import { AdminShell } from "../components/AdminShell";
import { env } from "../env.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const url = new URL(request.url);
  // Shopify merchants see the app inside Shopify's admin; Magento merchants (and the demo) see it standing alone.
  const embedded = (!admin.demo && !admin.merchant) || url.searchParams.get("embedded") === "1";
  const headers = new Headers(admin.headers);
  if (admin.demo && url.searchParams.get("shop")) headers.append("Set-Cookie", demoShopCookie(admin.shopDomain));
  return data({ apiKey: env().SHOPIFY_API_KEY, embedded, shop: admin.shopDomain, demo: admin.demo, merchant: admin.merchant }, { headers });
};

export default function AppLayout() {
  const { apiKey, embedded, merchant } = useLoaderData<typeof loader>();
  return (
    <AdminShell embedded={embedded} apiKey={apiKey} merchant={merchant}>
      <Outlet />
    </AdminShell>
  );
}

// Shopify needs the embedded-app headers and its own error boundary to break out of the iframe for re-auth.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
