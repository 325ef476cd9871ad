import { describe, expect, it } from "vitest";
import { loader as appLoader } from "../../../app/routes/app";
import { loader as customersLoader } from "../../../app/routes/app.customers";

async function refusal(loader: typeof appLoader, request: Request): Promise<Response> {
  try {
    await loader({ request, params: {}, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("the loader answered an unauthenticated request");
}

describe("admin routes without a Shopify session", () => {
  it("refuse a plain request to the admin shell by sending it to log in", async () => {
    const response = await refusal(appLoader, new Request("https://promo-app.test/app"));
    expect([302, 401]).toContain(response.status);
    if (response.status === 302) expect(response.headers.get("location")).toMatch(/\/auth\/login/);
  });

  it("refuse a data request with a forged session token", async () => {
    const request = new Request("https://promo-app.test/app/customers?shop=someone.myshopify.com", {
      headers: { authorization: "Bearer not.a.jwt" },
    });
    const response = await refusal(customersLoader, request);
    expect(response.status).toBeGreaterThanOrEqual(300);
    expect(response.status).not.toBe(200);
  });
});
