// Every domain row belongs to a shop. Services receive a ShopDb, a Prisma client extended so that every read,
// update and delete is filtered by shop_id and every create is stamped with it. A service cannot forget the
// filter, and one shop can never read or change another's rows through it. Raw SQL is the one escape hatch:
// each raw query in app/services names shop_id explicitly, and test/integration/shop-isolation proves it.
import type { Prisma, PrismaClient } from "@prisma/client";
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

type Args = Record<string, unknown> & { where?: Record<string, unknown>; data?: unknown; create?: unknown };

function stamp(data: unknown, shopId: string): unknown {
  if (Array.isArray(data)) return data.map((d) => stamp(d, shopId));
  if (data && typeof data === "object") {
    const record = data as Record<string, unknown>;
    if ("shop" in record) {
      throw new ShopScopeError("Connect a shop-owned row through shopId, never a nested shop relation");
    }
    if (record.shopId !== undefined && record.shopId !== shopId) {
      throw new ShopScopeError("A row for another shop cannot be written through this shop's client");
    }
    return { ...record, shopId };
  }
  return data;
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
    return next;
  }
  switch (operation) {
    case "create":
    case "createMany":
    case "createManyAndReturn":
      next.data = stamp(args.data, shopId);
      break;
    case "upsert":
      next.where = { ...(args.where ?? {}), shopId };
      next.create = stamp(args.create, shopId);
      break;
    case "update":
    case "updateMany":
    case "updateManyAndReturn":
      if (args.data && typeof args.data === "object" && "shopId" in (args.data as object)) {
        throw new ShopScopeError("A row cannot be moved to another shop");
      }
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
