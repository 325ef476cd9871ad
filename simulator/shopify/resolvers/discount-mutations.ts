/**
 * Code-discount mutations with Shopify's validation: every problem becomes a
 * `DiscountUserError {field, message, code}` whose `field` path starts with
 * the input argument name (`["basicCodeDiscount", "code"]`), and nothing is
 * written unless the whole input is valid.
 */
import { gid, idOf, parseGid } from "../ids";
import {
  CODE_TAKEN_MESSAGE,
  codeProblem,
  type DiscountContextRecord,
  type DiscountItemsRecord,
  type DiscountRecord,
  type DiscountUserErrorRecord,
  type DiscountValueRecord,
  type MinimumRequirementRecord,
  type ShopStore,
} from "../store";
import { normaliseTags, notModelled, parseCents, parseDateInput, type ResolverContext, type View } from "./context";
import { codeDiscountNodeView } from "./discounts";

interface IdListInput {
  add?: string[] | null;
  remove?: string[] | null;
}

interface CommonInput {
  title?: string | null;
  code?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean | null;
  recurringCycleLimit?: number | null;
  tags?: string[] | null;
  combinesWith?: {
    orderDiscounts?: boolean | null;
    productDiscounts?: boolean | null;
    shippingDiscounts?: boolean | null;
    productDiscountsWithTagsOnSameCartLine?: unknown;
  } | null;
  context?: {
    all?: string | null;
    customers?: IdListInput | null;
    customerSegments?: unknown;
    markets?: unknown;
  } | null;
  customerSelection?: { all?: boolean | null; customers?: IdListInput | null; customerSegments?: unknown } | null;
  minimumRequirement?: {
    quantity?: { greaterThanOrEqualToQuantity?: string | null } | null;
    subtotal?: { greaterThanOrEqualToSubtotal?: string | null } | null;
  } | null;
  appliesOnOneTimePurchase?: boolean | null;
  appliesOnSubscription?: boolean | null;
}

interface BasicInput extends CommonInput {
  customerGets?: {
    value?: {
      percentage?: number | null;
      discountAmount?: { amount?: string | null; appliesOnEachItem?: boolean | null } | null;
      discountOnQuantity?: unknown;
    } | null;
    items?: {
      all?: boolean | null;
      products?: {
        productsToAdd?: string[] | null;
        productVariantsToAdd?: string[] | null;
        productsToRemove?: string[] | null;
        productVariantsToRemove?: string[] | null;
      } | null;
      collections?: IdListInput | null;
    } | null;
    appliesOnOneTimePurchase?: boolean | null;
    appliesOnSubscription?: boolean | null;
  } | null;
}

interface FreeShippingInput extends CommonInput {
  destination?: {
    all?: boolean | null;
    countries?: { add?: string[] | null; includeRestOfWorld?: boolean | null } | null;
  } | null;
  maximumShippingPrice?: string | null;
}

const MAX_TITLE_LENGTH = 255;

/** Collects user errors under one input argument name. */
class Errors {
  readonly list: DiscountUserErrorRecord[] = [];
  constructor(private readonly root: string) {}
  add(path: readonly string[], code: string, message: string): void {
    this.list.push({ field: [this.root, ...path], message, code, extraInfo: null });
  }
}

/** Resolves gids of one type to existing numeric ids, reporting the ones that are not. */
function existingIds(
  ids: readonly string[],
  type: string,
  exists: (id: string) => boolean,
  errors: Errors,
  path: readonly string[],
  label: string,
): string[] {
  const out: string[] = [];
  for (const value of ids) {
    const id = idOf(value, type);
    if (id === undefined || !exists(id)) {
      errors.add(path, "INVALID", `${label} with id: ${parseGid(value)?.id ?? value} is invalid`);
    } else if (!out.includes(id)) {
      out.push(id);
    }
  }
  return out;
}

