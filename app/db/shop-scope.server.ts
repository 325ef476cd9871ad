// Every domain row belongs to a shop. Services receive a ShopDb, a Prisma client extended so that every read,
// update and delete is filtered by shop_id and every create is stamped with it. A service cannot forget the
// filter, and one shop can never read or change another's rows through it. Raw SQL is the one escape hatch:
// each raw query in app/services names shop_id explicitly, and test/integration/shop-isolation proves it.
import { Prisma, type PrismaClient } from "@prisma/client";
import { prisma } from "../db.server";

/** Models that carry shop_id. Shop is scoped by its own id; Session belongs to the Shopify package. */
const SHOP_OWNED = new Set<string>([
  "ApiKey",
  "Pool",
  "Code",
  "Issuance",
  "CodeImport",
  "Customer",
  "Visitor",
  "Order",
  "Event",
  "Segment",
  "SegmentMembership",
  "SegmentTransition",
  "Campaign",
  "Scenario",
  "Task",
  "MessageTemplate",
  "Message",
  "Redemption",
  "OrderRefund",
  "JobFailure",
  "PlatformConnection",
  "Product",
  "DataRequest",
  "SegmentRequest",
  "SegmentRecheck",
  "ChannelSettings",
  "Review",
  "MerchantAccount",
  "MerchantToken",
  "BulkActionRun",
]);

const WHERE_OPERATIONS = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "delete",
  "deleteMany",
]);

type Args = Record<string, unknown> & { where?: Record<string, unknown>; data?: unknown; create?: unknown; update?: unknown };

/** Each model's relation fields (`shop`, `codes`, `customer`...), from the generated client's data model. */
const RELATIONS = new Map(
  Prisma.dmmf.datamodel.models.map((m) => [m.name, new Set(m.fields.filter((f) => f.kind === "object").map((f) => f.name))]),
);

/**
 * Refuses relation writes in a write's data: a nested create, connect or update reaches rows this client neither
 * stamps nor filters (`shop: { connect }` moves a row to another shop; `issuances: { connect: { id } }` takes
 * another shop's row by its id). Each row is written through its own model's delegate instead, which does both.
 */
function refuseRelationWrites(model: string, data: unknown): void {
  const relations = RELATIONS.get(model);
  if (!relations || !data || typeof data !== "object") return;
  for (const record of Array.isArray(data) ? data : [data]) {
    if (!record || typeof record !== "object") continue;
    for (const key of Object.keys(record as object)) {
      if (!relations.has(key)) continue;
      throw new ShopScopeError(
        key === "shop"
          ? "Connect a shop-owned row through shopId, never a nested shop relation"
          : `Write ${model}.${key} through its own model, not as a nested relation write: this client does not scope nested writes`,
      );
    }
  }
}

function stamp(model: string, data: unknown, shopId: string): unknown {
  if (Array.isArray(data)) return data.map((d) => stamp(model, d, shopId));
  if (data && typeof data === "object") {
    const record = data as Record<string, unknown>;
    refuseRelationWrites(model, record);
    if (record.shopId !== undefined && record.shopId !== shopId) {
      throw new ShopScopeError("A row for another shop cannot be written through this shop's client");
    }
    return { ...record, shopId };
  }
  return data;
}

function refuseMove(model: string, data: unknown): void {
  refuseRelationWrites(model, data);
  if (data && typeof data === "object" && "shopId" in (data as object)) {
    throw new ShopScopeError("A row cannot be moved to another shop");
  }
}

export class ShopScopeError extends Error {
  override name = "ShopScopeError";
}

/** Applies the shop filter to one operation's arguments. Exported for its unit test. */
export function scopeArgs(model: string, operation: string, args: Args, shopId: string): Args {
  const key = model === "Shop" ? "id" : "shopId";
  if (model !== "Shop" && !SHOP_OWNED.has(model)) return args;
  const next: Args = { ...args };
  if (WHERE_OPERATIONS.has(operation)) {
    next.where = { ...(args.where ?? {}), [key]: shopId };
  }
  if (model === "Shop") {
    if (operation.startsWith("create") || operation === "upsert") {
      throw new ShopScopeError("Shops are created by the install flow, not through a shop-scoped client");
    }
    if (operation.startsWith("update")) refuseRelationWrites(model, args.data);
    return next;
  }
  switch (operation) {
    case "create":
    case "createMany":
    case "createManyAndReturn":
      next.data = stamp(model, args.data, shopId);
      break;
    case "upsert":
      next.where = { ...(args.where ?? {}), shopId };
      next.create = stamp(model, args.create, shopId);
      refuseMove(model, args.update);
      break;
    case "update":
    case "updateMany":
    case "updateManyAndReturn":
      refuseMove(model, args.data);
      break;
  }
  return next;
}

export function forShop(shopId: string, client: PrismaClient = prisma) {
  if (!shopId) throw new ShopScopeError("forShop() needs a shop id");
  return client.$extends({
    name: `shop:${shopId}`,
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          return query(scopeArgs(model, operation, args as Args, shopId) as typeof args);
        },
      },
    },
  });
}

export type ShopDb = ReturnType<typeof forShop>;
export type ShopTx = Omit<ShopDb, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
export type { Prisma };
