import { describe, expect, it } from "vitest";
import { shopifyAdminForShop } from "../../../app/platforms/index.server";
import {
  PermanentPlatformError,
  PlatformAuthError,
  RetriablePlatformError,
} from "../../../app/platforms/errors";
import { gql } from "../../../app/platforms/shopify/gql";
import { SHOP_DETAILS } from "../../../app/platforms/shopify/documents/shop";
import { prisma } from "../../../app/db.server";
import { createTestShop } from "../../support/shops";

const simulator = () => globalThis.__testSimulator!;

const TAG_CUSTOMER = gql<{ tagsAdd: { userErrors: { message: string }[] } }, { id: string; tags: string[] }>(`#graphql
  mutation TagCustomer($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  }
`);

describe("Admin GraphQL client against the store simulator", () => {
  it("reads the shop through the offline session, as jobs do", async () => {
    const shop = await createTestShop({ name: "Client Test Shop" });
    const admin = await shopifyAdminForShop(shop.domain);
    const data = await admin.request(SHOP_DETAILS);
    expect(data.shop.myshopifyDomain).toBe(shop.domain);
    expect(data.shop.name).toBe("Client Test Shop");
  });

  it("turns a document the schema rejects into a permanent error naming the field", async () => {
    const shop = await createTestShop();
    const admin = await shopifyAdminForShop(shop.domain);
    const bogus = { source: "#graphql\nquery Bogus { shop { discountCode } }", operationName: "Bogus" };
    await expect(admin.request(bogus)).rejects.toSatisfy(
      (e: Error) => e instanceof PermanentPlatformError && /discountCode/.test(e.message),
    );
  });

  it("GIVEN a nearly empty bucket WHEN a burst of queries starts THEN the client paces it and Shopify never answers THROTTLED", async () => {
    const shop = await createTestShop();
    const admin = await shopifyAdminForShop(shop.domain);
    simulator().setAvailablePoints(shop.domain, 3);
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => admin.request(SHOP_DETAILS)));
    const log = simulator().requestLog.filter((entry) => entry.shop === shop.domain);
    expect(log.filter((entry) => entry.errorCodes.includes("THROTTLED"))).toEqual([]);
    expect(log.filter((entry) => entry.executed)).toHaveLength(6);
    // Six queries of ~2 points from a bucket holding 3 and restoring 100/s must have waited for the restore.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it("retries a query after a 502 and succeeds", async () => {
    const shop = await createTestShop();
    const admin = await shopifyAdminForShop(shop.domain);
    simulator().injectFault(shop.domain, { kind: "status", status: 502 }, { times: 1 });
    const data = await admin.request(SHOP_DETAILS);
    expect(data.shop.myshopifyDomain).toBe(shop.domain);
  });

  it("does not blindly retry a mutation whose response was lost: it reports a retriable error to the caller", async () => {
    const shop = await createTestShop({ seed: true });
    const admin = await shopifyAdminForShop(shop.domain);
    const customerId = simulator().state(shop.domain).customers.values().next().value!.id;
    const customerGid = `gid://shopify/Customer/${customerId}`;
    simulator().injectFault(shop.domain, { kind: "executeThenFail", status: 502 }, { times: 1 });
    await expect(admin.request(TAG_CUSTOMER, { id: customerGid, tags: ["lost-response"] })).rejects.toBeInstanceOf(
      RetriablePlatformError,
    );
    // Shopify did execute it: the caller must look before it tries again.
    expect(simulator().state(shop.domain).customers.get(customerId)?.tags).toContain("lost-response");
  });

  it("reports a revoked token as an auth error that jobs must not retry", async () => {
    const shop = await createTestShop();
    await prisma.session.update({ where: { id: `offline_${shop.domain}` }, data: { accessToken: "shpat_revoked" } });
    const admin = await shopifyAdminForShop(shop.domain);
    await expect(admin.request(SHOP_DETAILS)).rejects.toBeInstanceOf(PlatformAuthError);
  });
});
