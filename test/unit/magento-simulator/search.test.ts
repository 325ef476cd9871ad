import { describe, expect, it } from "vitest";
import { parseBracketQuery } from "../../../simulator/magento";
import { BASE, harness, q } from "./helpers";

function ordersSince(since: string, extra: Record<string, string | number> = {}) {
  return q({
    "[filter_groups][0][filters][0][field]": "updated_at",
    "[filter_groups][0][filters][0][value]": since,
    "[filter_groups][0][filters][0][condition_type]": "gteq",
    "[sort_orders][0][field]": "updated_at",
    "[sort_orders][0][direction]": "ASC",
    ...extra,
  });
}

type OrderPage = { items: { entity_id: number; updated_at: string }[]; total_count: number };

describe("Magento simulator: searchCriteria and order search", () => {
  it("parses PHP-style bracketed query strings into nested lists", () => {
    const parsed = parseBracketQuery(new URLSearchParams(q({ "[filter_groups][0][filters][0][field]": "code", "[filter_groups][0][filters][1][field]": "rule_id", "[page_size]": 5 })));
    expect(parsed).toEqual({ searchCriteria: { filter_groups: { 0: { filters: { 0: { field: "code" }, 1: { field: "rule_id" } } } }, page_size: "5" } });
  });

  it("requires searchCriteria, accepts it empty, and pages 20 items by default", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    for (let i = 0; i < 25; i++) store.placeOrder({ customer: null, lines: [{ sku: "X" }] });
    expect((await h.call("GET", "/orders")).body).toEqual({ message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: "searchCriteria" } });
    const page = (await h.call("GET", "/orders", { query: "searchCriteria=" })).body as OrderPage;
    expect(page.items).toHaveLength(20);
    expect(page.total_count).toBe(25);
  });

  it("GIVEN orders updated over time WHEN searched by updated_at >= a cursor THEN only those, sorted, with the total", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    const first = store.placeOrder({ customer: { id: 1, email: "a@example.com" }, lines: [{ sku: "X" }] });
    h.clock.advanceSeconds(60);
    const cursor = new Date(h.clock.now()).toISOString().slice(0, 19).replace("T", " ");
    const second = store.placeOrder({ customer: null, lines: [{ sku: "X" }] });
    h.clock.advanceSeconds(60);
    store.updateOrder(first.entity_id, { state: "processing" });
    const page = (await h.call("GET", "/orders", { query: ordersSince(cursor) })).body as OrderPage;
    expect(page.items.map((o) => o.entity_id)).toEqual([second.entity_id, first.entity_id]);
    expect(page.total_count).toBe(2);
  });

  it("ANDs filter groups and ORs the filters inside a group (which is how a keyset cursor is written)", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    const ids = [1, 2, 3, 4].map(() => store.placeOrder({ customer: null, lines: [{ sku: "X" }] }).entity_id);
    const at = store.orders.get(ids[0]!)!.updated_at;
    // updated_at >= T AND (updated_at > T OR entity_id > 2)
    const page = (await h.call("GET", "/orders", {
      query: ordersSince(at, {
        "[filter_groups][1][filters][0][field]": "updated_at",
        "[filter_groups][1][filters][0][value]": at,
        "[filter_groups][1][filters][0][condition_type]": "gt",
        "[filter_groups][1][filters][1][field]": "entity_id",
        "[filter_groups][1][filters][1][value]": 2,
        "[filter_groups][1][filters][1][condition_type]": "gt",
      }),
    })).body as OrderPage;
    expect(page.items.map((o) => o.entity_id)).toEqual([3, 4]);
  });

  it("GIVEN a current_page past the last page THEN Magento's clamp answers the last page again (clients must stop on total_count)", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    for (let i = 0; i < 5; i++) store.placeOrder({ customer: null, lines: [{ sku: "X" }] });
    const page = (n: number) => h.call("GET", "/orders", { query: q({ "[page_size]": 2, "[current_page]": n }) });
    expect(((await page(3)).body as OrderPage).items.map((o) => o.entity_id)).toEqual([5]);
    expect(((await page(9)).body as OrderPage).items.map((o) => o.entity_id)).toEqual([5]);
  });

  it("filters products by entity_id in a comma-separated list, for SKU lookups", async () => {
    const h = harness();
    const store = h.sim.state(BASE);
    const a = store.addProduct({ sku: "A-1" });
    store.addProduct({ sku: "B-1" });
    const c = store.addProduct({ sku: "C-1" });
    const response = await h.call("GET", "/products", {
      query: q({ "[filter_groups][0][filters][0][field]": "entity_id", "[filter_groups][0][filters][0][value]": `${a.id},${c.id},999`, "[filter_groups][0][filters][0][condition_type]": "in" }),
    });
    expect((response.body as { items: { id: number; sku: string }[] }).items.map((p) => [p.id, p.sku])).toEqual([[a.id, "A-1"], [c.id, "C-1"]]);
  });

  it("refuses unknown criteria keys and filter columns with a clear 400", async () => {
    const h = harness();
    const badKey = await h.call("GET", "/orders", { query: q({ "[pageSize]": 5 }) });
    expect((badKey.body as { message: string }).message).toMatch(/snake_case: "page_size"/);
    const badColumn = await h.call("GET", "/coupons/search", { query: q({ "[filter_groups][0][filters][0][field]": "nope", "[filter_groups][0][filters][0][value]": "x" }) });
    expect(badColumn.status).toBe(400);
    expect((badColumn.body as { message: string }).message).toMatch(/no column "nope"/);
  });

  it("filters rules by the stored integer coupon type, not the API's name (a trap for clients)", async () => {
    const h = harness();
    await h.call("POST", "/salesRules", { body: { rule: { name: "R", coupon_type: "SPECIFIC_COUPON", website_ids: [1], customer_group_ids: [1] } } });
    const byName = await h.call("GET", "/salesRules/search", { query: q({ "[filter_groups][0][filters][0][field]": "coupon_type", "[filter_groups][0][filters][0][value]": "SPECIFIC_COUPON" }) });
    const byInt = await h.call("GET", "/salesRules/search", { query: q({ "[filter_groups][0][filters][0][field]": "coupon_type", "[filter_groups][0][filters][0][value]": 2 }) });
    expect((byName.body as { total_count: number }).total_count).toBe(0);
    expect((byInt.body as { total_count: number }).total_count).toBe(1);
  });
});
