/**
 * Metafields on any modelled owner (customers above all: the app stores its
 * per-customer promo state there). `metafieldsSet` is atomic like Shopify's:
 * one bad entry and nothing is written.
 */
import { createHash } from "node:crypto";
import { gid, parseGid } from "../ids";
import type { MetafieldOwnerType, MetafieldRecord, ShopStore } from "../store";
import { connection, sortBy, type PageArgs } from "./connection";
import { notModelled, type ResolverContext, type View } from "./context";
import { nodeByGid } from "./nodes";

export const MAX_METAFIELDS_PER_SET = 25;
const JSON_VALUE_LIMIT_BYTES = 128 * 1024;

const OWNER_TYPES: Readonly<Record<string, MetafieldOwnerType>> = {
  Customer: "CUSTOMER",
  Product: "PRODUCT",
  ProductVariant: "PRODUCTVARIANT",
  Collection: "COLLECTION",
  Order: "ORDER",
  Shop: "SHOP",
  DiscountCodeNode: "DISCOUNT",
  DiscountNode: "DISCOUNT",
};

/** `$app` namespaces resolve to the calling app's reserved namespace. */
export function resolveNamespace(namespace: string | null | undefined, appId: string): string {
  if (namespace === null || namespace === undefined || namespace === "" || namespace === "$app") return `app--${appId}`;
  if (namespace.startsWith("$app:")) return `app--${appId}--${namespace.slice("$app:".length)}`;
  return namespace;
}

function digest(record: MetafieldRecord): string {
  return createHash("sha256").update(`${record.id}|${record.value}|${record.updatedAt}`).digest("hex");
}

function jsonValue(record: MetafieldRecord): unknown {
  switch (record.type) {
    case "number_integer":
      return Number(record.value);
    case "number_decimal":
      return record.value;
    case "boolean":
      return record.value === "true";
    default:
      if (record.type === "json" || record.type.startsWith("list.")) return JSON.parse(record.value) as unknown;
      return record.value;
  }
}

export function metafieldView(store: ShopStore, record: MetafieldRecord): View {
  return {
    __typename: "Metafield",
    id: gid("Metafield", record.id),
    legacyResourceId: record.id,
    namespace: record.namespace,
    key: record.key,
    value: record.value,
    type: record.type,
    jsonValue: () => jsonValue(record),
    description: null,
    ownerType: record.ownerType,
    owner: () => nodeByGid(store, record.ownerGid),
    compareDigest: digest(record),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** `metafield(namespace, key)` and `metafields(...)` for an owner view. */
export function metafieldFields(store: ShopStore, ownerGid: string): View {
  return {
    metafield: (args: { namespace?: string | null; key: string }, ctx: ResolverContext) => {
      const found = store.findMetafield(ownerGid, resolveNamespace(args.namespace, ctx.appId), args.key);
      return found ? metafieldView(store, found) : null;
    },
    metafields: (args: PageArgs & { namespace?: string | null; keys?: string[] | null }, ctx: ResolverContext) => {
      let records = store.metafieldsOf(ownerGid);
      if (args.namespace !== undefined && args.namespace !== null) {
        const ns = resolveNamespace(args.namespace, ctx.appId);
        records = records.filter((m) => m.namespace === ns);
      }
      if (args.keys) {
        // keys are "namespace.key"
        const wanted = new Set(
          args.keys.map((k) => {
            const dot = k.lastIndexOf(".");
            return `${resolveNamespace(k.slice(0, dot), ctx.appId)}.${k.slice(dot + 1)}`;
          }),
        );
        records = records.filter((m) => wanted.has(`${m.namespace}.${m.key}`));
      }
      return connection(
        sortBy(records, () => 0),
        args,
        (m) => m.id,
        (m) => metafieldView(store, m),
      );
    },
  };
}

/** One gid per owner: query strings dropped, DiscountNode folded into DiscountCodeNode. */
export function canonicalOwnerGid(value: string): string | undefined {
  const parsed = parseGid(value);
  if (!parsed) return undefined;
  return gid(parsed.type === "DiscountNode" ? "DiscountCodeNode" : parsed.type, parsed.id);
}

/** Whether `ownerGid` names an existing record this simulator can hang metafields on. */
export function metafieldOwnerType(store: ShopStore, ownerGid: string): MetafieldOwnerType | undefined {
  const parsed = parseGid(ownerGid);
  if (!parsed) return undefined;
  const ownerType = OWNER_TYPES[parsed.type];
  if (!ownerType) return undefined;
  return nodeByGid(store, gid(parsed.type, parsed.id)) ? ownerType : undefined;
}

function validateValue(type: string, value: string): string | undefined {
  const single = (base: string, v: string): string | undefined => {
    switch (base) {
      case "single_line_text_field":
        return /[\r\n]/.test(v) ? "Value must be a single line text string." : undefined;
      case "multi_line_text_field":
        return undefined;
      case "number_integer":
        return /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 9007199254740991 ? undefined : "Value must be an integer.";
      case "number_decimal":
        return /^-?\d+(\.\d+)?$/.test(v) ? undefined : "Value must be a decimal.";
      case "boolean":
        return v === "true" || v === "false" ? undefined : "Value must be true or false.";
      case "date":
        return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))
          ? undefined
          : "Value must be in YYYY-MM-DD format.";
      case "date_time":
        return Number.isNaN(Date.parse(v)) ? "Value must be in ISO 8601 date and time format." : undefined;
      case "url":
        return /^(https?|mailto|sms|tel):/.test(v) ? undefined : "Value must be a valid URL.";
      case "color":
        return /^#[0-9a-fA-F]{6}$/.test(v) ? undefined : "Value must be a hex color code.";
      case "json":
        if (Buffer.byteLength(v, "utf8") > JSON_VALUE_LIMIT_BYTES)
          return "Value exceeds the 128KB limit for json metafields.";
        try {
          JSON.parse(v);
          return undefined;
        } catch {
          return "Value is invalid JSON.";
        }
      default:
        throw notModelled(`metafield type ${type}`);
    }
  };
  if (type.startsWith("list.")) {
    let items: unknown;
    try {
      items = JSON.parse(value);
    } catch {
      return "Value must be a JSON array.";
    }
    if (!Array.isArray(items)) return "Value must be a JSON array.";
    for (const item of items) {
      const problem = single(type.slice(5), typeof item === "string" ? item : JSON.stringify(item));
      if (problem) return problem;
    }
    return undefined;
  }
  return single(type, value);
}

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

