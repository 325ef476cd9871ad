import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../db/shop-scope.server";
import { isUuid } from "../domain/ids";
import { customerGid, platformTime, type CustomerPayload } from "../domain/shopify/webhook-payloads";

/** Creates or updates the customer a webhook describes; returns its id. */
/**
 * A customer as a webhook describes them. Only the fields the payload carries are written: the customer embedded in
 * an order webhook is often a partial one (Shopify trims customer payloads in newer API versions, and an app's
 * own tools send id and email only), and a field left out is unknown, not empty. Writing it as null wiped the
 * customer's tags, name and "customer since" on every order, and took them out of tag segments. A field the payload
 * sends as null (a removed phone number) is cleared.
 */
export async function upsertCustomerFromWebhook(db: ShopDb, shopId: string, payload: CustomerPayload): Promise<string> {
  const fields = {
    ...(payload.email !== undefined ? { email: payload.email } : {}),
    ...(payload.first_name !== undefined ? { firstName: payload.first_name } : {}),
    ...(payload.last_name !== undefined ? { lastName: payload.last_name } : {}),
    ...(payload.phone !== undefined ? { phone: payload.phone } : {}),
    ...(payload.tags !== undefined
      ? {
          tags: (payload.tags ?? "")
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        }
      : {}),
    ...(payload.email_marketing_consent !== undefined ? { acceptsMarketing: payload.email_marketing_consent?.state === "subscribed" } : {}),
    ...(payload.created_at !== undefined ? { platformCreatedAt: payload.created_at ? new Date(payload.created_at) : null } : {}),
    // Counters are facts about the platform's history, not fields a customer clears: null says nothing new.
    ...(payload.orders_count != null ? { ordersCount: payload.orders_count } : {}),
    ...(payload.total_spent != null ? { totalSpent: payload.total_spent } : {}),
  };
  const platformId = customerGid(payload);
  const updatedAt = platformTime(payload.updated_at);
  if (updatedAt) {
    const known = await db.customer.findFirst({ where: { platformId }, select: { id: true } });
    if (known && (await newerCustomerVersionSeen(db, shopId, known.id, updatedAt))) return known.id;
  }
  const row = await db.customer.upsert({
    where: { shopId_platformId: { shopId, platformId } },
    create: { shopId, platformId, ...fields },
    update: fields,
    select: { id: true },
  });
  return row.id;
}

/** The webhook topics whose payload is a customer, or carries one (an order's), by the path to its updated_at. */
const CUSTOMER_VERSION_TOPICS = ["customers/create", "customers/update", "orders/create", "orders/paid", "orders/cancelled", "orders/fulfilled"];

/**
 * Whether a webhook already applied to this customer described them as they were after `updatedAt`. Shopify does
 * not keep deliveries in order (nor do retries and the sweeper), so a customers/update written before the one
 * already applied would put back the tags, consent and name it replaced, and move the customer out of segments on
 * them. Processed webhooks carry the customer they were about (markEventProcessed), so the customer's own rows
 * say which version is the newest applied; the customer table keeps no platform time of its own.
 */
async function newerCustomerVersionSeen(db: ShopDb, shopId: string, customerId: string, updatedAt: Date): Promise<boolean> {
  const rows = await db.$queryRaw<{ at: string | null }[]>`
    SELECT CASE WHEN topic LIKE 'customers/%' THEN payload->>'updated_at' ELSE payload->'customer'->>'updated_at' END AS at
    FROM events
    WHERE customer_id = ${customerId}::uuid AND topic = ANY(${CUSTOMER_VERSION_TOPICS}::text[])
      AND shop_id = ${shopId}::uuid AND source = 'WEBHOOK' AND processed_at IS NOT NULL`;
  return rows.some((r) => (platformTime(r.at)?.getTime() ?? -Infinity) > updatedAt.getTime());
}

// The customers list and a customer's codes: newest first, ordered by (created_at, id) so that rows created in the
// same millisecond keep one order, and paged by keyset on that pair. A cursor is the last row's
// "<created_at in ms>_<id>".
/** The latest instant a JS Date holds; beyond it a cursor would name an invalid date. */
const MAX_DATE_MS = 8_640_000_000_000_000;

function keysetCursor(createdAt: Date, id: string): string {
  return `${createdAt.getTime()}_${id}`;
}

/** The position a cursor names, or null for anything malformed (a URL is typed by hand: never a database error). */
function parseKeyset(value: string | null | undefined, id: RegExp): { createdAt: Date; id: string } | null {
  const at = (value ?? "").indexOf("_");
  if (at < 1 || at > 16) return null;
  const ms = (value ?? "").slice(0, at);
  const rest = (value ?? "").slice(at + 1);
  if (!/^\d+$/.test(ms) || Number(ms) > MAX_DATE_MS || !id.test(rest)) return null;
  return { createdAt: new Date(Number(ms)), id: rest };
}

export function customerCursor(row: { createdAt: Date; id: string }): string {
  return keysetCursor(row.createdAt, row.id);
}

export function parseCustomerCursor(value: string | null | undefined): { createdAt: Date; id: string } | null {
  const position = parseKeyset(value, /^[0-9a-f-]{36}$/i);
  return position && isUuid(position.id) ? { createdAt: position.createdAt, id: position.id.toLowerCase() } : null;
}

/** Prisma passes `contains` to LIKE as is: a typed % or _ would match anything. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Customers whose email, first or last name contains each word of the search (case-insensitively), or whose
 * platform id is the search exactly (for Shopify also the bare number of the customer's GID).
 */
