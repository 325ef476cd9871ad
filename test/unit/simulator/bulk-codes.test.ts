import { describe, expect, it } from "vitest";
import { at, dataOf, seededHarness } from "./helpers";

const BULK_ADD = /* GraphQL */ `
  mutation BulkAdd($discountId: ID!, $codes: [DiscountRedeemCodeInput!]!) {
    discountRedeemCodeBulkAdd(discountId: $discountId, codes: $codes) {
      bulkCreation {
        id
        done
        codesCount
        importedCount
        failedCount
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;

const BULK_STATUS = /* GraphQL */ `
  query BulkStatus($id: ID!) {
    discountRedeemCodeBulkCreation(id: $id) {
      done
      codesCount
      importedCount
      failedCount
      codes(first: 250) {
        nodes {
          code
          errors {
            field
            code
            message
          }
          discountRedeemCode {
            code
          }
        }
      }
    }
  }
`;

const codes = (n: number, prefix = "BULK") =>
  Array.from({ length: n }, (_, i) => ({ code: `${prefix}-${String(i).padStart(4, "0")}` }));

describe("discountRedeemCodeBulkAdd", () => {
  it("rejects 251 codes in one call, before anything is queued", async () => {
    const { gql, sim, demo } = seededHarness();
    const response = await gql(BULK_ADD, { discountId: demo.discountIds[0], codes: codes(251) });
    expect(response.data).toBeUndefined();
    expect(at(response, "errors", 0, "extensions", "code")).toBe("MAX_INPUT_SIZE_EXCEEDED");
    expect(at(response, "errors", 0, "path")).toEqual(["discountRedeemCodeBulkAdd", "codes"]);
    expect(sim.state(demo.domain).bulkCreations.size).toBe(0);
  });

  it("accepts 250 codes, starts not done, and imports them all as simulated time passes", async () => {
    // GIVEN a shop whose background import starts after 1 s and handles 100 codes/s
    const { gql, clock, sim, demo } = seededHarness({ bulkCodes: { startDelayMs: 1000, codesPerSecond: 100 } });
    // WHEN 250 codes are added
    const added = dataOf(await gql(BULK_ADD, { discountId: demo.discountIds[0], codes: codes(250) }));
    expect(at(added, "discountRedeemCodeBulkAdd", "userErrors")).toEqual([]);
    const bulk = at(added, "discountRedeemCodeBulkAdd", "bulkCreation") as Record<string, unknown>;
    // THEN the answer is only an acknowledgement
    expect(bulk).toMatchObject({ done: false, codesCount: 250, importedCount: 0, failedCount: 0 });

    // AND two seconds later about half are in
    clock.advance(2000);
    const midway = at(dataOf(await gql(BULK_STATUS, { id: bulk["id"] })), "discountRedeemCodeBulkCreation") as Record<
      string,
      unknown
    >;
    expect(midway["done"]).toBe(false);
    expect(midway["importedCount"]).toBe(101);

    // AND after enough time all are imported and resolvable
    clock.advance(5000);
    const finished = at(dataOf(await gql(BULK_STATUS, { id: bulk["id"] })), "discountRedeemCodeBulkCreation") as Record<
      string,
      unknown
    >;
    expect(finished).toMatchObject({ done: true, codesCount: 250, importedCount: 250, failedCount: 0 });
    expect(sim.state(demo.domain).discountByCode("bulk-0249")?.id).toBe(
      sim.state(demo.domain).discountByCode("WELCOME10")?.id,
    );
  });

  it("fails individual codes that are taken, duplicated or too long, and imports the rest", async () => {
    const { gql, clock, demo } = seededHarness({ bulkCodes: { startDelayMs: 0, codesPerSecond: 1000 } });
    const batch = [
      { code: "FRESH-1" },
      { code: "SHIPFREE75" },
      { code: "FRESH-1" },
      { code: "L".repeat(256) },
      { code: "FRESH-2" },
    ];
    const added = dataOf(await gql(BULK_ADD, { discountId: demo.discountIds[0], codes: batch }));
    clock.advance(1000);
    const status = at(
      dataOf(await gql(BULK_STATUS, { id: at(added, "discountRedeemCodeBulkAdd", "bulkCreation", "id") })),
      "discountRedeemCodeBulkCreation",
    ) as Record<string, unknown>;
    expect(status).toMatchObject({ done: true, codesCount: 5, importedCount: 2, failedCount: 3 });
    const perCode = (
      at(status, "codes", "nodes") as { code: string; errors: { code: string }[]; discountRedeemCode: unknown }[]
    ).map((c) => [c.code.slice(0, 10), c.errors.map((e) => e.code), c.discountRedeemCode !== null]);
    expect(perCode).toEqual([
      ["FRESH-1", [], true],
      ["SHIPFREE75", ["TAKEN"], false],
      ["FRESH-1", ["TAKEN"], false],
      ["LLLLLLLLLL", ["TOO_LONG"], false],
      ["FRESH-2", [], true],
    ]);
  });

  it("answers a userError for a discount that does not exist", async () => {
    const { gql } = seededHarness();
    const response = dataOf(await gql(BULK_ADD, { discountId: "gid://shopify/DiscountCodeNode/1", codes: codes(1) }));
    expect(at(response, "discountRedeemCodeBulkAdd")).toEqual({
      bulkCreation: null,
      userErrors: [{ field: ["discountId"], code: "INVALID", message: "Code discount does not exist." }],
    });
  });
});
