import { redirect, type LoaderFunctionArgs } from "react-router";
import { redirectIfSignedIn } from "../services/merchant-pages.server";

// Shopify opens the app at its root with ?shop=...; send it into the embedded admin, keeping the query. A signed-in
// Magento merchant goes to the admin too; anyone else to the log-in page (which links to Magento's).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  await redirectIfSignedIn(request);
  throw redirect(`/auth/login`);
};