interface SetError {
  field: string[];
  message: string;
  code: string;
  elementIndex: number | null;
}

export function metafieldMutationFields(store: ShopStore): View {
  return {
    metafieldsSet: (args: { metafields: SetInput[] }, ctx: ResolverContext) => {
      const errors: SetError[] = [];
      if (args.metafields.length > MAX_METAFIELDS_PER_SET) {
        errors.push({
          field: ["metafields"],
          message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`,
          code: "LESS_THAN_OR_EQUAL_TO",
          elementIndex: null,
        });
        return { metafields: [], userErrors: errors };
      }
      const planned: {
        input: SetInput;
        namespace: string;
        ownerType: MetafieldOwnerType;
        existing?: MetafieldRecord;
      }[] = [];
      args.metafields.forEach((input, index) => {
        const at = (field: string): string[] => ["metafields", String(index), field];
        const fail = (field: string, code: string, message: string) =>
          errors.push({ field: at(field), message, code, elementIndex: null });
        const ownerGid = canonicalOwnerGid(input.ownerId);
        const ownerType = ownerGid === undefined ? undefined : metafieldOwnerType(store, ownerGid);
        if (!ownerType || ownerGid === undefined) return fail("ownerId", "INVALID", "Owner does not exist.");
        const namespace = resolveNamespace(input.namespace, ctx.appId);
        if (namespace.length < 3)
          return fail("namespace", "TOO_SHORT", "Namespace is too short (minimum is 3 characters)");
        if (namespace.length > 255)
          return fail("namespace", "TOO_LONG", "Namespace is too long (maximum is 255 characters)");
        if (input.key.length < 2) return fail("key", "TOO_SHORT", "Key is too short (minimum is 2 characters)");
        if (input.key.length > 64) return fail("key", "TOO_LONG", "Key is too long (maximum is 64 characters)");
        if (!/^[A-Za-z0-9_-]+$/.test(input.key)) {
          return fail("key", "INVALID", "Key contains one or more invalid characters.");
        }
        const existing = store.findMetafield(ownerGid, namespace, input.key);
        const type = input.type ?? existing?.type;
        if (!type) return fail("type", "BLANK", "Type can't be blank");
        if (existing && input.type && input.type !== existing.type) {
          return fail(
            "type",
            "INVALID_TYPE",
            `Type must be the same as the existing metafield type: ${existing.type}.`,
          );
        }
        const problem = validateValue(type, input.value);
        if (problem) return fail("value", "INVALID_VALUE", problem);
        if (input.compareDigest !== undefined) {
          const current = existing ? digest(existing) : null;
          if (input.compareDigest !== current) {
            return fail(
              "compareDigest",
              "STALE_OBJECT",
              "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
            );
          }
        }
        planned.push({
          input: { ...input, ownerId: ownerGid, type },
          namespace,
          ownerType,
          ...(existing ? { existing } : {}),
        });
        return undefined;
      });
      if (errors.length > 0) return { metafields: [], userErrors: errors };
      const now = store.nowIso();
      const written = planned.map(({ input, namespace, ownerType, existing }) => {
        if (existing) {
          existing.value = input.value;
          existing.updatedAt = now;
          return existing;
        }
        const record: MetafieldRecord = {
          id: store.ids.next(),
          ownerGid: input.ownerId,
          ownerType,
          namespace,
          key: input.key,
          type: input.type ?? "single_line_text_field",
          value: input.value,
          createdAt: now,
          updatedAt: now,
        };
        store.metafields.set(record.id, record);
        return record;
      });
      return { metafields: written.map((r) => metafieldView(store, r)), userErrors: [] };
    },
    metafieldsDelete: (
      args: { metafields: { ownerId: string; namespace: string; key: string }[] },
      ctx: ResolverContext,
    ) => {
      const deleted = args.metafields.map((input) => {
        const namespace = resolveNamespace(input.namespace, ctx.appId);
        const ownerGid = canonicalOwnerGid(input.ownerId);
        const existing = ownerGid === undefined ? undefined : store.findMetafield(ownerGid, namespace, input.key);
        if (!existing) return null;
        store.metafields.delete(existing.id);
        return { __typename: "MetafieldIdentifier", ownerId: input.ownerId, namespace, key: input.key };
      });
      return { deletedMetafields: deleted, userErrors: [] };
    },
  };
}
