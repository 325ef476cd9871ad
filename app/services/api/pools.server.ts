// /api/v1/pools: list and create pools (static, or dynamic with their settings), read one with its stock, retire
// codes (revoke them, for a dynamic pool), export the codes given out.
import { z } from "zod";
import type { ShopDb } from "../../db/shop-scope.server";
import { isAcceptedInstant } from "../../domain/instants";
import { revokeDynamicCodes } from "../pools/dynamic.server";
import { createPool, getPool, listPoolsPage, PoolInput, retireCodes, type PoolPosition } from "../pools/pools.server";
import { assignedCodesCsv, exportFileName } from "./csv-export.server";
import { apiEndpoint, type ApiContext } from "./endpoint.server";
import { ApiError, platformFailure, validationFailed } from "./errors";
import { isUuid, MAX_JSON_BODY_BYTES, readJson, validate } from "./request.server";
import { API_BASE_PATH, json, serialisePool } from "./responses";

// ---------------------------------------------------------------------------------------------------------------
// Shared lookups

export function poolNotFound(): ApiError {
  return new ApiError(404, "pool_not_found", "No pool with this id in this store (it may have been deleted).");
}

export function poolNotStatic(action: string): ApiError {
  return new ApiError(
    409,
    "pool_not_static",
    `This is a dynamic pool: its codes are created on the store's platform when issued, so it cannot ${action}.`,
  );
}

/** The pool named by the :poolId parameter, live and in this shop, or 404 (another shop's pool is simply not found). */
export async function requirePool(db: ShopDb, poolId: string | undefined) {
  if (!isUuid(poolId)) throw poolNotFound();
  const pool = await db.pool.findFirst({
    where: { id: poolId, deletedAt: null },
    select: { id: true, name: true, kind: true, emptyBehavior: true, fallbackCode: true },
  });
  if (!pool) throw poolNotFound();
  return pool;
}

// ---------------------------------------------------------------------------------------------------------------
// GET, POST /api/v1/pools

const POOL_FIELDS = new Set(Object.keys(PoolInput.shape));

async function createPoolHandler({ request, db, shopId }: ApiContext): Promise<Response> {
  const body = await readJson(request);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw validationFailed({ body: "Send a JSON object with the pool's fields" });
  }
  const unknown = Object.keys(body).filter((key) => !POOL_FIELDS.has(key));
  if (unknown.length > 0) throw validationFailed(Object.fromEntries(unknown.map((key) => [key, "Unknown field"])));
  const result = await createPool(db, shopId, body as PoolInput);
  switch (result.type) {
    case "invalid":
      throw validationFailed(result.errors);
    case "name_taken":
      throw new ApiError(409, "pool_name_taken", "A pool with this name already exists in this store; choose another name.", {
        fields: { name: "Already used by another pool" },
      });
    case "not_found":
      throw poolNotFound();
    case "saved": {
      const pool = await getPool(db, shopId, result.pool.id);
      if (!pool) throw poolNotFound();
      return json({ pool: serialisePool(pool) }, { status: 201, headers: { location: `${API_BASE_PATH}/pools/${pool.id}` } });
    }
  }
}

export const DEFAULT_POOL_PAGE = 100;
export const MAX_POOL_PAGE = 250;

/** `?limit=` (1 to MAX_POOL_PAGE) and `?cursor=` (a nextCursor this endpoint gave out). */
function poolPage(url: URL): { limit: number; after: PoolPosition | null } {
  const errors: Record<string, string> = {};
  const rawLimit = url.searchParams.get("limit");
  const limit = rawLimit === null ? DEFAULT_POOL_PAGE : /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (!(limit >= 1 && limit <= MAX_POOL_PAGE)) errors.limit = `A whole number from 1 to ${MAX_POOL_PAGE}`;
  const cursor = url.searchParams.get("cursor");
  const after = cursor === null || cursor === "" ? null : positionOf(cursor);
  if (after === undefined) errors.cursor = "Not a cursor this endpoint gave out: send the nextCursor of the previous page";
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  return { limit, after: after ?? null };
}

function cursorOf(position: PoolPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString("base64url");
}

/** The position a cursor names, or undefined when it is not one of ours. */
function positionOf(cursor: string): PoolPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    const createdAt = typeof at === "string" ? new Date(at) : null;
    // Out of range (year 0000, +275760...) is not a date we hand out, and the database would refuse it.
    if (!createdAt || !isAcceptedInstant(createdAt) || !isUuid(typeof id === "string" ? id : undefined)) return undefined;
    return { createdAt, id: id as string };
  } catch {
    return undefined;
  }
}

