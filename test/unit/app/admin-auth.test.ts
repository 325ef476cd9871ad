import { describe, expect, it } from "vitest";
import { loader as appLoader } from "../../../app/routes/app";
import { loader as customersLoader } from "../../../app/routes/app.customers";
import { createTestShop } from "../../support/shops";

const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156 Safari/537.36" };

async function refusal(loader: (args: never) => Promise<unknown>, request: Request): Promise<Response> {
  try {
    await loader({ request, params: {}, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("the loader answered an unauthenticated request with its data");
}

describe("admin routes without a Shopify session", () => {
  it("answer a plain page request with App Bridge's bounce page only, never the admin", async () => {
    const shop = await createTestShop();
    await shop.db.customer.create({ data: { shopId: shop.id, platformId: "c1", email: "secret@example.com" } });
    const response = await refusal(customersLoader, new Request(`https://promo-app.test/app/customers?shop=${shop.domain}`, { headers: BROWSER }));
    const body = await response.text();
    expect(body).toContain("app-bridge.js");
    expect(body).not.toContain("secret@example.com");
    expect(body).not.toContain("Polaris");
  });

  it("send an embedded request without a session token to fetch one", async () => {
    const response = await refusal(
      appLoader,
      new Request("https://promo-app.test/app?shop=x.myshopify.com&embedded=1&host=eC5teXNob3BpZnkuY29tL2FkbWlu", { headers: BROWSER }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/auth\/session-token\?/);
  });

  it("answer a data request with a forged session token 401", async () => {
    const shop = await createTestShop();
    const request = new Request(`https://promo-app.test/app/customers?shop=${shop.domain}`, {
      headers: { ...BROWSER, authorization: "Bearer not.a.jwt" },
    });
    const response = await refusal(customersLoader, request);
    expect(response.status).toBe(401);
  });
});