function customerSearch(search: string): Prisma.CustomerWhereInput {
  const words = search.split(/\s+/).filter(Boolean).slice(0, 5);
  const platformIds = /^\d+$/.test(search) ? [search, `gid://shopify/Customer/${search}`] : [search];
  return {
    OR: [
      {
        AND: words.map((word) => ({
          OR: (["email", "firstName", "lastName"] as const).map((field) => ({
            [field]: { contains: escapeLike(word), mode: "insensitive" as const },
          })),
        })),
      },
      { platformId: { in: platformIds } },
    ],
  };
}

export async function listCustomers(
  db: ShopDb,
  options: { search?: string | null; cursor?: string | null; take?: number } = {},
) {
  const take = Math.min(Math.max(options.take ?? 50, 1), 500);
  const search = options.search?.trim() ?? "";
  const after = parseCustomerCursor(options.cursor);
  const where: Prisma.CustomerWhereInput[] = [];
  if (search) where.push(customerSearch(search));
  if (after) {
    where.push({
      OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
    });
  }
  const rows = await db.customer.findMany({
    where: { AND: where },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
  });
  const page = rows.slice(0, take);
  return { customers: page, nextCursor: rows.length > take ? customerCursor(page[page.length - 1]!) : null };
}

export async function countCustomers(db: ShopDb): Promise<number> {
  return db.customer.count();
}

export async function getCustomer(db: ShopDb, customerId: string) {
  return db.customer.findFirst({ where: { id: customerId } });
}

/**
 * A customer's orders as segments count them (services/segments/facts.server.ts): the platform's own counters
 * (Shopify's orders_count and total_spent, which include orders from before the install) or the orders we saw,
 * whichever is more, cancelled orders left out. Magento sends no counters, so there only the orders we saw count.
 */
export async function customerOrderTotals(
  db: ShopDb,
  customer: { id: string; ordersCount: number; totalSpent: Prisma.Decimal; lastOrderAt: Date | null },
): Promise<{ ordersCount: number; totalSpent: Prisma.Decimal; lastOrderAt: Date | null }> {
  const seen = await db.order.aggregate({
    where: { customerId: customer.id, cancelledAt: null },
    _count: { _all: true },
    _sum: { totalPrice: true },
    _max: { placedAt: true },
  });
  const seenSpent = seen._sum.totalPrice;
  const lastSeen = seen._max.placedAt;
  return {
    ordersCount: Math.max(customer.ordersCount, seen._count._all),
    totalSpent: seenSpent !== null && seenSpent.greaterThan(customer.totalSpent) ? seenSpent : customer.totalSpent,
    lastOrderAt:
      lastSeen !== null && (customer.lastOrderAt === null || lastSeen > customer.lastOrderAt) ? lastSeen : customer.lastOrderAt,
  };
}

// A customer's codes are paged the same way, so the page lists every code however many there are (a reissue per
// reminder adds up); their ids are bigints.
export const CUSTOMER_CODES_PAGE = 100;

export function customerCodesCursor(row: { issuedAt: Date; issuanceId: string }): string {
  return keysetCursor(row.issuedAt, row.issuanceId);
}

export function parseCustomerCodesCursor(value: string | null | undefined): { createdAt: Date; id: bigint } | null {
  const position = parseKeyset(value, /^\d{1,18}$/);
  return position ? { createdAt: position.createdAt, id: BigInt(position.id) } : null;
}

/** Every code the customer received, a page at a time: pool, initial or reissue, when, and the code's status now. */
export async function listCustomerCodes(db: ShopDb, customerId: string, options: { cursor?: string | null; take?: number } = {}) {
  const take = Math.min(Math.max(1, options.take ?? CUSTOMER_CODES_PAGE), 500);
  const after = parseCustomerCodesCursor(options.cursor);
  const rows = await db.issuance.findMany({
    where: {
      customerId,
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
    select: {
      id: true,
      kind: true,
      source: true,
      createdAt: true,
      pool: { select: { id: true, name: true, kind: true, deletedAt: true } },
      code: { select: { id: true, code: true, status: true, expiresAt: true, redeemedAt: true } },
    },
  });
  const codes = rows.slice(0, take).map((r) => ({
    issuanceId: r.id.toString(),
    kind: r.kind,
    source: r.source,
    issuedAt: r.createdAt,
    pool: { id: r.pool.id, name: r.pool.name, kind: r.pool.kind, deleted: r.pool.deletedAt !== null },
    code: r.code ? { id: r.code.id.toString(), code: r.code.code, status: r.code.status, expiresAt: r.code.expiresAt, redeemedAt: r.code.redeemedAt } : null,
  }));
  const last = codes.at(-1);
  return { codes, nextCursor: rows.length > take && last ? customerCodesCursor(last) : null };
}

/** Finds or creates a customer by platform id (API callers name customers by their Shopify or Magento id). */
export async function ensureCustomer(
  db: ShopDb,
  shopId: string,
  input: { platformId: string; email?: string | null; firstName?: string | null; lastName?: string | null },
): Promise<string> {
  const row = await db.customer.upsert({
    where: { shopId_platformId: { shopId, platformId: input.platformId } },
    create: { shopId, platformId: input.platformId, email: input.email ?? null, firstName: input.firstName ?? null, lastName: input.lastName ?? null },
    update: {
      ...(input.email ? { email: input.email } : {}),
      ...(input.firstName ? { firstName: input.firstName } : {}),
      ...(input.lastName ? { lastName: input.lastName } : {}),
    },
    select: { id: true },
  });
  return row.id;
}
