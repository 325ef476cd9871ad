// Log out: a POST only, so a link or an image on another page can't sign a merchant out.
import { redirect, type ActionFunctionArgs } from "react-router";
import { assertSameOrigin, clearMerchantSessionCookie, merchantSessionToken } from "../auth.server";
import { logOut } from "../services/merchant-accounts.server";

export const loader = () => redirect("/magento/login");

export const action = async ({ request }: ActionFunctionArgs) => {
  assertSameOrigin(request);
  const token = merchantSessionToken(request);
  if (token) await logOut(token);
  return redirect("/magento/login", { headers: { "Set-Cookie": clearMerchantSessionCookie() } });
};
