// Segments: create, edit (a new version, recomputed for every customer), soft delete, and what the admin pages
// show: the list with member counts, a segment with a sample of its members, and the choices the rule builder
// offers (products, collections, vendors, types, pools, tags, order sources, delivery types from our tables).
import type { Prisma, Segment } from "@prisma/client";
import { z } from "zod";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import { DELIVERY_TYPES } from "../../domain/scenarios/scenario";
import { describeRules, type Names } from "../../domain/segments/describe";
import { checkTargetIds, parseRules, rulesKey, type Rules } from "../../domain/segments/rules";
import { enqueue } from "../../jobs/enqueue.server";
import { jobId } from "../../jobs/queues";
import { enqueueWithin } from "../webhooks.server";
import { forgetWatchedReasons } from "./triggers.server";

const Name = z.string().trim().min(1, "Give the segment a name").max(100, "Keep the name under 100 characters");

export interface SegmentInput {
  name: string;
  rules: unknown;
}

export type SegmentWriteResult =
  | { type: "saved"; segment: Segment; recompute: boolean }
  /** Field errors keyed "name" or by the path into the rules ("rules.groups.0.conditions.1.value"). */
  | { type: "invalid"; errors: Record<string, string> }
  | { type: "name_taken" }
  | { type: "not_found" };

async function validate(db: ShopDb, input: SegmentInput): Promise<{ name: string; rules: Rules } | { errors: Record<string, string> }> {
  const errors: Record<string, string> = {};
  const name = Name.safeParse(input.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? "Give the segment a name";
  const rules = parseRules(input.rules);
  if (!rules.ok) for (const e of rules.errors) errors[e.path ? `rules.${e.path}` : "rules"] ??= e.message;
  if (!name.success || !rules.ok) return { errors };
  const shop = await db.shop.findFirst({ select: { platform: true } });
  const targets = checkTargetIds(rules.rules, shop?.platform ?? "SHOPIFY");
  if ("errors" in targets) {
    for (const e of targets.errors) errors[`rules.${e.path}`] ??= e.message;
    return { errors };
  }
  return { name: name.data, rules: targets.rules };
}

const RECOMPUTE_ENQUEUE_TIMEOUT_MS = 1000;

/**
 * Asks the worker to evaluate every customer against this version. Never in the merchant's way: if Redis is away
 * the minute sweep asks again (segmentsAwaitingRecompute).
 */
export async function requestRecompute(shopId: string, segment: { id: string; version: number }): Promise<boolean> {
  return enqueueWithin(RECOMPUTE_ENQUEUE_TIMEOUT_MS, () =>
    enqueue(
      "segments",
      "recompute",
      { shopId, segmentId: segment.id, version: segment.version },
      { jobId: jobId("segment-recompute", segment.id, segment.version) },
    ),
  );
}

export async function createSegment(db: ShopDb, shopId: string, input: SegmentInput): Promise<SegmentWriteResult> {
  const valid = await validate(db, input);
  if ("errors" in valid) return { type: "invalid", errors: valid.errors };
  try {
    const segment = await db.segment.create({
      data: { shopId, name: valid.name, rules: valid.rules as Prisma.InputJsonValue },
    });
    forgetWatchedReasons(shopId);
    void requestRecompute(shopId, segment);
    return { type: "saved", segment, recompute: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "name_taken" };
    throw error;
  }
}

export async function updateSegment(
  db: ShopDb,
  shopId: string,
  segmentId: string,
  input: SegmentInput,
): Promise<SegmentWriteResult> {
  const valid = await validate(db, input);
  if ("errors" in valid) return { type: "invalid", errors: valid.errors };
  const existing = await db.segment.findFirst({ where: { id: segmentId, deletedAt: null }, select: { rules: true } });
  if (!existing) return { type: "not_found" };
  // Stored JSON comes back with its keys reordered: compare the trees, not their text.
  const stored = parseRules(existing.rules);
  const rulesChanged = !stored.ok || rulesKey(stored.rules) !== rulesKey(valid.rules);
  try {
    const segment = await db.$transaction(async (tx) => {
      if (rulesChanged) await tx.segmentRecheck.deleteMany({ where: { segmentId } });
      return tx.segment.update({
        where: { id: segmentId },
        data: {
          name: valid.name,
          ...(rulesChanged
            ? { rules: valid.rules as Prisma.InputJsonValue, version: { increment: 1 }, recomputedAt: null }
            : {}),
        },
      });
    });
    if (rulesChanged) {
      forgetWatchedReasons(shopId);
      void requestRecompute(shopId, segment);
    }
    return { type: "saved", segment, recompute: rulesChanged };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "name_taken" };
    throw error;
  }
}

/**
 * Deletes a segment: it disappears from the admin and from evaluation, its memberships go (no exits are recorded:
 * the segment itself is gone), its past transitions stay for the campaigns' history.
 */
