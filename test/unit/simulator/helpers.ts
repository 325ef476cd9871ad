/** Shared arrangement for the simulator's own tests. */
import {
  ManualClock,
  seedDemoShop,
  ShopifySimulator,
  type DemoShopSummary,
  type GraphQLResponseBody,
} from "../../../simulator/shopify";
import type { ShopPlan } from "../../../simulator/shopify";

export const SHOP = "maple-moss.myshopify.com";

export interface Harness {
  readonly sim: ShopifySimulator;
  readonly clock: ManualClock;
  readonly demo: DemoShopSummary;
  gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponseBody>;
}

export function seededHarness(
  options: { plan?: ShopPlan; bulkCodes?: { startDelayMs?: number; codesPerSecond?: number } } = {},
): Harness {
  const clock = new ManualClock();
  const sim = new ShopifySimulator({
    clock: clock.now,
    ...(options.bulkCodes ? { bulkCodes: options.bulkCodes } : {}),
  });
  const demo = seedDemoShop(sim, { domain: SHOP, plan: options.plan ?? "standard" });
  return { sim, clock, demo, gql: (query, variables) => sim.graphql(SHOP, query, variables) };
}

/** Narrows `data` for assertions; fails the test when the response carried errors. */
export function dataOf(response: GraphQLResponseBody): Record<string, unknown> {
  if (response.errors) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
  if (!response.data) throw new Error("response has no data");
  return response.data;
}

/** Reads a nested path from a JSON value (test convenience). */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export const BASIC_CREATE = /* GraphQL */ `
  mutation CreateBasic($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode {
        id
        codeDiscount {
          __typename
          ... on DiscountCodeBasic {
            title
            status
            startsAt
            endsAt
            usageLimit
            appliesOncePerCustomer
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export function basicInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "Spring promo",
    code: "SPRING-ABC123",
    startsAt: "2026-11-01T00:00:00Z",
    customerGets: { value: { percentage: 0.15 }, items: { all: true } },
    ...overrides,
  };
}