export const poolsCollection = apiEndpoint({
  GET: async ({ db, shopId, url }) => {
    const page = await listPoolsPage(db, shopId, poolPage(url));
    return json({ pools: page.pools.map((p) => serialisePool(p)), nextCursor: page.next ? cursorOf(page.next) : null });
  },
  POST: createPoolHandler,
});

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/pools/:poolId

export const poolResource = apiEndpoint({
  GET: async ({ db, shopId, params }) => {
    const poolId = params.poolId;
    if (!isUuid(poolId)) throw poolNotFound();
    const pool = await getPool(db, shopId, poolId);
    if (!pool) throw poolNotFound();
    return json({ pool: serialisePool(pool, { withDaily: true }) });
  },
});

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/pools/:poolId/retire

export const MAX_RETIRE_CODES = 10_000;

const RetireBody = z
  .strictObject({
    codes: z
      .array(z.string({ error: "Each code must be a string" }).trim().min(1, "A code cannot be empty").max(255, "Codes are at most 255 characters"))
      .min(1, "List at least one code")
      .max(MAX_RETIRE_CODES, `At most ${MAX_RETIRE_CODES} codes per request`)
      .optional(),
    allUnused: z.literal(true, { error: 'allUnused must be true (to retire only some codes, send "codes")' }).optional(),
  })
  .refine((b) => (b.codes === undefined) !== (b.allUnused === undefined), {
    message: 'Send either "codes" (a list) or "allUnused": true',
  });

export type RetireSkipReason = "not_in_pool" | "assigned" | "redeemed" | "already_retired" | "expired" | "pending";

const SKIP_BY_STATUS: Record<string, RetireSkipReason> = {
  ASSIGNED: "assigned",
  REDEEMED: "redeemed",
  RETIRED: "already_retired",
  EXPIRED: "expired",
};

/** Dynamic pools: the listed codes are revoked on the platform (it stops accepting them), then retired. */
async function revokeHandler(db: ShopDb, poolId: string, body: z.output<typeof RetireBody>): Promise<Response> {
  if (body.allUnused) {
    throw new ApiError(409, "pool_not_static", 'A dynamic pool has no unused codes: send "codes" to revoke codes it gave out.');
  }
  try {
    const result = await revokeDynamicCodes(db, poolId, { codes: body.codes ?? [] });
    return json({ retired: result.revoked.length, skipped: result.skipped });
  } catch (error) {
    throw platformFailure(error) ?? error;
  }
}

async function retireHandler({ request, db, shopId, params }: ApiContext): Promise<Response> {
  const pool = await requirePool(db, params.poolId);
  const body = validate(RetireBody, await readJson(request, 4 * MAX_JSON_BODY_BYTES));
  if (pool.kind === "DYNAMIC") return revokeHandler(db, pool.id, body);
  if (body.allUnused) {
    const retired = await retireCodes(db, shopId, pool.id, { allUnused: true });
    return json({ retired, skipped: [] });
  }
  // One entry per code key (codes match case-insensitively), in request order.
  const requested = new Map<string, string>();
  for (const code of body.codes ?? []) {
    const key = code.toUpperCase();
    if (!requested.has(key)) requested.set(key, code);
  }
  const keys = [...requested.keys()];
  const before = await db.code.findMany({ where: { poolId: pool.id, codeKey: { in: keys } }, select: { codeKey: true, status: true } });
  const status = new Map(before.map((c) => [c.codeKey, c.status]));
  const retired = await retireCodes(db, shopId, pool.id, { codes: keys });
  const skipped = keys.flatMap((key) => {
    const was = status.get(key);
    if (was === "AVAILABLE") return [];
    return [{ code: requested.get(key)!, reason: was === undefined ? "not_in_pool" : (SKIP_BY_STATUS[was] ?? "already_retired") }];
  });
  return json({ retired, skipped });
}

export const poolRetire = apiEndpoint({ POST: retireHandler });

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/pools/:poolId/export.csv

export const poolExport = apiEndpoint({
  GET: async ({ db, params }) => {
    const pool = await requirePool(db, params.poolId);
    return new Response(assignedCodesCsv(db, pool.id), {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFileName(pool.name)}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
});
