// The dynamic pool settings as the admin form holds them (text fields and choices), to and from the settings the
// domain validates (domain/pools/dynamic). Numbers stay text until submitted; the service's field errors, keyed by
// settings path ("dynamic.value.percent"), are mapped back to the field that shows them.
import type { DynamicPoolSettings, DynamicPoolSettingsInput } from "../../domain/pools/dynamic";

export interface DynamicFormValues {
  valueType: "percentage" | "fixed_amount" | "free_shipping";
  percent: string;
  amount: string;
  appliesTo: "order" | "triggered_products" | "products" | "collections";
  productIds: string;
  variantIds: string;
  collectionIds: string;
  usableBy: "issued_customer" | "anyone";
  /** Empty for no limit. */
  usageLimit: string;
  oncePerCustomer: boolean;
  minimumSubtotal: string;
  expiryType: "never" | "after" | "fixed";
  expiryAmount: string;
  expiryUnit: "minutes" | "hours" | "days" | "weeks" | "months";
  /** datetime-local text, read as UTC ("2031-12-31T23:59"). */
  expiryEndsAt: string;
  combineProduct: boolean;
  combineOrder: boolean;
  combineShipping: boolean;
  prefix: string;
  length: string;
  charset: "alphanumeric_upper" | "letters_upper" | "digits" | "alphanumeric_mixed";
}

export type DynamicFormField = keyof DynamicFormValues;

export const EMPTY_DYNAMIC_FORM: DynamicFormValues = {
  valueType: "percentage",
  percent: "",
  amount: "",
  appliesTo: "order",
  productIds: "",
  variantIds: "",
  collectionIds: "",
  usableBy: "issued_customer",
  usageLimit: "1",
  oncePerCustomer: false,
  minimumSubtotal: "",
  expiryType: "never",
  expiryAmount: "30",
  expiryUnit: "days",
  expiryEndsAt: "",
  combineProduct: false,
  combineOrder: false,
  combineShipping: false,
  prefix: "",
  length: "7",
  charset: "alphanumeric_upper",
};

/** Form field names carry a prefix so they never clash with the pool's own fields. */
export const DYNAMIC_FIELD_PREFIX = "dyn_";

export function dynamicFormValues(settings: DynamicPoolSettings | null): DynamicFormValues {
  if (!settings) return EMPTY_DYNAMIC_FORM;
  const v = settings.value;
  const a = settings.appliesTo;
  const e = settings.expiry;
  return {
    valueType: v.type,
    percent: v.type === "percentage" ? String(v.percent) : "",
    amount: v.type === "fixed_amount" ? v.amount : "",
    appliesTo: a.type,
    productIds: a.type === "products" ? a.productIds.join("\n") : "",
    variantIds: a.type === "products" ? a.variantIds.join("\n") : "",
    collectionIds: a.type === "collections" ? a.collectionIds.join("\n") : "",
    usableBy: settings.usableBy,
    usageLimit: settings.usageLimit === null ? "" : String(settings.usageLimit),
    oncePerCustomer: settings.oncePerCustomer,
    minimumSubtotal: settings.minimumSubtotal ?? "",
    expiryType: e.type,
    expiryAmount: e.type === "after" ? String(e.amount) : EMPTY_DYNAMIC_FORM.expiryAmount,
    expiryUnit: e.type === "after" ? e.unit : EMPTY_DYNAMIC_FORM.expiryUnit,
    expiryEndsAt: e.type === "fixed" ? new Date(e.endsAt).toISOString().slice(0, 16) : "",
    combineProduct: settings.combinesWith.productDiscounts,
    combineOrder: settings.combinesWith.orderDiscounts,
    combineShipping: settings.combinesWith.shippingDiscounts,
    prefix: settings.code.prefix,
    length: String(settings.code.length),
    charset: settings.code.charset,
  };
}

function text(form: FormData, field: DynamicFormField): string {
  const value = form.get(DYNAMIC_FIELD_PREFIX + field);
  return typeof value === "string" ? value.trim() : "";
}

