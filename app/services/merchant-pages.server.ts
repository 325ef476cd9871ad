// What the Magento sign-in pages share on the server: where to go after signing in, and the session cookie.
import { redirect } from "react-router";
import { merchantSessionCookie, merchantSessionToken } from "../auth.server";
import { sessionFromToken } from "./merchant-accounts.server";

/** Only the app's own admin pages are followed after sign-in, never another site. */
export function safeNext(next: FormDataEntryValue | string | null): string {
  const value = typeof next === "string" ? next : "";
  return value.startsWith("/app") && !value.startsWith("//") && !value.includes("\\") ? value : "/app";
}

/** Answers a page load of a sign-in page: a merchant already signed in goes to the admin. */
export async function redirectIfSignedIn(request: Request): Promise<void> {
  const token = merchantSessionToken(request);
  if (token && (await sessionFromToken(token))) throw redirect("/app");
}

export function signedIn(sessionToken: string, to: string): Response {
  return redirect(to, { headers: { "Set-Cookie": merchantSessionCookie(sessionToken) } });
}
