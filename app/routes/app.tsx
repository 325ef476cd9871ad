import { Outlet, data, isRouteErrorResponse, useLoaderData, useRouteError, type LoaderFunctionArgs } from "react-router";
import { boundary } from "@shopify/shopify-app-react-router/server";
import type { HeadersFunction, LinksFunction, MetaFunction } from "react-router";
import { demoShopCookie, requireAdmin } from "../auth.server";
import { AdminShell } from "../components/AdminShell";
import { adminDocumentTitle } from "../components/nav";
import { env } from "../env.server";
import adminStyles from "../styles/admin.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

// Every admin page had an empty <title>: the tab showed the address and a screen reader announced no page name.
export const meta: MetaFunction = ({ location }) => [{ title: adminDocumentTitle(location.pathname) }];

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
// boundary.error recognises a thrown Response by its class name, which the minified browser bundle renames: in the
// browser it rethrew every one, so the page hydrated into the root error page where the server had rendered this
// one (React's hydration errors #418/#423 on a 401). isRouteErrorResponse checks the shape instead; what is shown
// is boundary.error's own rendering of a Response.
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    return <div dangerouslySetInnerHTML={{ __html: String(error.data || "Handling response") }} />;
  }
  return boundary.error(error);
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