/** A number when the text is one; the text itself otherwise, so validation says what is wrong with it. */
function numberOrText(value: string): number | string | undefined {
  if (value === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

function ids(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** The settings a submitted form describes, unvalidated (the service validates them). */
export function dynamicSettingsFromForm(form: FormData): DynamicPoolSettingsInput {
  const valueType = text(form, "valueType");
  const value =
    valueType === "fixed_amount"
      ? { type: "fixed_amount" as const, amount: text(form, "amount") }
      : valueType === "free_shipping"
        ? { type: "free_shipping" as const }
        : { type: "percentage" as const, percent: numberOrText(text(form, "percent")) as number };
  const appliesType = text(form, "appliesTo");
  const appliesTo =
    appliesType === "products"
      ? {
          type: "products" as const,
          productIds: ids(text(form, "productIds")),
          variantIds: ids(text(form, "variantIds")),
        }
      : appliesType === "collections"
        ? { type: "collections" as const, collectionIds: ids(text(form, "collectionIds")) }
        : appliesType === "triggered_products"
          ? { type: "triggered_products" as const }
          : { type: "order" as const };
  const expiryType = text(form, "expiryType");
  const endsAt = text(form, "expiryEndsAt");
  const expiry =
    expiryType === "after"
      ? {
          type: "after" as const,
          amount: numberOrText(text(form, "expiryAmount")) as number,
          unit: text(form, "expiryUnit") as "days",
        }
      : expiryType === "fixed"
        ? { type: "fixed" as const, endsAt: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(endsAt) ? `${endsAt}:00Z` : endsAt }
        : { type: "never" as const };
  const usageLimit = text(form, "usageLimit");
  const minimum = text(form, "minimumSubtotal");
  const length = text(form, "length");
  return {
    value,
    appliesTo,
    usableBy: text(form, "usableBy") === "anyone" ? "anyone" : "issued_customer",
    usageLimit: usageLimit === "" ? null : (numberOrText(usageLimit) as number),
    oncePerCustomer: form.get(DYNAMIC_FIELD_PREFIX + "oncePerCustomer") === "on",
    minimumSubtotal: minimum === "" ? null : minimum,
    expiry,
    combinesWith: {
      productDiscounts: form.get(DYNAMIC_FIELD_PREFIX + "combineProduct") === "on",
      orderDiscounts: form.get(DYNAMIC_FIELD_PREFIX + "combineOrder") === "on",
      shippingDiscounts: form.get(DYNAMIC_FIELD_PREFIX + "combineShipping") === "on",
    },
    code: {
      prefix: text(form, "prefix"),
      ...(length === "" ? {} : { length: numberOrText(length) as number }),
      charset: (text(form, "charset") || "alphanumeric_upper") as DynamicFormValues["charset"],
    },
  };
}

const FIELD_BY_PATH: [RegExp, DynamicFormField][] = [
  [/^value\.percent$/, "percent"],
  [/^value\.amount$/, "amount"],
  [/^value/, "valueType"],
  [/^appliesTo\.productIds/, "productIds"],
  [/^appliesTo\.variantIds/, "variantIds"],
  [/^appliesTo\.collectionIds/, "collectionIds"],
  [/^appliesTo/, "appliesTo"],
  [/^usableBy/, "usableBy"],
  [/^usageLimit/, "usageLimit"],
  [/^oncePerCustomer/, "oncePerCustomer"],
  [/^minimumSubtotal/, "minimumSubtotal"],
  [/^expiry\.amount/, "expiryAmount"],
  [/^expiry\.unit/, "expiryUnit"],
  [/^expiry\.endsAt/, "expiryEndsAt"],
  [/^expiry/, "expiryType"],
  [/^combinesWith\.productDiscounts/, "combineProduct"],
  [/^combinesWith\.orderDiscounts/, "combineOrder"],
  [/^combinesWith/, "combineShipping"],
  [/^code\.prefix/, "prefix"],
  [/^code\.length/, "length"],
  [/^code/, "charset"],
];

/** The form field that shows the error of a settings path ("value.percent" → "percent"). */
export function dynamicFieldOf(path: string): DynamicFormField | null {
  return FIELD_BY_PATH.find(([pattern]) => pattern.test(path))?.[1] ?? null;
}
