import { redirect, type LoaderFunctionArgs } from "react-router";

// Shopify opens the app at its root with ?shop=...; send it into the embedded admin, keeping the query.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect(`/auth/login`);
};
