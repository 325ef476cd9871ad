import { describe, expect, it } from "vitest";
import { DYNAMIC_FIELD_PREFIX, dynamicFormValues, dynamicSettingsFromForm } from "../../../app/components/pools/dynamic-form";
import { poolFormErrors, poolInputFromForm } from "../../../app/components/pools/pool-form.server";
import { parseDynamicSettings } from "../../../app/domain/pools/dynamic";
import { createPool } from "../../../app/services/pools/pools.server";
import { createTestShop } from "../../support/shops";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    data.set(name.startsWith("name") || name === "kind" ? name : DYNAMIC_FIELD_PREFIX + name, value);
  }
  return data;
}

describe("the dynamic pool form", () => {
  it("GIVEN every field filled in THEN the settings it describes validate, and turning them back into the form gives the same fields", () => {
    const submitted = {
      valueType: "fixed_amount",
      amount: "12.50",
      appliesTo: "products",
      productIds: "gid://shopify/Product/1\n2, 3",
      variantIds: "",
      usableBy: "anyone",
      usageLimit: "",
      oncePerCustomer: "on",
      minimumSubtotal: "40",
      expiryType: "fixed",
      expiryEndsAt: "2031-12-31T23:59",
      combineProduct: "on",
      prefix: "VIP-",
      length: "9",
      charset: "letters_upper",
    };
    const settings = parseDynamicSettings(dynamicSettingsFromForm(form(submitted)));
    expect(settings).toEqual({
      type: "valid",
      settings: {
        value: { type: "fixed_amount", amount: "12.50" },
        appliesTo: { type: "products", productIds: ["gid://shopify/Product/1", "2", "3"], variantIds: [] },
        usableBy: "anyone",
        usageLimit: null,
        oncePerCustomer: true,
        minimumSubtotal: "40",
        expiry: { type: "fixed", endsAt: "2031-12-31T23:59:00Z" },
        combinesWith: { productDiscounts: true, orderDiscounts: false, shippingDiscounts: false },
        code: { prefix: "VIP-", length: 9, charset: "letters_upper" },
      },
    });
    if (settings.type !== "valid") return;
    expect(dynamicFormValues(settings.settings)).toMatchObject({
      valueType: "fixed_amount",
      amount: "12.50",
      productIds: "gid://shopify/Product/1\n2\n3",
      usageLimit: "",
      expiryEndsAt: "2031-12-31T23:59",
      combineProduct: true,
      length: "9",
    });
  });

  it("GIVEN bad values THEN the service's errors land on the fields that show them", async () => {
    const shop = await createTestShop();
    const input = poolInputFromForm(
      form({ name: "Dyn", kind: "DYNAMIC", valueType: "percentage", percent: "abc", expiryType: "after", expiryAmount: "0", expiryUnit: "days", length: "4", usageLimit: "1" }),
    );
    const result = await createPool(shop.db, shop.id, input);
    expect(poolFormErrors(result, input)).toEqual({
      dynamic: {
        percent: "Enter the percentage off, e.g. 15",
        expiryAmount: "A code must stay valid for at least 1 unit",
        length: "Use at least 6 random characters",
      },
    });
    const saved = await createPool(shop.db, shop.id, poolInputFromForm(form({ name: "Dyn", kind: "DYNAMIC", valueType: "free_shipping", usageLimit: "1" })));
    expect(saved).toMatchObject({ type: "saved", pool: { kind: "DYNAMIC", dynamicConfig: { value: { type: "free_shipping" } } } });
  });
});

describe("the pool form's low-stock threshold", () => {
  it("GIVEN the text typed in the field THEN a whole number is saved, empty means no alert, anything else is the field's error", async () => {
    const shop = await createTestShop();
    const submit = (name: string, lowStockThreshold: string) => {
      const data = new FormData();
      data.set("name", name);
      data.set("lowStockThreshold", lowStockThreshold);
      const input = poolInputFromForm(data);
      return createPool(shop.db, shop.id, input).then((result) => ({ result, errors: poolFormErrors(result, input) }));
    };
    expect((await submit("Twelve", " 12 ")).result).toMatchObject({ type: "saved", pool: { lowStockThreshold: 12 } });
    expect((await submit("None", "")).result).toMatchObject({ type: "saved", pool: { lowStockThreshold: null } });
    for (const typed of ["abc", "2.5", "-3"]) {
      const { errors } = await submit(`Bad ${typed}`, typed);
      expect(errors?.lowStockThreshold, typed).toMatch(/^Enter /);
    }
    expect(await shop.db.pool.count()).toBe(2);
  });
});
