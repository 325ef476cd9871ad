import { parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema, LeakyBucket, PLAN_LIMITS, requestedQueryCost } from "../../../simulator/shopify";
import { at, seededHarness } from "./helpers";

function requested(source: string, variables: Record<string, unknown> = {}): number {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
  if (!operation) throw new Error("no operation");
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) => (d.kind === "FragmentDefinition" ? [[d.name.value, d]] : [])),
  );
  return requestedQueryCost({ schema: adminSchema(), operation, fragments, variables });
}

describe("requested query cost", () => {
  it("follows Shopify's published rules: objects 1, scalars 0, connections 2 + first × node", () => {
    expect(requested(`{ shop { id name } }`)).toBe(1);
    expect(
      requested(`{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }`),
    ).toBe(82);
    expect(
      requested(`query Q($n: Int) { customers(first: $n) { nodes { id } pageInfo { hasNextPage } } }`, { n: 50 }),
    ).toBe(52);
  });

  it("charges unions and interfaces their most expensive branch, fragments included", () => {
    const source = `
      query { codeDiscountNodeByCode(code: "X") { codeDiscount { ...Basic ... on DiscountCodeFreeShipping { title } } } }
      fragment Basic on DiscountCodeBasic { title customerGets { items { ... on DiscountProducts { products(first: 10) { nodes { id } } } } } }`;
    // node 1 + codeDiscount 1 + max(Basic: customerGets 1 + items 1 + products (2 + 10 × 1), FreeShipping: 0)
    expect(requested(source)).toBe(16);
  });

  it("charges a flat 10 per mutation field", () => {
    expect(
      requested(
        `mutation { a: tagsAdd(id: "x", tags: ["t"]) { userErrors { message } } b: tagsRemove(id: "x", tags: ["t"]) { node { id } } }`,
      ),
    ).toBe(20);
  });
});

describe("actual query cost and extensions.cost", () => {
  it("is smaller than requested when a connection returns fewer items, and the difference is refunded", async () => {
    const { gql } = seededHarness();
    const response = await gql(`{ products(first: 100) { nodes { id } } }`);
    // 12 seeded products: 2 + 12 × 1
    expect(at(response, "extensions", "cost")).toEqual({
      requestedQueryCost: 102,
      actualQueryCost: 14,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 986, restoreRate: 100 },
    });
  });

  it("refuses a single query over 1000 points whatever the bucket holds", async () => {
    const { gql, sim, demo } = seededHarness({ plan: "plus" });
    const response = await gql(`{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }`);
    expect(response.data).toBeUndefined();
    expect(at(response, "errors", 0, "extensions", "code")).toBe("MAX_COST_EXCEEDED");
    expect(sim.throttleStatus(demo.domain).currentlyAvailable).toBe(10000);
  });
});

describe("the per-shop leaky bucket", () => {
  const TAG = `mutation T($id: ID!, $tag: String!) { tagsAdd(id: $id, tags: [$tag]) { userErrors { message } } }`;

  it("throttles a burst beyond the bucket without executing it, then restores at the plan's rate", async () => {
    // GIVEN a Standard shop (1000 points, 100 points/s) and a 10-point mutation
    const { gql, clock, sim, demo } = seededHarness({ plan: "standard" });
    const customer = demo.customerIds[0];
    // WHEN 100 mutations arrive in the same instant THEN all fit in the bucket
    for (let i = 0; i < 100; i++) expect((await gql(TAG, { id: customer, tag: `t${i}` })).errors).toBeUndefined();
    // AND the 101st is THROTTLED with the bucket state, and does not run
    const throttled = await gql(TAG, { id: customer, tag: "too-many" });
    expect(throttled).toEqual({
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 },
        },
      },
    });
    expect(sim.state(demo.domain).customers.get(customer?.split("/").pop() ?? "")?.tags).not.toContain("too-many");
    // AND 50 ms restore 5 points: still not enough
    clock.advance(50);
    expect(at(await gql(TAG, { id: customer, tag: "too-many" }), "errors", 0, "extensions", "code")).toBe("THROTTLED");
    // AND 100 ms restore the 10 points needed
    clock.advance(50);
    expect((await gql(TAG, { id: customer, tag: "too-many" })).errors).toBeUndefined();
    expect(sim.requestLog.filter((e) => e.outcome === "throttled")).toHaveLength(2);
  });

  it("never restores beyond the maximum", () => {
    const bucket = new LeakyBucket(PLAN_LIMITS.advanced, 0);
    expect(bucket.tryTake(2000, 0)).toBe(true);
    expect(bucket.status(500).currentlyAvailable).toBe(100); // 200/s for 0.5 s
    expect(bucket.status(60_000).currentlyAvailable).toBe(2000);
  });

  it("gives each plan its documented size and rate", async () => {
    const expected = {
      basic: [1000, 100],
      standard: [1000, 100],
      advanced: [2000, 200],
      plus: [10000, 1000],
      enterprise: [20000, 2000],
    } as const;
    for (const [plan, [maximumAvailable, restoreRate]] of Object.entries(expected)) {
      const { sim, demo } = seededHarness({ plan: plan as keyof typeof expected });
      expect(sim.throttleStatus(demo.domain)).toEqual({
        maximumAvailable,
        currentlyAvailable: maximumAvailable,
        restoreRate,
      });
    }
  });

  it("keeps one bucket per shop", async () => {
    const { sim, demo } = seededHarness();
    sim.setAvailablePoints(demo.domain, 0);
    sim.registerShop({ domain: "other.myshopify.com", accessToken: "t", plan: "standard" });
    expect(
      at(
        await sim.graphql("other.myshopify.com", "{ shop { name } }"),
        "extensions",
        "cost",
        "throttleStatus",
        "currentlyAvailable",
      ),
    ).toBe(999);
    expect(at(await sim.graphql(demo.domain, "{ shop { name } }"), "errors", 0, "extensions", "code")).toBe(
      "THROTTLED",
    );
  });
});