function validateCommon(store: ShopStore, input: CommonInput, errors: Errors) {
  const title = input.title?.trim() ?? "";
  if (title === "") errors.add(["title"], "BLANK", "Title can't be blank");
  else if (title.length > MAX_TITLE_LENGTH) {
    errors.add(["title"], "TOO_LONG", `Title is too long (maximum is ${MAX_TITLE_LENGTH} characters)`);
  }

  const code = input.code ?? "";
  const problem = codeProblem(code);
  if (problem) errors.add(["code"], problem.code, problem.message);
  else if (store.isCodeTaken(code)) errors.add(["code"], "TAKEN", CODE_TAKEN_MESSAGE);

  let startsAt: string | undefined;
  if (input.startsAt === undefined || input.startsAt === null)
    errors.add(["startsAt"], "BLANK", "Starts at can't be blank");
  else {
    startsAt = parseDateInput(input.startsAt);
    if (!startsAt) errors.add(["startsAt"], "INVALID", "Starts at is invalid");
  }
  let endsAt: string | null = null;
  if (input.endsAt !== undefined && input.endsAt !== null) {
    endsAt = parseDateInput(input.endsAt) ?? null;
    if (!endsAt) errors.add(["endsAt"], "INVALID", "Ends at is invalid");
    else if (startsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
      errors.add(["endsAt"], "END_DATE_BEFORE_START_DATE", "Ends at needs to be after starts_at");
    }
  }
  if (input.usageLimit !== undefined && input.usageLimit !== null && input.usageLimit <= 0) {
    errors.add(["usageLimit"], "GREATER_THAN", "Usage limit must be greater than 0");
  }

  let context: DiscountContextRecord = { kind: "all" };
  if (input.context && input.customerSelection) {
    errors.add(["context"], "INVALID", "Only one of context or customerSelection can be provided.");
  }
  const ctxInput = input.context ?? null;
  const selection = input.customerSelection ?? null;
  if (ctxInput?.customerSegments || ctxInput?.markets || selection?.customerSegments) {
    throw notModelled("discount context by customer segments or markets");
  }
  const customersInput = ctxInput?.customers ?? selection?.customers ?? null;
  const customersPath = ctxInput ? ["context", "customers", "add"] : ["customerSelection", "customers", "add"];
  if (customersInput && (ctxInput?.all || selection?.all)) {
    errors.add(ctxInput ? ["context"] : ["customerSelection"], "INVALID", "Only one buyer selection can be provided.");
  } else if (customersInput) {
    const ids = existingIds(
      customersInput.add ?? [],
      "Customer",
      (id) => store.customers.has(id),
      errors,
      customersPath,
      "Customer",
    );
    if ((customersInput.add ?? []).length === 0) errors.add(customersPath, "BLANK", "Customers can't be blank");
    context = { kind: "customers", customerIds: ids };
  }

  let minimumRequirement: MinimumRequirementRecord = null;
  const min = input.minimumRequirement;
  if (min?.quantity && min.subtotal) {
    errors.add(
      ["minimumRequirement"],
      "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT",
      "Minimum subtotal and quantity range can't both be present.",
    );
  } else if (min?.subtotal) {
    const cents = parseCents(min.subtotal.greaterThanOrEqualToSubtotal);
    if (cents === undefined || cents <= 0) {
      errors.add(
        ["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"],
        "GREATER_THAN",
        "Minimum subtotal must be greater than 0",
      );
    } else minimumRequirement = { kind: "subtotal", subtotalCents: cents };
  } else if (min?.quantity) {
    const quantity = String(min.quantity.greaterThanOrEqualToQuantity ?? "");
    if (!/^\d+$/.test(quantity) || BigInt(quantity) <= 0n) {
      errors.add(
        ["minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"],
        "GREATER_THAN",
        "Minimum quantity must be greater than 0",
      );
    } else minimumRequirement = { kind: "quantity", quantity };
  }

  const now = store.nowIso();
  const base: Omit<DiscountRecord, "kind" | "value" | "items" | "destination" | "maximumShippingPriceCents"> = {
    id: "",
    title,
    startsAt: startsAt ?? now,
    endsAt,
    usageLimit: input.usageLimit ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
    recurringCycleLimit: input.recurringCycleLimit ?? null,
    tags: normaliseTags(input.tags ?? []),
    combinesWith: {
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    context,
    minimumRequirement,
    appliesOnOneTimePurchase: input.appliesOnOneTimePurchase ?? true,
    appliesOnSubscription: input.appliesOnSubscription ?? false,
    codeIds: [],
    createdAt: now,
    updatedAt: now,
  };
  return { base, code };
}

function validateCustomerGets(store: ShopStore, input: BasicInput, errors: Errors) {
  const gets = input.customerGets;
  if (!gets) {
    errors.add(["customerGets"], "BLANK", "Customer gets can't be blank");
    return { value: null, items: null };
  }
  let value: DiscountValueRecord | null = null;
  const v = gets.value;
  const kinds = [v?.percentage, v?.discountAmount, v?.discountOnQuantity].filter((x) => x !== undefined && x !== null);
  if (kinds.length !== 1) {
    errors.add(
      ["customerGets", "value"],
      "INVALID",
      "Value must have exactly one of percentage, discountAmount or discountOnQuantity",
    );
  } else if (v?.discountOnQuantity) {
    errors.add(
      ["customerGets", "value", "discountOnQuantity"],
      "INVALID",
      "Discount on quantity is only valid for buy X get Y discounts",
    );
  } else if (typeof v?.percentage === "number") {
    if (v.percentage < 0 || v.percentage > 1) {
      errors.add(["customerGets", "value", "percentage"], "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0");
    } else if (v.percentage === 0) {
      errors.add(["customerGets", "value", "percentage"], "GREATER_THAN", "Value must be greater than 0");
    } else value = { kind: "percentage", percentage: v.percentage };
  } else if (v?.discountAmount) {
    const cents = parseCents(v.discountAmount.amount);
    if (cents === undefined || cents <= 0) {
      errors.add(
        ["customerGets", "value", "discountAmount", "amount"],
        "GREATER_THAN",
        "Amount must be greater than 0",
      );
    } else
      value = { kind: "amount", amountCents: cents, appliesOnEachItem: v.discountAmount.appliesOnEachItem ?? false };
  }

  let items: DiscountItemsRecord | null = null;
  const i = gets.items;
  const chosen = [i?.all ? "all" : null, i?.products ? "products" : null, i?.collections ? "collections" : null].filter(
    Boolean,
  );
  if (!i || chosen.length === 0) {
    errors.add(
      ["customerGets", "items"],
      "APPLIES_ON_NOTHING",
      "Items must apply to all items, products or collections",
    );
  } else if (chosen.length > 1) {
    errors.add(["customerGets", "items"], "INVALID", "Only one of all, products or collections can be provided");
  } else if (i.all) {
    items = { kind: "all" };
  } else if (i.products) {
    const path = ["customerGets", "items", "products"];
    const productIds = existingIds(
      i.products.productsToAdd ?? [],
      "Product",
      (id) => store.products.has(id),
      errors,
      [...path, "productsToAdd"],
      "Product",
    );
    const variantIds = existingIds(
      i.products.productVariantsToAdd ?? [],
      "ProductVariant",
      (id) => store.variants.has(id),
      errors,
      [...path, "productVariantsToAdd"],
      "Product variant",
    );
    if ((i.products.productsToAdd ?? []).length + (i.products.productVariantsToAdd ?? []).length === 0) {
      errors.add(path, "APPLIES_ON_NOTHING", "Products must include at least one product or variant");
    }
    items = { kind: "products", productIds, variantIds };
  } else if (i.collections) {
    const path = ["customerGets", "items", "collections", "add"];
    const collectionIds = existingIds(
      i.collections.add ?? [],
      "Collection",
      (id) => store.collections.has(id),
      errors,
      path,
      "Collection",
    );
    if ((i.collections.add ?? []).length === 0) errors.add(path, "APPLIES_ON_NOTHING", "Collections can't be blank");
    items = { kind: "collections", collectionIds };
  }
  return { value, items };
}

function discountIdFrom(store: ShopStore, id: string): DiscountRecord | undefined {
  return store.discounts.get(idOf(id, "DiscountCodeNode") ?? "");
}

const notFound = [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }];

