import { describe, expect, it } from "vitest";
import { PermanentPlatformError, RetriablePlatformError, ThrottledError } from "../../../app/platforms/errors";
import { MagentoApiError, MagentoRestClient, renderMagentoMessage } from "../../../app/platforms/magento/rest-client.server";
import { searchCriteriaQuery } from "../../../app/platforms/magento/search-criteria";
import { createMagentoShop, FAST, magento, requestsTo } from "./helpers";

async function clientFor(options = {}) {
  const shop = await createMagentoShop({ connect: false });
  return { shop, client: new MagentoRestClient({ baseUrl: shop.baseUrl, storeCode: "default", token: shop.token }, { ...FAST, ...options }) };
}

describe("Magento REST client", () => {
  it("fills Magento's placeholders from named and numbered parameters", () => {
    expect(renderMagentoMessage("No such entity with %fieldName = %fieldValue", { fieldName: "rule_id", fieldValue: 5 })).toBe("No such entity with rule_id = 5");
    expect(renderMagentoMessage('Property "%1" does not have accessor method "%2"', ["Foo", "getFoo"])).toBe('Property "Foo" does not have accessor method "getFoo"');
  });

  it("writes searchCriteria in Magento's bracket form, and sends it empty when there are no criteria", () => {
    const query = searchCriteriaQuery({ filterGroups: [[{ field: "code", value: "A&B" }]], sortOrders: [{ field: "rule_id", direction: "ASC" }], pageSize: 5 });
    expect([...query.entries()]).toEqual([
      ["searchCriteria[filter_groups][0][filters][0][field]", "code"],
      ["searchCriteria[filter_groups][0][filters][0][value]", "A&B"],
      ["searchCriteria[filter_groups][0][filters][0][condition_type]", "eq"],
      ["searchCriteria[sort_orders][0][field]", "rule_id"],
      ["searchCriteria[sort_orders][0][direction]", "ASC"],
      ["searchCriteria[page_size]", 5 + ""],
    ]);
    expect(searchCriteriaQuery({}).toString()).toBe("searchCriteria=");
  });

  it("GIVEN Magento refuses a request THEN MagentoApiError carries the status and the rendered message, and it is not retried", async () => {
    const { shop, client } = await clientFor();
    const error = await client.post("/coupons", { coupon: { rule_id: 999, code: "X", type: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MagentoApiError);
    expect(error).toBeInstanceOf(PermanentPlatformError);
    expect(error).toMatchObject({ status: 400, magentoMessage: "Error occurred when saving coupon: No such entity with rule_id = 999" });
    expect(requestsTo(shop, "POST", "/coupons")).toHaveLength(1);
  });

  it("GIVEN a 502 page from the web server THEN a POST is not repeated (it may have run) but a GET is", async () => {
    const { shop, client } = await clientFor();
    magento().injectFault(shop.baseUrl, { kind: "status", status: 502 }, { times: 2 });
    const error = await client.post("/salesRules", { rule: { name: "x" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriablePlatformError);
    expect((error as Error).message).toBe("Magento POST /V1/salesRules: HTTP 502");
    expect(await client.get("/store/storeViews")).toHaveLength(1);
    expect(requestsTo(shop, "GET", "/store/storeViews").map((e) => e.status)).toEqual([502, 200]);
  });

  it("GIVEN 429 on every attempt THEN it gives up with ThrottledError after its retries", async () => {
    const { shop, client } = await clientFor({ maxRetries: 2 });
    magento().injectFault(shop.baseUrl, { kind: "status", status: 429, retryAfterSeconds: 1 }, { times: 3 });
    await expect(client.get("/store/storeViews")).rejects.toBeInstanceOf(ThrottledError);
    expect(requestsTo(shop, "GET", "/store/storeViews")).toHaveLength(3);
  });

  it("GIVEN an unreachable host THEN a RetriablePlatformError names it", async () => {
    const client = new MagentoRestClient({ baseUrl: "https://gone.magento.test", storeCode: "default", token: "t".repeat(20) }, { ...FAST, maxRetries: 0 });
    const error = await client.get("/store/storeViews").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriablePlatformError);
    expect((error as Error).message).toMatch(/could not reach gone\.magento\.test/);
  });

  it("GIVEN a store code Magento does not know THEN its 404 'Request does not match any route.' is a MagentoApiError", async () => {
    const { shop } = await clientFor();
    const wrongPath = new MagentoRestClient({ baseUrl: shop.baseUrl, storeCode: "nope", token: shop.token }, FAST);
    const error = await wrongPath.get("/store/storeViews").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, magentoMessage: "Request does not match any route." });
  });
});
