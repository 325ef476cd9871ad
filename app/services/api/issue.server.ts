// POST /api/v1/pools/:poolId/issue: give a customer a code, exactly once per idempotency key: the next code of a
// static pool, or a code created on the store for a dynamic pool (optionally restricted to `triggeredProducts`).
//
// The caller names the customer by their platform id (Shopify: numeric id or gid://shopify/Customer/<id>; Magento:
// the customer id), and we find or create our customer row for it. The idempotency key is required: a retry
// after a timeout must never hand the customer a second code. API keys are kept apart from the app's own keys
// (campaigns, scenarios) by storing them as `api:<key>`.
import { createHash } from "node:crypto";
import type { Platform } from "@prisma/client";
import { z } from "zod";
import { MAX_TARGET_IDS } from "../../domain/pools/dynamic";
import { ensureCustomer } from "../customers.server";
import { requestSegmentEvaluationIfWatched } from "../segments/triggers.server";
import { issueCode, type IssueResult } from "../pools/issue.server";
import { apiEndpoint, type ApiContext } from "./endpoint.server";
import { ApiError, platformFailure, validationFailed } from "./errors";
import { poolNotFound, poolNotStatic } from "./pools.server";
import { isUuid, readJson, validate } from "./request.server";
import { json, serialiseIssued } from "./responses";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

const optionalText = (max: number) => z.string().trim().max(max, `At most ${max} characters`).nullish();

const IssueBody = z.strictObject({
  customer: z.strictObject(
    {
      id: z
        .string({
          error: (issue) =>
            typeof issue.input === "number"
              ? "Send the customer id as a string: platform ids can exceed 2^53 and lose digits as JSON numbers"
              : "The customer's platform id (Shopify or Magento customer id) is required",
        })
        .trim()
        .min(1, "The customer's platform id is required")
        .max(255, "At most 255 characters"),
      email: z.email("Not an email address").max(320).nullish(),
      firstName: optionalText(255),
      lastName: optionalText(255),
    },
    { error: (issue) => (issue.input === undefined ? "Required: the customer to issue a code to, e.g. {\"id\": \"123\"}" : "Must be an object") },
  ),
  reissue: z.boolean("reissue must be true or false").optional(),
  idempotencyKey: z.string("idempotencyKey must be a string").optional(),
  /** Dynamic pools whose codes apply to the products that made the customer qualify; ignored by static pools. */
  triggeredProducts: z
    .array(
      z
        .string("Send each product id as a string (ids can exceed 2^53)")
        .trim()
        .min(1, "A product id cannot be empty")
        .max(255, "At most 255 characters"),
    )
    .max(2 * MAX_TARGET_IDS, `At most ${2 * MAX_TARGET_IDS} products and variants`)
    .optional(),
});

/**
 * The platform id our customer rows use for what the caller sent: Shopify customers are stored by their GID
 * (gid://shopify/Customer/123), as webhooks deliver them, so a bare numeric id is expanded to it.
 */
export function platformCustomerId(platform: Platform, raw: string): string | { error: string } {
  if (platform !== "SHOPIFY") return raw;
  if (/^\d+$/.test(raw)) return `gid://shopify/Customer/${raw}`;
  if (/^gid:\/\/shopify\/Customer\/\d+$/.test(raw)) return raw;
  return { error: "A Shopify customer id is numeric (e.g. 7362409121) or a GID (gid://shopify/Customer/7362409121)" };
}

/** Shopify product ids as GIDs: numeric ids are products; product and variant GIDs pass as they are. */
export function platformProductIds(platform: Platform, raw: readonly string[]): string[] | { error: string } {
  if (platform !== "SHOPIFY") return [...raw];
  const out: string[] = [];
  for (const id of raw) {
    if (/^\d+$/.test(id)) out.push(`gid://shopify/Product/${id}`);
    else if (/^gid:\/\/shopify\/(Product|ProductVariant)\/\d+$/.test(id)) out.push(id);
    else return { error: `"${id}" is not a Shopify product id: send a number (7362409121) or a Product / ProductVariant GID` };
  }
  return out;
}

function idempotencyKey(request: Request, fromBody: string | undefined): string {
  const header = request.headers.get("idempotency-key")?.trim() || undefined;
  if (header !== undefined && fromBody !== undefined && header !== fromBody) {
    throw new ApiError(400, "idempotency_key_mismatch", "The Idempotency-Key header and the idempotencyKey field differ; send one of them.");
  }
  const key = header ?? fromBody;
  if (key === undefined || key === "") {
    throw new ApiError(
      400,
      "idempotency_key_required",
      "Send an Idempotency-Key header (e.g. your order or message id) so a retried request returns the same code instead of a second one.",
    );
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key)) {
    throw validationFailed({
      idempotencyKey: `At most ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, no spaces`,
    });
  }
  return key;
}

