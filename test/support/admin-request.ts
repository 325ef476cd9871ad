// Requests to the embedded admin's routes as App Bridge sends them: a session token for the shop (HS256 with the
// app secret) in the Authorization header.
import { createHmac, randomUUID } from "node:crypto";
import { TEST_API_SECRET } from "../setup/env";
import type { TestShop } from "./shops";

/** A session token as App Bridge would send it for this shop. */
export function sessionToken(shop: TestShop): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = b64({ alg: "HS256", typ: "JWT" });
  const payload = b64({
    iss: `https://${shop.domain}/admin`,
    dest: `https://${shop.domain}`,
    aud: process.env.SHOPIFY_API_KEY,
    sub: "1",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const signature = createHmac("sha256", TEST_API_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** A GET (no form) or a form POST to an admin page of the shop; `path` defaults to the Settings page. */
export function adminRequest(shop: TestShop, form?: Record<string, string>, path = "/app/settings"): Request {
  return new Request(`https://promo-app.test${path}?shop=${shop.domain}`, {
    method: form ? "POST" : "GET",
    headers: { authorization: `Bearer ${sessionToken(shop)}` },
    body: form ? new URLSearchParams(form) : undefined,
  });
}