export function discountMutationFields(store: ShopStore): View {
  // The code is created in the calling app's name, as DiscountRedeemCode.createdBy shows it.
  const finish = (record: DiscountRecord, code: string, ctx: ResolverContext) => {
    store.discounts.set(record.id, record);
    store.addRedeemCode(record, code, ctx.app);
    return { codeDiscountNode: codeDiscountNodeView(store, record), userErrors: [] };
  };
  return {
    discountCodeBasicCreate: (args: { basicCodeDiscount: BasicInput }, ctx: ResolverContext) => {
      const errors = new Errors("basicCodeDiscount");
      const { base, code } = validateCommon(store, args.basicCodeDiscount, errors);
      const { value, items } = validateCustomerGets(store, args.basicCodeDiscount, errors);
      if (errors.list.length > 0) return { codeDiscountNode: null, userErrors: errors.list };
      const gets = args.basicCodeDiscount.customerGets;
      return finish(
        {
          ...base,
          id: store.ids.next(),
          kind: "basic",
          value,
          items,
          appliesOnOneTimePurchase: gets?.appliesOnOneTimePurchase ?? true,
          appliesOnSubscription: gets?.appliesOnSubscription ?? false,
          destination: null,
          maximumShippingPriceCents: null,
        },
        code,
        ctx,
      );
    },
    discountCodeFreeShippingCreate: (args: { freeShippingCodeDiscount: FreeShippingInput }, ctx: ResolverContext) => {
      const input = args.freeShippingCodeDiscount;
      const errors = new Errors("freeShippingCodeDiscount");
      const { base, code } = validateCommon(store, input, errors);
      let maximumShippingPriceCents: number | null = null;
      if (input.maximumShippingPrice !== undefined && input.maximumShippingPrice !== null) {
        const cents = parseCents(input.maximumShippingPrice);
        if (cents === undefined || cents < 0) {
          errors.add(
            ["maximumShippingPrice"],
            "GREATER_THAN_OR_EQUAL_TO",
            "Maximum shipping price must be greater than or equal to 0",
          );
        } else maximumShippingPriceCents = cents;
      }
      const countries = input.destination?.countries;
      if (countries && input.destination?.all) {
        errors.add(["destination"], "INVALID", "Only one of all or countries can be provided");
      } else if (countries && (countries.add ?? []).length === 0) {
        errors.add(["destination", "countries", "add"], "BLANK", "Countries can't be blank");
      }
      if (errors.list.length > 0) return { codeDiscountNode: null, userErrors: errors.list };
      return finish(
        {
          ...base,
          id: store.ids.next(),
          kind: "freeShipping",
          value: null,
          items: null,
          destination: countries
            ? {
                kind: "countries",
                countries: countries.add ?? [],
                includeRestOfWorld: countries.includeRestOfWorld ?? false,
              }
            : { kind: "all" },
          maximumShippingPriceCents,
        },
        code,
        ctx,
      );
    },
    discountCodeDeactivate: (args: { id: string }) => {
      const d = discountIdFrom(store, args.id);
      if (!d) return { codeDiscountNode: null, userErrors: notFound };
      const now = store.nowIso();
      if (store.discountStatus(d) !== "EXPIRED") {
        // Shopify ends the discount now; a scheduled one is also "started" now so the dates stay ordered.
        if (Date.parse(d.startsAt) > store.now()) d.startsAt = now;
        d.endsAt = now;
        d.updatedAt = now;
      }
      return { codeDiscountNode: codeDiscountNodeView(store, d), userErrors: [] };
    },
    discountCodeActivate: (args: { id: string }) => {
      const d = discountIdFrom(store, args.id);
      if (!d) return { codeDiscountNode: null, userErrors: notFound };
      const now = store.nowIso();
      if (store.discountStatus(d) !== "ACTIVE") {
        if (Date.parse(d.startsAt) > store.now()) d.startsAt = now;
        d.endsAt = null;
        d.updatedAt = now;
      }
      return { codeDiscountNode: codeDiscountNodeView(store, d), userErrors: [] };
    },
    discountCodeDelete: (args: { id: string }) => {
      const d = discountIdFrom(store, args.id);
      if (!d) return { deletedCodeDiscountId: null, userErrors: notFound };
      store.deleteDiscount(d.id);
      return { deletedCodeDiscountId: gid("DiscountCodeNode", d.id), userErrors: [] };
    },
  };
}
