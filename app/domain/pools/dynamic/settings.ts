// Dynamic pool settings: what each code created for a customer is worth, what it applies to, who may use it, how
// often, for how long, what it combines with and what it looks like. Kept as Pool.dynamicConfig (JSON) and
// validated here, so the admin form, the REST API and the issuing service share one definition and one set of
// error messages. Numbers arrive as numbers (the form converts its text fields before validating).
import { z } from "zod";
import { isoDateTime } from "../../instants";
import { compileShape, GenerationError, type CharsetPreset } from "../generate";
import { EXPIRY_UNITS, type ExpiryRule } from "./expiry";

/** Shopify's limit for any input array (products, variants, collections on one discount). */
export const MAX_TARGET_IDS = 250;
export const DEFAULT_DYNAMIC_CODE_LENGTH = 7;
/** Fewer possible codes than this is refused: a code that works for anyone holding it is worth guessing. */
export const MIN_CODE_SPACE = 100_000_000n;

const MONEY = /^\d{1,9}(\.\d{1,2})?$/;

const money = (what: string) =>
  z.preprocess(
    (v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v.trim() : v),
    z
      .string({ error: `${what}: enter an amount such as 10 or 12.50` })
      .regex(MONEY, `${what}: enter an amount such as 10 or 12.50 (at most 2 decimals)`)
      .refine((s) => Number(s) > 0, `${what} must be more than 0`),
  );

const DynamicValueSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("percentage"),
      percent: z
        .number({ error: "Enter the percentage off, e.g. 15" })
        .gt(0, "The percentage must be more than 0")
        .max(100, "The percentage can be at most 100")
        .refine((n) => Math.round(n * 100) === n * 100, "Use at most 2 decimals"),
    }),
    z.strictObject({ type: z.literal("fixed_amount"), amount: money("The amount off") }),
    z.strictObject({ type: z.literal("free_shipping") }),
  ],
  { error: 'Choose the value: "percentage", "fixed_amount" or "free_shipping"' },
);

const platformId = z
  .string("Each id must be a string")
  .trim()
  .min(1, "An id cannot be empty")
  .max(255, "Ids are at most 255 characters")
  .regex(/^\S+$/, "Ids have no spaces");

/** The GID types each list takes: Shopify's, and Magento's (a variant is a product there; a collection a category). */
const ID_TYPES = {
  products: ["Product"],
  variants: ["ProductVariant", "Product"],
  collections: ["Collection", "Category"],
} as const;

/**
 * A platform id as the store's admin shows it: the number, or the GID of the right type. Anything else (a handle,
 * a product's GID in the collections list) would be refused by the platform at every issue, not when saved.
 */
const idList = (what: keyof typeof ID_TYPES) =>
  z
    .array(
      platformId.refine((id) => {
        const gid = /^gid:\/\/(?:shopify|magento)\/([A-Za-z]+)\/\d+$/.exec(id);
        return /^\d+$/.test(id) || (gid !== null && (ID_TYPES[what] as readonly string[]).includes(gid[1]!));
      }, {
        error: (issue) =>
          `"${String(issue.input)}" is not a ${what.slice(0, -1)} id: use the numeric id (like 8123456789) or the GID (like gid://shopify/${ID_TYPES[what][0]}/8123456789)`,
      }),
    )
    .max(MAX_TARGET_IDS, `At most ${MAX_TARGET_IDS} ${what}`)
    .default([]);

const AppliesToSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("order") }),
    z.strictObject({ type: z.literal("triggered_products") }),
    z
      .strictObject({ type: z.literal("products"), productIds: idList("products"), variantIds: idList("variants") })
      .refine((t) => t.productIds.length + t.variantIds.length > 0, {
        message: "List at least one product or variant",
        path: ["productIds"],
      }),
    z.strictObject({
      type: z.literal("collections"),
      collectionIds: idList("collections").refine((ids) => ids.length > 0, "List at least one collection"),
    }),
  ],
  { error: 'Choose what it applies to: "order", "triggered_products", "products" or "collections"' },
);

const ExpirySchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("never") }),
    z.strictObject({
      type: z.literal("after"),
      amount: z
        .number({ error: "Enter how long a code stays valid" })
        .int("Use a whole number")
        .min(1, "A code must stay valid for at least 1 unit")
        .max(10_000, "At most 10,000"),
      unit: z.enum(EXPIRY_UNITS, { error: `Choose a unit: ${EXPIRY_UNITS.join(", ")}` }),
    }),
    z.strictObject({
      type: z.literal("fixed"),
      endsAt: isoDateTime({
        error: "Enter the end as a date and time, e.g. 2031-12-31T23:59:00Z",
        range: "Enter an end between the years 1970 and 9999",
      }),
    }),
  ],
  { error: 'Choose the expiry: "never", "after" (N units after issue) or "fixed" (a date)' },
);

