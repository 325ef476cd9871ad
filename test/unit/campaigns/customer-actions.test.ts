import { describe, expect, it } from "vitest";
import { shopifyAdminForShop } from "../../../app/platforms/index.server";
import { addCustomerTags, writeCodeMetafield } from "../../../app/platforms/shopify/customer-actions.server";
import { createTestShop } from "../../support/shops";

const simulator = () => {
  const sim = globalThis.__testSimulator;
  if (!sim) throw new Error("the unit setup starts the simulator");
  return sim;
};

async function seededCustomer() {
  const shop = await createTestShop({ seed: true });
  const result = (await simulator().graphql(shop.domain, "{ customers(first: 1) { nodes { id tags } } }")) as {
    data: { customers: { nodes: { id: string; tags: string[] }[] } };
  };
  const customer = result.data.customers.nodes[0];
  if (!customer) throw new Error("the demo seed has customers");
  return { shop, customer, client: await shopifyAdminForShop(shop.domain) };
}

describe("Shopify-native customer actions", () => {
  it("GIVEN a customer WHEN tags are added twice THEN the store holds each tag once", async () => {
    const { shop, customer, client } = await seededCustomer();
    expect(await addCustomerTags(client, customer.id, ["promo-sent", "vip"])).toEqual({ type: "done" });
    expect(await addCustomerTags(client, customer.id, ["promo-sent"])).toEqual({ type: "done" });
    const after = (await simulator().graphql(shop.domain, `{ customer(id: "${customer.id}") { tags } }`)) as { data: { customer: { tags: string[] } } };
    expect(after.data.customer.tags.filter((t) => t === "promo-sent")).toHaveLength(1);
    expect(after.data.customer.tags).toContain("vip");
  });

  it("GIVEN a customer WHEN the code is written to a metafield THEN the store holds it, and a second write replaces it", async () => {
    const { shop, customer, client } = await seededCustomer();
    const numericId = customer.id.split("/").pop() ?? "";
    expect(await writeCodeMetafield(client, numericId, { namespace: "promo_codes", key: "last_code" }, "FIRST-1")).toEqual({ type: "done" });
    expect(await writeCodeMetafield(client, customer.id, { namespace: "promo_codes", key: "last_code" }, "SECOND-2")).toEqual({ type: "done" });
    const after = (await simulator().graphql(shop.domain, `{ customer(id: "${customer.id}") { metafield(namespace: "promo_codes", key: "last_code") { value type } } }`)) as {
      data: { customer: { metafield: { value: string; type: string } | null } };
    };
    expect(after.data.customer.metafield).toEqual({ value: "SECOND-2", type: "single_line_text_field" });
  });

  it("GIVEN a customer the store no longer has WHEN tagged THEN the refusal says why", async () => {
    const { client } = await seededCustomer();
    const result = await addCustomerTags(client, "gid://shopify/Customer/999999999999", ["x"]);
    expect(result.type).toBe("refused");
  });

  it("GIVEN an id that is not a Shopify customer WHEN tagged THEN it fails before any request", async () => {
    const { client } = await seededCustomer();
    await expect(addCustomerTags(client, "magento-17", ["x"])).rejects.toThrow("Not a Shopify customer id");
  });
});