export async function deleteSegment(
  db: ShopDb,
  segmentId: string,
): Promise<{ type: "deleted"; name: string } | { type: "not_found" }> {
  const segment = await db.segment.findFirst({
    where: { id: segmentId, deletedAt: null },
    select: { id: true, name: true },
  });
  if (!segment) return { type: "not_found" };
  await db.$transaction([
    db.segment.update({ where: { id: segmentId }, data: { deletedAt: new Date(), memberCount: 0 } }),
    db.segmentMembership.deleteMany({ where: { segmentId } }),
    db.segmentRecheck.deleteMany({ where: { segmentId } }),
  ]);
  return { type: "deleted", name: segment.name };
}

/** Segments created or edited whose recompute has not finished and was asked for over a minute ago. */
export async function segmentsAwaitingRecompute(db: ShopDb, now = new Date()) {
  return db.segment.findMany({
    where: { deletedAt: null, recomputedAt: null, updatedAt: { lt: new Date(now.getTime() - 60_000) } },
    select: { id: true, version: true },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface SegmentSummary {
  id: string;
  name: string;
  memberCount: number;
  description: string;
  /** Existing customers are still being evaluated against this version. */
  recomputing: boolean;
  valid: boolean;
  createdAt: Date;
  updatedAt: Date;
}

async function namesFor(db: ShopDb, rules: Rules[]): Promise<Names> {
  const poolIds = new Set<string>();
  const productIds = new Set<string>();
  for (const r of rules) {
    for (const g of r.groups) {
      for (const c of g.conditions) {
        if ("poolId" in c && c.poolId) poolIds.add(c.poolId);
        if (c.kind === "product_activity" && c.target.type === "products")
          for (const id of c.target.ids) productIds.add(id);
      }
    }
  }
  const [pools, products] = await Promise.all([
    poolIds.size
      ? db.pool.findMany({ where: { id: { in: [...poolIds] }, deletedAt: null }, select: { id: true, name: true } })
      : [],
    productIds.size
      ? db.product.findMany({
          where: { platformId: { in: [...productIds] } },
          select: { platformId: true, title: true },
        })
      : [],
  ]);
  return {
    pools: Object.fromEntries(pools.map((p) => [p.id, p.name])),
    products: Object.fromEntries(products.filter((p) => p.title).map((p) => [p.platformId, p.title!])),
  };
}

export async function listSegments(db: ShopDb): Promise<SegmentSummary[]> {
  const rows = await db.segment.findMany({ where: { deletedAt: null }, orderBy: { createdAt: "desc" } });
  const parsed = rows.map((r) => parseRules(r.rules));
  const names = await namesFor(
    db,
    parsed.flatMap((p) => (p.ok ? [p.rules] : [])),
  );
  return rows.map((r, i) => {
    const p = parsed[i]!;
    return {
      id: r.id,
      name: r.name,
      memberCount: r.memberCount,
      description: p.ok ? describeRules(p.rules, names) : "These rules can no longer be evaluated; edit them.",
      recomputing: r.recomputedAt === null,
      valid: p.ok,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

export async function getSegment(db: ShopDb, segmentId: string) {
  const row = await db.segment.findFirst({ where: { id: segmentId, deletedAt: null } });
  if (!row) return null;
  const parsed = parseRules(row.rules);
  const names = parsed.ok ? await namesFor(db, [parsed.rules]) : {};
  return {
    id: row.id,
    name: row.name,
    memberCount: row.memberCount,
    version: row.version,
    recomputing: row.recomputedAt === null,
    rules: parsed.ok ? parsed.rules : null,
    storedRules: row.rules,
    description: parsed.ok ? describeRules(parsed.rules, names) : "These rules can no longer be evaluated; edit them.",
    createdAt: row.createdAt,
  };
}

export interface SegmentLiveStatus {
  memberCount: number;
  recomputing: boolean;
  /** Customers waiting to be evaluated in this shop (any segment). */
  pending: number;
}

export async function segmentLiveStatus(db: ShopDb, segmentId: string): Promise<SegmentLiveStatus | null> {
  const [row, pending] = await Promise.all([
    db.segment.findFirst({
      where: { id: segmentId, deletedAt: null },
      select: { memberCount: true, recomputedAt: true },
    }),
    db.segmentRequest.count(),
  ]);
  if (!row) return null;
  return { memberCount: row.memberCount, recomputing: row.recomputedAt === null, pending };
}

export interface MemberSample {
  customerId: string;
  name: string;
  email: string | null;
  enteredAt: Date;
  expiresAt: Date | null;
  triggeredProducts: { id: string; title: string | null }[];
}

/** The most recent entries still in the segment. */
export async function segmentMembersSample(db: ShopDb, segmentId: string, take = 20): Promise<MemberSample[]> {
  const rows = await db.segmentMembership.findMany({
    where: { segmentId },
    orderBy: [{ enteredAt: "desc" }, { id: "asc" }],
    take,
    select: {
      enteredAt: true,
      expiresAt: true,
      triggeredProducts: true,
      customer: { select: { id: true, firstName: true, lastName: true, email: true, platformId: true } },
    },
  });
  const productIds = [
    ...new Set(rows.flatMap((r) => (Array.isArray(r.triggeredProducts) ? r.triggeredProducts.map(String) : []))),
  ];
  const products = productIds.length
    ? await db.product.findMany({
        where: { platformId: { in: productIds } },
        select: { platformId: true, title: true },
      })
    : [];
  const titles = new Map(products.map((p) => [p.platformId, p.title]));
  return rows.map((r) => {
    const name = [r.customer.firstName, r.customer.lastName].filter(Boolean).join(" ");
    return {
      customerId: r.customer.id,
      name: name || r.customer.email || r.customer.platformId,
      email: r.customer.email,
      enteredAt: r.enteredAt,
      expiresAt: r.expiresAt,
      triggeredProducts: (Array.isArray(r.triggeredProducts) ? r.triggeredProducts.map(String) : []).map((id) => ({
        id,
        title: titles.get(id) ?? null,
      })),
    };
  });
}

export interface RecentTransition {
  id: string;
  kind: "ENTER" | "EXIT";
  customerName: string;
  at: Date;
}

export async function recentTransitions(db: ShopDb, segmentId: string, take = 10): Promise<RecentTransition[]> {
  const rows = await db.segmentTransition.findMany({
    where: { segmentId },
    orderBy: { id: "desc" },
    take,
    select: {
      id: true,
      kind: true,
      createdAt: true,
      customer: { select: { firstName: true, lastName: true, email: true, platformId: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    kind: r.kind,
    customerName:
      [r.customer.firstName, r.customer.lastName].filter(Boolean).join(" ") ||
      r.customer.email ||
      r.customer.platformId,
    at: r.createdAt,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Builder choices

export interface BuilderOptions {
  products: { id: string; title: string }[];
  collections: { id: string; title: string }[];
  vendors: string[];
  productTypes: string[];
  pools: { id: string; name: string }[];
  tags: string[];
  orderSources: string[];
  deliveryTypes: string[];
}

const OPTION_LIMIT = 500;

/**
 * What the builder's pickers offer, from our own tables (the catalog the pixel and catalog sync keep, pools, tags
 * and orders we have seen). A value not offered can still be typed in.
 */
export async function builderOptions(db: ShopDb, shopId: string): Promise<BuilderOptions> {
  const [products, pools, vendors, types, collections, tags, sources, deliveries] = await Promise.all([
    db.product.findMany({ orderBy: { title: "asc" }, take: OPTION_LIMIT, select: { platformId: true, title: true } }),
    db.pool.findMany({ where: { deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.$queryRaw<
      { v: string }[]
    >`SELECT DISTINCT vendor AS v FROM products WHERE shop_id = ${shopId}::uuid AND vendor IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}`,
    db.$queryRaw<
      { v: string }[]
    >`SELECT DISTINCT product_type AS v FROM products WHERE shop_id = ${shopId}::uuid AND product_type IS NOT NULL AND product_type <> '' ORDER BY 1 LIMIT ${OPTION_LIMIT}`,
    db.$queryRaw<{ id: string; titles: string[] }[]>`
      SELECT c AS id, (array_agg(p.title ORDER BY p.title) FILTER (WHERE p.title IS NOT NULL))[1:2] AS titles
      FROM products p, unnest(p.collection_ids) AS c
      WHERE p.shop_id = ${shopId}::uuid GROUP BY c ORDER BY c LIMIT ${OPTION_LIMIT}`,
    db.$queryRaw<
      { v: string }[]
    >`SELECT DISTINCT t AS v FROM customers, unnest(tags) AS t WHERE shop_id = ${shopId}::uuid ORDER BY 1 LIMIT ${OPTION_LIMIT}`,
    db.$queryRaw<
      { v: string }[]
    >`SELECT DISTINCT source_name AS v FROM orders WHERE shop_id = ${shopId}::uuid AND source_name IS NOT NULL ORDER BY 1 LIMIT 100`,
    db.$queryRaw<
      { v: string }[]
    >`SELECT DISTINCT delivery_type AS v FROM orders WHERE shop_id = ${shopId}::uuid AND delivery_type IS NOT NULL ORDER BY 1 LIMIT 100`,
  ]);
  const withDefaults = (seen: string[], defaults: string[]) => [...new Set([...defaults, ...seen])];
  return {
    products: products.map((p) => ({ id: p.platformId, title: p.title ?? p.platformId })),
    collections: collections.map((c) => ({
      id: c.id,
      title: `Collection ${c.id.split("/").pop()}${c.titles?.length ? ` (${c.titles.join(", ")}…)` : ""}`,
    })),
    vendors: vendors.map((r) => r.v),
    productTypes: types.map((r) => r.v),
    pools,
    tags: tags.map((r) => r.v),
    // Shopify's usual values, so a shop without orders yet can still pick them.
    orderSources: withDefaults(
      sources.map((r) => r.v),
      ["web", "pos", "shopify_draft_order", "iphone", "android"],
    ),
    // The names scenario limits use (and orders are stored with); "none" is an order without delivery, stored as null.
    deliveryTypes: withDefaults(
      deliveries.map((r) => r.v),
      DELIVERY_TYPES.filter((d) => d !== "none"),
    ),
  };
}
