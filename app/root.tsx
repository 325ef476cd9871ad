import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "react-router";
import type { LinksFunction } from "react-router";
import { useEffect } from "react";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

/**
 * Marks the document once React has hydrated it: until then the server's HTML shows but nothing answers a click,
 * and Polaris has not yet applied its breakpoints (cards stay square-cornered). The browser tests wait for it.
 */
function useHydratedMark() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
}

export default function App() {
  useHydratedMark();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error) ? String(error.data ?? "") : "";
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>{title}</title>
        <Links />
      </head>
      <body style={{ fontFamily: "system-ui, sans-serif", padding: 32 }}>
        <h1>{title}</h1>
        {detail ? <p>{detail}</p> : null}
        <Scripts />
      </body>
    </html>
  );
}