const CHARSETS = ["alphanumeric_upper", "letters_upper", "digits", "alphanumeric_mixed"] as const satisfies readonly CharsetPreset[];

const CodeShapeSchema = z.strictObject({
  prefix: z.string("The prefix must be text").trim().max(20, "Keep the prefix to 20 characters").default(""),
  length: z
    .number({ error: "Enter the number of random characters" })
    .int("Use a whole number")
    .min(6, "Use at least 6 random characters")
    .max(32, "Use at most 32 random characters")
    .default(DEFAULT_DYNAMIC_CODE_LENGTH),
  charset: z.enum(CHARSETS, { error: `Choose a character set: ${CHARSETS.join(", ")}` }).default("alphanumeric_upper"),
});

export const DynamicPoolSettingsSchema = z
  .strictObject({
    value: DynamicValueSchema,
    appliesTo: AppliesToSchema.prefault({ type: "order" }),
    /** Only the customer the code was issued to (default), or anyone holding the code. */
    usableBy: z.enum(["issued_customer", "anyone"], { error: 'Choose "issued_customer" or "anyone"' }).default("issued_customer"),
    /** Uses of one code in total; null for no limit. */
    usageLimit: z
      .number({ error: "Enter how many times a code can be used, or null for no limit" })
      .int("Use a whole number")
      .min(1, "A code must be usable at least once")
      .max(1_000_000, "At most 1,000,000")
      .nullable()
      .default(1),
    oncePerCustomer: z.boolean("Must be true or false").default(false),
    minimumSubtotal: money("The minimum order amount").nullable().default(null),
    expiry: ExpirySchema.prefault({ type: "never" }),
    /** Discount classes a code may be combined with at checkout. */
    combinesWith: z
      .strictObject({
        productDiscounts: z.boolean("Must be true or false").default(false),
        orderDiscounts: z.boolean("Must be true or false").default(false),
        shippingDiscounts: z.boolean("Must be true or false").default(false),
      })
      .prefault({}),
    code: CodeShapeSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.value.type === "free_shipping") {
      if (s.appliesTo.type !== "order") {
        ctx.addIssue({
          code: "custom",
          path: ["appliesTo"],
          message: "Free shipping covers the order's shipping: it cannot be limited to products or collections",
        });
      }
      if (s.combinesWith.shippingDiscounts) {
        ctx.addIssue({
          code: "custom",
          path: ["combinesWith", "shippingDiscounts"],
          message: "Two shipping discounts never apply to one order: a free-shipping code cannot combine with them",
        });
      }
    }
    try {
      const shape = compileShape({ charset: s.code.charset, length: s.code.length, prefix: s.code.prefix });
      if (shape.space < MIN_CODE_SPACE) {
        ctx.addIssue({
          code: "custom",
          path: ["code", "length"],
          message: `${s.code.length} characters from this set give only ${shape.space.toLocaleString("en-US")} codes, few enough to guess: use more characters or a wider set`,
        });
      }
    } catch (error) {
      if (!(error instanceof GenerationError)) throw error;
      ctx.addIssue({ code: "custom", path: ["code", "prefix"], message: error.message });
    }
  });

export type DynamicPoolSettings = z.output<typeof DynamicPoolSettingsSchema>;
export type DynamicPoolSettingsInput = z.input<typeof DynamicPoolSettingsSchema>;
export type DynamicValueSettings = DynamicPoolSettings["value"];
export type AppliesToSettings = DynamicPoolSettings["appliesTo"];
export type CodeShapeSettings = DynamicPoolSettings["code"];
export type { ExpiryRule };

export type SettingsParse =
  | { type: "valid"; settings: DynamicPoolSettings }
  | { type: "invalid"; errors: Record<string, string> };

/** Validates settings from the form, the API or the database. Errors are keyed by dotted path ("value.percent"). */
export function parseDynamicSettings(input: unknown): SettingsParse {
  const parsed = DynamicPoolSettingsSchema.safeParse(input);
  if (parsed.success) return { type: "valid", settings: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors[path ? `${path}.${key}` : key] ??= "Unknown field";
      continue;
    }
    errors[path || "settings"] ??= issue.message;
  }
  return { type: "invalid", errors };
}

/** Problems that depend on the moment the settings are saved: a fixed end that has already passed. */
export function settingsProblemsAt(settings: DynamicPoolSettings, now: Date): Record<string, string> {
  if (settings.expiry.type === "fixed" && Date.parse(settings.expiry.endsAt) <= now.getTime()) {
    return { "expiry.endsAt": "This date has already passed: codes would be expired when they are created" };
  }
  return {};
}