function emptyPoolMessage(behavior: string, fallbackCode: string | null): string {
  switch (behavior) {
    case "SEND_FALLBACK":
      return `The pool has no codes left. Its setting is to send the fallback code instead: ${fallbackCode ?? "(none set)"}.`;
    case "HOLD_UNTIL_REFILLED":
      return "The pool has no codes left. Its setting is to hold messages until it is refilled: retry after codes are uploaded.";
    default:
      return "The pool has no codes left. Its setting is to skip the message; upload more codes to keep issuing.";
  }
}

async function issueHandler({ request, db, shopId, params }: ApiContext): Promise<Response> {
  const poolId = params.poolId;
  if (!isUuid(poolId)) throw poolNotFound();
  const body = validate(IssueBody, await readJson(request));
  const key = idempotencyKey(request, body.idempotencyKey);

  const shop = await db.shop.findFirstOrThrow({ select: { platform: true } });
  const platformId = platformCustomerId(shop.platform, body.customer.id);
  if (typeof platformId !== "string") throw validationFailed({ "customer.id": platformId.error });
  const triggeredProducts = platformProductIds(shop.platform, body.triggeredProducts ?? []);
  if (!Array.isArray(triggeredProducts)) throw validationFailed({ triggeredProducts: triggeredProducts.error });
  // Checked before the customer row is written, so a wrong pool id leaves nothing behind.
  const pool = await db.pool.findFirst({ where: { id: poolId, deletedAt: null }, select: { id: true } });
  if (!pool) throw poolNotFound();
  // Everything the caller asked, so a retry under the key that asks for anything else is refused; checked before
  // the customer row is written, so such a retry does not change the customer's details either.
  const requestHash = createHash("sha256")
    .update(
      JSON.stringify([
        poolId,
        platformId,
        body.customer.email ?? null,
        body.customer.firstName ?? null,
        body.customer.lastName ?? null,
        body.reissue ?? false,
        [...triggeredProducts].sort(),
      ]),
    )
    .digest("base64url");
  const earlier = await db.issuance.findFirst({ where: { idempotencyKey: `api:${key}` }, select: { requestHash: true } });
  if (earlier?.requestHash && earlier.requestHash !== requestHash) throw keyReused();

  const customerId = await ensureCustomer(db, shopId, {
    platformId,
    email: body.customer.email ?? null,
    firstName: body.customer.firstName ?? null,
    lastName: body.customer.lastName ?? null,
  });
  // The customer may be new, or their email or name changed: segments on customer fields look at them again.
  await requestSegmentEvaluationIfWatched(shopId, [customerId], "customer");
  let result: IssueResult;
  try {
    result = await issueCode(db, {
      shopId,
      poolId,
      customerId,
      reissue: body.reissue ?? false,
      idempotencyKey: `api:${key}`,
      requestHash,
      source: "api",
      triggeredProducts,
    });
  } catch (error) {
    throw platformFailure(error) ?? error;
  }
  switch (result.type) {
    case "issued": {
      const payload = serialiseIssued(result.issued, { replayed: result.replayed, poolId, customerPlatformId: platformId });
      return json(payload, {
        status: result.replayed ? 200 : 201,
        headers: result.replayed ? { "idempotent-replayed": "true" } : {},
      });
    }
    case "pool_empty": {
      const fallbackCode = result.behavior === "SEND_FALLBACK" ? result.fallbackCode : null;
      throw new ApiError(409, "pool_empty", emptyPoolMessage(result.behavior, fallbackCode), {
        emptyBehavior: result.behavior,
        fallbackCode,
      });
    }
    case "never_issued":
      throw new ApiError(
        404,
        "never_issued",
        "This customer never got a code from this pool, so there is nothing to reissue. Send reissue: false to issue a new one.",
      );
    case "pool_not_found":
      throw poolNotFound();
    case "pool_not_static":
      throw poolNotStatic("issue codes through this endpoint yet");
    case "dynamic_refused":
      throw new ApiError(422, "code_not_created", `No code was created: ${result.message}.`, {
        reason: result.reason,
        ...(result.ids ? { ids: result.ids } : {}),
      });
    case "idempotency_conflict":
      throw keyReused();
  }
}

function keyReused(): ApiError {
  return new ApiError(
    422,
    "idempotency_key_reused",
    "This Idempotency-Key was already used for a different request (another pool, customer, customer details, products or reissue flag). Use a new key for a new request.",
  );
}

export const poolIssue = apiEndpoint({ POST: issueHandler });
