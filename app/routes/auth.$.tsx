import type { LoaderFunctionArgs } from "react-router";
import { authenticate } from "../shopify.server";

// OAuth and token-exchange callbacks; the package answers them.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return null;
};
