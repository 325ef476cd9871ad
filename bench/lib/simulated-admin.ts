// The Admin GraphQL transport the benches give ShopifyAdminClient: a real fetch to the shop's endpoint, answered by
// the store simulator through msw (fetch only), the way the app's requests reach Shopify.
import type { RawGraphql } from "../../app/platforms/shopify/admin-client.server";

export function simulatedAdminFetch(domain: string, accessToken: string): RawGraphql {
  return (query, options) =>
    fetch(`https://${domain}/admin/api/2026-07/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": accessToken },
      body: JSON.stringify({ query, variables: options?.variables ?? {} }),
    }).then(async (r) => new Response(JSON.stringify(await r.json())));
}
