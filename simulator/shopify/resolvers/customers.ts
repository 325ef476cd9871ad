/**
 * Customers (the app segments them and targets codes at them), plus the
 * mutations it uses on them: `customerUpdate`, `tagsAdd`, `tagsRemove`.
 */
import { gid, idOf, parseGid } from "../ids";
import type { CustomerRecord, ShopStore } from "../store";
import { connection, sortBy, type PageArgs } from "./connection";
import { count, moneyV2, normaliseTags, type ResolverContext, type View } from "./context";
import { metafieldFields, metafieldMutationFields } from "./metafields";
import { nodeByGid } from "./nodes";
import { orderSearch, orderView, sortOrders } from "./orders";
import { applySearch, type SearchSpec } from "./search";

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

const MAX_TAG_LENGTH = 255;
const MAX_TAGS = 250;

export function customerView(store: ShopStore, customer: CustomerRecord): View {
  const ownerGid = gid("Customer", customer.id);
  const consent = customer.emailMarketing;
  const orders = () => store.ordersOfCustomer(customer.id);
  return {
    __typename: "Customer",
    id: ownerGid,
    legacyResourceId: customer.id,
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName:
      [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || customer.phone || "",
    phone: customer.phone,
    note: customer.note,
    tags: [...customer.tags],
    state: customer.state,
    verifiedEmail: customer.verifiedEmail,
    validEmailAddress: customer.email !== null,
    locale: "en",
    taxExempt: false,
    canDelete: customer.numberOfOrders === 0,
    numberOfOrders: String(customer.numberOfOrders),
    amountSpent: moneyV2(customer.amountSpentCents, store.profile.currencyCode),
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    emailMarketingConsent:
      customer.email === null
        ? null
        : {
            __typename: "CustomerEmailMarketingConsentState",
            marketingState: consent.marketingState,
            marketingOptInLevel: consent.marketingOptInLevel,
            consentUpdatedAt: consent.consentUpdatedAt,
            sourceLocation: null,
          },
    defaultEmailAddress:
      customer.email === null
        ? null
        : {
            __typename: "CustomerEmailAddress",
            emailAddress: customer.email,
            marketingState: consent.marketingState === "REDACTED" ? "UNSUBSCRIBED" : consent.marketingState,
            marketingOptInLevel: consent.marketingOptInLevel,
            marketingUpdatedAt: consent.consentUpdatedAt,
            validFormat: true,
            sourceLocation: null,
          },
    defaultPhoneNumber:
      customer.phone === null
        ? null
        : {
            __typename: "CustomerPhoneNumber",
            phoneNumber: customer.phone,
            marketingState: "NOT_SUBSCRIBED",
            marketingOptInLevel: null,
            marketingUpdatedAt: null,
            marketingCollectedFrom: null,
            sourceLocation: null,
          },
    orders: (args: ListArgs) =>
      connection(
        sortOrders(applySearch(orderSearch, orders(), args.query), args.sortKey),
        args,
        (o) => o.id,
        (o) => orderView(store, o),
      ),
    lastOrder: () => {
      const list = sortOrders(orders(), "PROCESSED_AT");
      const last = list[list.length - 1];
      return last ? orderView(store, last) : null;
    },
    ...metafieldFields(store, ownerGid),
  };
}

export const customerSearch: SearchSpec<CustomerRecord> = {
  resource: "customers",
  defaultFields: ["first_name", "last_name", "email", "phone"],
  fields: {
    id: { kind: "id", get: (c) => c.id },
    email: { kind: "keyword", get: (c) => c.email },
    first_name: { kind: "text", get: (c) => c.firstName },
    last_name: { kind: "text", get: (c) => c.lastName },
    phone: { kind: "keyword", get: (c) => c.phone },
    state: { kind: "keyword", get: (c) => c.state },
    tag: { kind: "keyword", get: (c) => c.tags },
    orders_count: { kind: "number", get: (c) => c.numberOfOrders },
    total_spent: { kind: "number", get: (c) => c.amountSpentCents / 100 },
    accepts_marketing: { kind: "boolean", get: (c) => c.emailMarketing.marketingState === "SUBSCRIBED" },
    customer_date: { kind: "date", get: (c) => c.createdAt },
    created_at: { kind: "date", get: (c) => c.createdAt },
    updated_at: { kind: "date", get: (c) => c.updatedAt },
  },
};

function searchCustomers(store: ShopStore, query: string | null | undefined): CustomerRecord[] {
  // `tag_not:x` is Shopify's spelling of `-tag:x`.
  const rewritten = query?.replace(/(^|\s)tag_not:/g, "$1-tag:");
  return applySearch(customerSearch, [...store.customers.values()], rewritten);
}

function sortCustomers(records: readonly CustomerRecord[], sortKey: string | null | undefined): CustomerRecord[] {
  switch (sortKey ?? "ID") {
    case "CREATED_AT":
      return sortBy(records, (c) => c.createdAt);
    case "UPDATED_AT":
      return sortBy(records, (c) => c.updatedAt);
    case "NAME":
      return sortBy(records, (c) => `${c.firstName ?? ""} ${c.lastName ?? ""}`.toLowerCase());
    default:
      return sortBy(records, () => 0);
  }
}

export function customerQueryFields(store: ShopStore): View {
  return {
    customers: (args: ListArgs) =>
      connection(
        sortCustomers(searchCustomers(store, args.query), args.sortKey),
        args,
        (c) => c.id,
        (c) => customerView(store, c),
      ),
    customersCount: (args: { query?: string | null; limit?: number | null }) =>
      count(searchCustomers(store, args.query).length, args.limit ?? 10000),
    customer: (args: { id: string }) => {
      const customer = store.customers.get(idOf(args.id, "Customer") ?? "");
      return customer ? customerView(store, customer) : null;
    },
  };
}

interface UserError {
  field: string[] | null;
  message: string;
}

function tagErrors(tags: readonly string[]): UserError[] {
  const tooLong = tags.find((t) => t.length > MAX_TAG_LENGTH);
  return tooLong ? [{ field: ["tags"], message: `Tag is too long (maximum is ${MAX_TAG_LENGTH} characters)` }] : [];
}

/** Taggable records this simulator models. */
function taggable(store: ShopStore, id: string): { tags: string[]; updatedAt: string } | undefined {
  const parsed = parseGid(id);
  if (!parsed) return undefined;
  switch (parsed.type) {
    case "Customer":
      return store.customers.get(parsed.id);
    case "Order":
      return store.orders.get(parsed.id);
    case "Product":
      return store.products.get(parsed.id);
    default:
      return undefined;
  }
}

interface CustomerInput {
  id?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  note?: string | null;
  phone?: string | null;
  tags?: string[] | null;
  emailMarketingConsent?: unknown;
  metafields?:
    | {
        id?: string | null;
        namespace?: string | null;
        key?: string | null;
        type?: string | null;
        value?: string | null;
      }[]
    | null;
}

export function customerMutationFields(store: ShopStore): View {
  const metafieldMutations = metafieldMutationFields(store);
  return {
    customerUpdate: (args: { input: CustomerInput }, ctx: ResolverContext, info: unknown) => {
      const input = args.input;
      const customer = store.customers.get(idOf(input.id, "Customer") ?? "");
      if (!customer) return { customer: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
      const errors: UserError[] = [];
      if (input.emailMarketingConsent !== undefined) {
        errors.push({
          field: ["emailMarketingConsent"],
          message:
            "To update emailMarketingConsent, please use the customerEmailMarketingConsentUpdate Mutation instead",
        });
      }
      if (input.email !== undefined && input.email !== null) {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email))
          errors.push({ field: ["email"], message: "Email is invalid" });
        const other = [...store.customers.values()].find(
          (c) => c.id !== customer.id && c.email?.toLowerCase() === input.email?.toLowerCase(),
        );
        if (other) errors.push({ field: ["email"], message: "Email has already been taken" });
      }
      const tags = input.tags ? normaliseTags(input.tags) : undefined;
      if (tags) errors.push(...tagErrors(tags));
      if (tags && tags.length > MAX_TAGS)
        errors.push({ field: ["tags"], message: `Tags exceeds the maximum of ${MAX_TAGS}` });
      if (errors.length > 0) return { customer: customerView(store, customer), userErrors: errors };
      if (input.metafields && input.metafields.length > 0) {
        const result = (
          metafieldMutations["metafieldsSet"] as (
            a: unknown,
            c: ResolverContext,
            i: unknown,
          ) => {
            userErrors: { field: string[]; message: string }[];
          }
        )(
          {
            metafields: input.metafields.map((m) => ({
              ownerId: gid("Customer", customer.id),
              namespace: m.namespace,
              key: m.key ?? "",
              type: m.type,
              value: m.value ?? "",
            })),
          },
          ctx,
          info,
        );
        if (result.userErrors.length > 0) {
          return {
            customer: customerView(store, customer),
            userErrors: result.userErrors.map((e) => ({ field: e.field, message: e.message })),
          };
        }
      }
      if (input.email !== undefined) customer.email = input.email;
      if (input.firstName !== undefined) customer.firstName = input.firstName;
      if (input.lastName !== undefined) customer.lastName = input.lastName;
      if (input.note !== undefined) customer.note = input.note;
      if (input.phone !== undefined) customer.phone = input.phone;
      if (tags) customer.tags = tags;
      customer.updatedAt = store.nowIso();
      return { customer: customerView(store, customer), userErrors: [] };
    },
    tagsAdd: (args: { id: string; tags: string[] }) => {
      const target = taggable(store, args.id);
      if (!target) return { node: null, userErrors: [{ field: ["id"], message: "Node does not exist" }] };
      const added = normaliseTags(args.tags);
      const errors = tagErrors(added);
      const merged = normaliseTags([...target.tags, ...added]);
      if (merged.length > MAX_TAGS)
        errors.push({ field: ["tags"], message: `Tags exceeds the maximum of ${MAX_TAGS}` });
      if (errors.length > 0) return { node: nodeByGid(store, args.id), userErrors: errors };
      target.tags = merged;
      target.updatedAt = store.nowIso();
      return { node: nodeByGid(store, args.id), userErrors: [] };
    },
    tagsRemove: (args: { id: string; tags: string[] }) => {
      const target = taggable(store, args.id);
      if (!target) return { node: null, userErrors: [{ field: ["id"], message: "Node does not exist" }] };
      const removed = new Set(normaliseTags(args.tags).map((t) => t.toLowerCase()));
      target.tags = target.tags.filter((t) => !removed.has(t.toLowerCase()));
      target.updatedAt = store.nowIso();
      return { node: nodeByGid(store, args.id), userErrors: [] };
    },
  };
}
