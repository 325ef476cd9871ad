import { describe, expect, it } from "vitest";
import {
  addPeriod,
  buildDynamicCodeSpec,
  codeEndsAt,
  describeSettings,
  drawDynamicCode,
  groupKeyOf,
  parseDynamicSettings,
  settingsProblemsAt,
  type DynamicPoolSettings,
} from "../../../app/domain/pools/dynamic";
import { LOOK_ALIKES } from "../../../app/domain/pools/generate";

function valid(input: unknown): DynamicPoolSettings {
  const parsed = parseDynamicSettings(input);
  if (parsed.type !== "valid") throw new Error(`invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.settings;
}

function errorsOf(input: unknown): Record<string, string> {
  const parsed = parseDynamicSettings(input);
  if (parsed.type !== "invalid") throw new Error("expected the settings to be refused");
  return parsed.errors;
}

const facts = (overrides: Partial<Parameters<typeof buildDynamicCodeSpec>[1]> = {}) => ({
  poolId: "11111111-1111-4111-8111-111111111111",
  poolName: "Birthday",
  code: "ABCD234",
  customerPlatformId: "gid://shopify/Customer/42",
  issuedAt: new Date("2026-11-21T12:00:00Z"),
  ...overrides,
});

describe("dynamic pool settings", () => {
  it("GIVEN only a value WHEN parsed THEN every other setting takes its documented default", () => {
    expect(valid({ value: { type: "percentage", percent: 15 } })).toEqual({
      value: { type: "percentage", percent: 15 },
      appliesTo: { type: "order" },
      usableBy: "issued_customer",
      usageLimit: 1,
      oncePerCustomer: false,
      minimumSubtotal: null,
      expiry: { type: "never" },
      combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false },
      code: { prefix: "", length: 7, charset: "alphanumeric_upper" },
    });
  });

  it("accepts every kind of value, target and expiry the issue lists", () => {
    expect(valid({ value: { type: "fixed_amount", amount: 10 } }).value).toEqual({ type: "fixed_amount", amount: "10" });
    expect(valid({ value: { type: "fixed_amount", amount: "12.50" } }).value).toEqual({ type: "fixed_amount", amount: "12.50" });
    expect(valid({ value: { type: "free_shipping" } }).value).toEqual({ type: "free_shipping" });
    const products = valid({
      value: { type: "percentage", percent: 20 },
      appliesTo: { type: "products", productIds: ["gid://shopify/Product/1"], variantIds: ["gid://shopify/ProductVariant/9"] },
      usableBy: "anyone",
      usageLimit: null,
      oncePerCustomer: true,
      minimumSubtotal: "50",
      expiry: { type: "after", amount: 3, unit: "weeks" },
      combinesWith: { productDiscounts: true, orderDiscounts: true, shippingDiscounts: true },
      code: { prefix: "VIP-", length: 10, charset: "letters_upper" },
    });
    expect(products).toMatchObject({ usableBy: "anyone", usageLimit: null, minimumSubtotal: "50", expiry: { unit: "weeks" } });
    expect(valid({ value: { type: "percentage", percent: 5 }, appliesTo: { type: "collections", collectionIds: ["gid://shopify/Collection/3"] } }).appliesTo).toEqual({
      type: "collections",
      collectionIds: ["gid://shopify/Collection/3"],
    });
    expect(valid({ value: { type: "percentage", percent: 5 }, appliesTo: { type: "triggered_products" } }).appliesTo.type).toBe("triggered_products");
    expect(valid({ value: { type: "percentage", percent: 5 }, expiry: { type: "fixed", endsAt: "2031-12-31T23:59:00Z" } }).expiry.type).toBe("fixed");
  });

  it("refuses bad values with one message per field, keyed by its path", () => {
    expect(errorsOf({})).toEqual({ value: expect.stringContaining("Choose the value") });
    expect(errorsOf({ value: { type: "percentage", percent: 0 } })).toEqual({ "value.percent": "The percentage must be more than 0" });
    expect(errorsOf({ value: { type: "percentage", percent: 150 } })).toEqual({ "value.percent": "The percentage can be at most 100" });
    expect(errorsOf({ value: { type: "percentage", percent: 12.345 } })).toEqual({ "value.percent": "Use at most 2 decimals" });
    expect(errorsOf({ value: { type: "fixed_amount", amount: "ten" } })["value.amount"]).toMatch(/enter an amount/);
    expect(errorsOf({ value: { type: "fixed_amount", amount: "0" } })["value.amount"]).toBe("The amount off must be more than 0");
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, usageLimit: 0 })).toEqual({ usageLimit: "A code must be usable at least once" });
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, minimumSubtotal: "-3" })["minimumSubtotal"]).toMatch(/enter an amount/);
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, expiry: { type: "after", amount: 0, unit: "days" } })).toEqual({
      "expiry.amount": "A code must stay valid for at least 1 unit",
    });
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, expiry: { type: "after", amount: 2, unit: "fortnights" } })["expiry.unit"]).toMatch(/Choose a unit/);
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, expiry: { type: "fixed", endsAt: "next year" } })["expiry.endsAt"]).toMatch(/date and time/);
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, appliesTo: { type: "products" } })).toEqual({
      "appliesTo.productIds": "List at least one product or variant",
    });
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, appliesTo: { type: "collections", collectionIds: [] } })).toEqual({
      "appliesTo.collectionIds": "List at least one collection",
    });
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, colour: "red" })).toEqual({ colour: "Unknown field" });
  });

  it("GIVEN product, variant or collection ids WHEN they are neither numbers nor GIDs of their kind THEN each is refused at its place; numbers and such GIDs pass", () => {
    const percent = { type: "percentage", percent: 5 };
    expect(
      errorsOf({ value: percent, appliesTo: { type: "products", productIds: ["blue-mug", "gid://shopify/Collection/3", "42"], variantIds: ["gid://shopify/Product/1"] } }),
    ).toEqual({
      "appliesTo.productIds.0": '"blue-mug" is not a product id: use the numeric id (like 8123456789) or the GID (like gid://shopify/Product/8123456789)',
      "appliesTo.productIds.1": expect.stringContaining("gid://shopify/Product/"),
    });
    expect(errorsOf({ value: percent, appliesTo: { type: "collections", collectionIds: ["summer-sale", "gid://shopify/Product/5"] } })).toEqual({
      "appliesTo.collectionIds.0": expect.stringContaining("gid://shopify/Collection/"),
      "appliesTo.collectionIds.1": expect.stringContaining("gid://shopify/Collection/"),
    });
    expect(
      valid({
        value: percent,
        appliesTo: { type: "products", productIds: ["8123456789", "gid://shopify/Product/1", "gid://magento/Product/7"], variantIds: ["gid://shopify/ProductVariant/9", "gid://magento/Product/8"] },
      }).appliesTo,
    ).toMatchObject({ type: "products" });
    expect(valid({ value: percent, appliesTo: { type: "collections", collectionIds: ["12", "gid://magento/Category/15", "gid://shopify/Collection/3"] } }).appliesTo).toMatchObject({
      type: "collections",
    });
  });

  it("refuses free shipping limited to products or combined with another shipping discount", () => {
    expect(errorsOf({ value: { type: "free_shipping" }, appliesTo: { type: "triggered_products" } })).toEqual({
      appliesTo: expect.stringContaining("Free shipping covers the order's shipping"),
    });
    expect(errorsOf({ value: { type: "free_shipping" }, combinesWith: { shippingDiscounts: true } })).toEqual({
      "combinesWith.shippingDiscounts": expect.stringContaining("Two shipping discounts"),
    });
  });

  it("refuses code shapes that are guessable or cannot be written", () => {
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, code: { length: 5 } })).toEqual({ "code.length": "Use at least 6 random characters" });
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, code: { charset: "digits", length: 8 } })["code.length"]).toMatch(
      /give only 16,777,216 codes, few enough to guess/,
    );
    expect(valid({ value: { type: "percentage", percent: 5 }, code: { charset: "digits", length: 9 } }).code.length).toBe(9);
    expect(errorsOf({ value: { type: "percentage", percent: 5 }, code: { prefix: "BAD PREFIX" } })["code.prefix"]).toMatch(/characters a code cannot have/);
  });

  it.each(["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:00-01:00"])(
    "GIVEN a fixed end outside the years 1970 to 9999, %s, WHEN parsed THEN it is refused at expiry.endsAt",
    (endsAt) => {
      expect(errorsOf({ value: { type: "percentage", percent: 5 }, expiry: { type: "fixed", endsAt } })).toEqual({
        "expiry.endsAt": "Enter an end between the years 1970 and 9999",
      });
    },
  );

  it("refuses, at save time, a fixed end that has already passed", () => {
    const settings = valid({ value: { type: "percentage", percent: 5 }, expiry: { type: "fixed", endsAt: "2026-01-01T00:00:00Z" } });
    expect(settingsProblemsAt(settings, new Date("2025-12-31T00:00:00Z"))).toEqual({});
    expect(settingsProblemsAt(settings, new Date("2026-01-01T00:00:00Z"))).toEqual({ "expiry.endsAt": expect.stringContaining("already passed") });
  });

  it("GIVEN a Magento store THEN the summary says a code is usable by anyone holding it and how its expiry is rounded; Shopify's is unchanged", () => {
    const settings = valid({ value: { type: "percentage", percent: 15 }, expiry: { type: "after", amount: 2, unit: "hours" } });
    expect(describeSettings(settings, "MAGENTO")).toMatchObject({
      usableBy: "Anyone holding the code (Magento cannot limit a code to the customer it was issued to)",
      expiry: "2 hours after it is issued, rounded up by Magento to the end of that day in the store's time zone",
    });
    expect(describeSettings(settings, "SHOPIFY")).toMatchObject({ usableBy: "Only the customer it was issued to", expiry: "2 hours after it is issued" });
  });

  it("describes settings in the merchant's words", () => {
    const summary = describeSettings(
      valid({
        value: { type: "percentage", percent: 15 },
        appliesTo: { type: "triggered_products" },
        usageLimit: 2,
        oncePerCustomer: true,
        minimumSubtotal: "40",
        expiry: { type: "after", amount: 1, unit: "days" },
        combinesWith: { orderDiscounts: true },
        code: { prefix: "BDAY-" },
      }),
    );
    expect(summary).toEqual({
      value: "15% off",
      appliesTo: "The products that made the customer qualify",
      usableBy: "Only the customer it was issued to",
      usage: "2 uses per code, once per customer, minimum order 40",
      expiry: "1 day after it is issued",
      combinesWith: "Combines with order discounts",
      codeShape: '"BDAY-" + 7 random characters (letters and digits, no look-alikes)',
    });
  });
});

describe("expiry arithmetic", () => {
  const at = (iso: string) => new Date(iso);

  it.each([
    [30, "minutes", "2026-11-21T12:30:00.000Z"],
    [36, "hours", "2026-11-23T00:00:00.000Z"],
    [10, "days", "2026-12-01T12:00:00.000Z"],
    [2, "weeks", "2026-12-05T12:00:00.000Z"],
    [2, "months", "2027-01-21T12:00:00.000Z"],
  ] as const)("GIVEN a code issued 2026-11-21 12:00 UTC WHEN it is valid %i %s THEN it ends %s", (amount, unit, expected) => {
    expect(addPeriod(at("2026-11-21T12:00:00Z"), amount, unit).toISOString()).toBe(expected);
  });

  it("clamps months to the last day of the target month, leap years included, and keeps the time of day", () => {
    expect(addPeriod(at("2027-01-31T08:15:00Z"), 1, "months").toISOString()).toBe("2027-02-28T08:15:00.000Z");
    expect(addPeriod(at("2028-01-31T08:15:00Z"), 1, "months").toISOString()).toBe("2028-02-29T08:15:00.000Z");
    expect(addPeriod(at("2026-10-31T23:59:59Z"), 14, "months").toISOString()).toBe("2027-12-31T23:59:59.000Z");
    expect(addPeriod(at("2026-03-31T00:00:00Z"), 1, "months").toISOString()).toBe("2026-04-30T00:00:00.000Z");
  });

  it("starts validity when the code is generated, not when the pool was configured", () => {
    const rule = { type: "after", amount: 7, unit: "days" } as const;
    expect(codeEndsAt(rule, at("2026-11-01T00:00:00Z"))?.toISOString()).toBe("2026-11-08T00:00:00.000Z");
    expect(codeEndsAt(rule, at("2026-12-01T10:00:00Z"))?.toISOString()).toBe("2026-12-08T10:00:00.000Z");
    expect(codeEndsAt({ type: "never" }, at("2026-12-01T10:00:00Z"))).toBeNull();
    expect(codeEndsAt({ type: "fixed", endsAt: "2031-01-01T00:00:00+01:00" }, at("2026-12-01T10:00:00Z"))?.toISOString()).toBe(
      "2030-12-31T23:00:00.000Z",
    );
  });
});

describe("building a code spec", () => {
  it("GIVEN the default settings THEN the spec restricts the code to the customer, from the issue time, for the whole order", () => {
    const result = buildDynamicCodeSpec(valid({ value: { type: "percentage", percent: 15 }, expiry: { type: "after", amount: 2, unit: "hours" } }), facts());
    expect(result).toEqual({
      type: "spec",
      spec: {
        code: "ABCD234",
        groupKey: expect.stringMatching(/^11111111-1111-4111-8111-111111111111:[0-9a-f]{16}$/),
        title: "Birthday · ABCD234",
        value: { type: "percentage", percent: 15 },
        target: { type: "order" },
        customerId: "gid://shopify/Customer/42",
        usageLimit: 1,
        oncePerCustomer: false,
        minimumSubtotal: null,
        startsAt: new Date("2026-11-21T12:00:00Z"),
        endsAt: new Date("2026-11-21T14:00:00Z"),
        combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false },
      },
    });
  });

  it("lets anyone holding the code use it when the pool says so", () => {
    const result = buildDynamicCodeSpec(valid({ value: { type: "free_shipping" }, usableBy: "anyone" }), facts());
    expect(result).toMatchObject({ type: "spec", spec: { customerId: null, value: { type: "free_shipping" } } });
  });

  it("GIVEN a pool for triggered products WHEN products and variants are given THEN the code applies to exactly those; WHEN none THEN it is refused", () => {
    const settings = valid({ value: { type: "percentage", percent: 10 }, appliesTo: { type: "triggered_products" } });
    const result = buildDynamicCodeSpec(
      settings,
      facts({ triggeredProducts: ["gid://shopify/Product/1", "gid://shopify/ProductVariant/7", "gid://shopify/Product/1", " "] }),
    );
    expect(result).toMatchObject({
      type: "spec",
      spec: { target: { type: "products", productIds: ["gid://shopify/Product/1"], variantIds: ["gid://shopify/ProductVariant/7"] } },
    });
    expect(buildDynamicCodeSpec(settings, facts({ triggeredProducts: [] }))).toEqual({
      type: "refused",
      reason: "no_triggered_products",
      message: expect.stringContaining("none were given"),
    });
    const many = Array.from({ length: 251 }, (_, i) => `gid://shopify/Product/${i + 1}`);
    expect(buildDynamicCodeSpec(settings, facts({ triggeredProducts: many }))).toMatchObject({ type: "refused", reason: "too_many_products" });
  });

  it("refuses to create a code from a pool whose fixed end has passed", () => {
    const settings = valid({ value: { type: "percentage", percent: 10 }, expiry: { type: "fixed", endsAt: "2026-11-21T11:59:59Z" } });
    expect(buildDynamicCodeSpec(settings, facts())).toMatchObject({ type: "refused", reason: "pool_expired" });
  });

  it("gives codes with the same shared settings one group key, and a different one when a shared setting or the target differs", () => {
    const settings = valid({ value: { type: "percentage", percent: 10 }, appliesTo: { type: "triggered_products" }, expiry: { type: "after", amount: 1, unit: "days" } });
    const key = (s: DynamicPoolSettings, products: string[], issuedAt = "2026-11-21T12:00:00Z", code = "AAAAAAA") => {
      const r = buildDynamicCodeSpec(s, facts({ triggeredProducts: products, issuedAt: new Date(issuedAt), code }));
      if (r.type !== "spec") throw new Error(r.type);
      return r.spec.groupKey;
    };
    const base = key(settings, ["gid://shopify/Product/2", "gid://shopify/Product/1"]);
    // Another customer, another code, another day, the products in another order: same group.
    expect(key(settings, ["gid://shopify/Product/1", "gid://shopify/Product/2"], "2026-12-24T08:00:00Z", "BBBBBBB")).toBe(base);
    expect(key(settings, ["gid://shopify/Product/1"])).not.toBe(base);
    expect(key({ ...settings, usageLimit: 5 }, ["gid://shopify/Product/1", "gid://shopify/Product/2"])).not.toBe(base);
    expect(key({ ...settings, value: { type: "percentage", percent: 11 } }, ["gid://shopify/Product/1", "gid://shopify/Product/2"])).not.toBe(base);
    expect(groupKeyOf("other-pool", settings, { type: "order" })).toMatch(/^other-pool:/);
  });
});

describe("dynamic code shape", () => {
  it("draws codes of the configured prefix, length and set, never with a look-alike, and no repeat in 20,000 from a space of 32^10", () => {
    // Draws are independent, so repeats are a matter of the space (the platform refuses a taken code and it is
    // drawn again). 7 characters (32^7) would repeat once in 20,000 draws in about 0.6% of runs; 10 make it 2e-7.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const code = drawDynamicCode({ prefix: "BDAY-", length: 10, charset: "alphanumeric_upper" });
      expect(code).toMatch(/^BDAY-[A-Z2-9]{10}$/);
      expect([...code.slice(5)].some((c) => LOOK_ALIKES.includes(c))).toBe(false);
      seen.add(code);
    }
    expect(seen.size).toBe(20_000);
    expect(drawDynamicCode({ prefix: "", length: 9, charset: "digits" })).toMatch(/^[2-9]{9}$/);
  });
});
