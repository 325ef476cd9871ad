// Dynamic pool settings in the merchant's words, for the pool page and the pools list.
import type { PlatformKind } from "../../../platforms/port";
import type { DynamicPoolSettings } from "./settings";

export interface SettingsSummary {
  value: string;
  appliesTo: string;
  usableBy: string;
  usage: string;
  expiry: string;
  combinesWith: string;
  codeShape: string;
}

const CHARSET_LABELS: Record<DynamicPoolSettings["code"]["charset"], string> = {
  alphanumeric_upper: "letters and digits",
  letters_upper: "letters",
  digits: "digits",
  alphanumeric_mixed: "mixed-case letters and digits",
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

export function describeValue(value: DynamicPoolSettings["value"]): string {
  switch (value.type) {
    case "percentage":
      return `${value.percent}% off`;
    case "fixed_amount":
      return `${value.amount} off (store currency)`;
    case "free_shipping":
      return "Free shipping";
  }
}

export function describeAppliesTo(appliesTo: DynamicPoolSettings["appliesTo"]): string {
  switch (appliesTo.type) {
    case "order":
      return "The whole order";
    case "triggered_products":
      return "The products that made the customer qualify";
    case "products": {
      const parts = [];
      if (appliesTo.productIds.length) parts.push(plural(appliesTo.productIds.length, "product"));
      if (appliesTo.variantIds.length) parts.push(plural(appliesTo.variantIds.length, "variant"));
      return `Specific ${parts.join(" and ")}`;
    }
    case "collections":
      return `Products in ${plural(appliesTo.collectionIds.length, "collection")}`;
  }
}

export function describeExpiry(expiry: DynamicPoolSettings["expiry"]): string {
  switch (expiry.type) {
    case "never":
      return "Never expires";
    case "after":
      return `${plural(expiry.amount, expiry.unit.replace(/s$/, ""))} after it is issued`;
    case "fixed":
      return `Ends ${new Date(expiry.endsAt).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  }
}

/**
 * The settings in the merchant's words, true to what the store's platform does: Magento cannot tie a coupon to one
 * customer, and ends coupons at the end of a day in the store's time zone (app/platforms/magento/limits.ts).
 */
export function describeSettings(s: DynamicPoolSettings, platform: PlatformKind = "SHOPIFY"): SettingsSummary {
  const magento = platform === "MAGENTO";
  const usage = [
    s.usageLimit === null ? "Unlimited uses" : `${plural(s.usageLimit, "use")} per code`,
    ...(s.oncePerCustomer ? ["once per customer"] : []),
    ...(s.minimumSubtotal ? [`minimum order ${s.minimumSubtotal}`] : []),
  ].join(", ");
  const combines = [
    s.combinesWith.productDiscounts ? "product discounts" : null,
    s.combinesWith.orderDiscounts ? "order discounts" : null,
    s.combinesWith.shippingDiscounts ? "shipping discounts" : null,
  ].filter((x): x is string => x !== null);
  return {
    value: describeValue(s.value),
    appliesTo: describeAppliesTo(s.appliesTo),
    usableBy:
      s.usableBy === "anyone"
        ? "Anyone holding the code"
        : magento
          ? "Anyone holding the code (Magento cannot limit a code to the customer it was issued to)"
          : "Only the customer it was issued to",
    usage,
    expiry:
      magento && s.expiry.type !== "never"
        ? `${describeExpiry(s.expiry)}, rounded up by Magento to the end of that day in the store's time zone`
        : describeExpiry(s.expiry),
    combinesWith: combines.length ? `Combines with ${combines.join(", ")}` : "Does not combine with other discounts",
    codeShape: `${s.code.prefix ? `"${s.code.prefix}" + ` : ""}${plural(s.code.length, "random character")} (${CHARSET_LABELS[s.code.charset]}, no look-alikes)`,
  };
}
