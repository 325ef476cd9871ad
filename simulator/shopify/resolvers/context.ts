/**
 * Shared resolver plumbing. The schema is a client schema (no resolvers), so
 * every value the simulator returns is a "view": a plain object whose
 * properties are field values or functions `(args, ctx, info) => value`.
 *
 * The field resolver makes gaps loud: a field a view does not define
 * resolves to null when the schema allows it, and otherwise fails with
 * "simulator does not model Type.field". Root fields (queries and mutations)
 * are always loud, because a silent null from an unmodelled mutation would
 * look like success.
 */
import {
  GraphQLError,
  isNonNullType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
} from "graphql";
import type { SimulatedCloudStorage } from "../cloud-storage";
import type { ShopStore } from "../store";
import type { AppIdentity } from "./shop";
import { gid } from "../ids";
import { enforceScopes } from "../scopes";

export interface BulkCodeTiming {
  readonly startDelayMs: number;
  readonly codesPerSecond: number;
}

export interface ResolverContext {
  readonly store: ShopStore;
  readonly bulkTiming: BulkCodeTiming;
  /** The app installation the request comes from (`$app` namespaces, pixels). */
  readonly appId: string;
  /** The same app in full: what `createdBy` of the codes it creates shows. */
  readonly app: AppIdentity;
  /** Granted access scopes; undefined grants everything. */
  readonly scopes: ReadonlySet<string> | undefined;
  /** Where staged uploads and bulk operation results live. */
  readonly storage: SimulatedCloudStorage;
  /** Largest file a staged upload target accepts (Shopify: 100 MB). */
  readonly stagedUploadMaxBytes: number;
}

export type FieldFn<TArgs = Record<string, unknown>> = (
  args: TArgs,
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
) => unknown;

/** A view: field name → value or resolver function. */
export type View = Record<string, unknown>;

export const NOT_MODELLED_CODE = "SIMULATOR_NOT_MODELLED";

export function notModelled(what: string): GraphQLError {
  return new GraphQLError(`simulator does not model ${what}`, { extensions: { code: NOT_MODELLED_CODE } });
}

/** A top-level GraphQL error the way Shopify reports argument problems. */
export function argumentError(message: string, code = "BAD_REQUEST"): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  if (ctx.scopes) enforceScopes(info, ctx.scopes);
  if (isRecord(source) && Object.prototype.hasOwnProperty.call(source, info.fieldName)) {
    const value = source[info.fieldName];
    if (typeof value === "function") return (value as FieldFn)(args, ctx, info);
    if (value !== undefined) return value;
  }
  const isRoot = info.parentType === info.schema.getQueryType() || info.parentType === info.schema.getMutationType();
  if (isRoot || isNonNullType(info.returnType)) throw notModelled(`${info.parentType.name}.${info.fieldName}`);
  return null;
};

export const typeResolver: GraphQLTypeResolver<unknown, ResolverContext> = (value, _ctx, info, abstractType) => {
  if (isRecord(value) && typeof value["__typename"] === "string") return value["__typename"];
  throw new GraphQLError(
    `simulator returned a value without __typename for abstract type ${abstractType.name} at ${info.parentType.name}.${info.fieldName}`,
  );
};

// ---- money and dates ---------------------------------------------------

/** Shopify's Decimal rendering: "10.0", "19.99", "5.5". */
export function decimal(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const whole = Math.floor(abs / 100);
  const fraction = abs % 100;
  let text: string;
  if (fraction === 0) text = `${whole}.0`;
  else if (fraction % 10 === 0) text = `${whole}.${fraction / 10}`;
  else text = `${whole}.${String(fraction).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** Parses a Decimal/Money input ("10", "10.5", 10.5) into cents; undefined when not a number. */
export function parseCents(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.round(value * 100);
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 100);
  return undefined;
}

export function moneyV2(cents: number, currencyCode: string): View {
  return { __typename: "MoneyV2", amount: decimal(cents), currencyCode };
}

export function moneyBag(cents: number, currencyCode: string): View {
  return {
    __typename: "MoneyBag",
    shopMoney: moneyV2(cents, currencyCode),
    presentmentMoney: moneyV2(cents, currencyCode),
  };
}

export function count(n: number, limit?: number | null): View {
  if (typeof limit === "number" && limit >= 0 && n > limit)
    return { __typename: "Count", count: limit, precision: "AT_LEAST" };
  return { __typename: "Count", count: n, precision: "EXACT" };
}

export function shopGid(store: ShopStore): string {
  return gid("Shop", store.shopId);
}

/** Parses a DateTime input; undefined when it is not a date Shopify would accept. */
export function parseDateInput(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Shopify tags: trimmed, de-duplicated case-insensitively, comma-separated strings split. */
export function normaliseTags(input: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of input) {
    for (const part of raw.split(",")) {
      const tag = part.trim();
      if (!tag || seen.has(tag.toLowerCase())) continue;
      seen.add(tag.toLowerCase());
      out.push(tag);
    }
  }
  return out;
}
