// The codes a template issues itself: {{client.promocode('Pool')}} issues a fresh code from that pool and
// {{client.last_promocode('Pool')}} shows the customer's last one (recorded as a reissue). Each issue carries an
// idempotency key derived from the message's dedupe key, so a retried task or broadcast gets the same codes back.
// An empty static pool follows the pool's setting: skip the message, send the fallback code, or hold the message
// until the pool is refilled. A pool the template names that no longer exists (deleted, or renamed by a path that did
// not rewrite the template) skips the message with a reason the merchant sees, before any code is issued for it:
// a message never goes out with a blank where a code should be.
import type { ShopDb } from "../../db/shop-scope.server";
import type { TemplateNeeds } from "../../domain/messages/template";
import { issueCode, type IssueResult } from "../pools/issue.server";
import type { DynamicOptions } from "../pools/dynamic.server";
import { unknownPoolNames } from "./compose";

export interface CodeRequest {
  shopId: string;
  customerId: string;
  dedupeKey: string;
  source: string;
  needs: TemplateNeeds;
  /** Platform ids of the products that made the customer qualify (dynamic pools restrict their codes to them). */
  triggeredProductIds: readonly string[];
}

export interface ResolvedCodes {
  type: "resolved";
  poolCodes: Map<string, string | null>;
  lastPoolCodes: Map<string, string | null>;
  /** The first code the template issued (for the message's code and {{codeExpiresAt}} when the run has none). */
  first: { codeId: string | null; expiresAt: Date | null } | null;
}

export type CodeResolution = ResolvedCodes | { type: "skip"; reason: string } | { type: "held"; reason: string };

export interface LivePool {
  id: string;
  name: string;
}

/** Keys per message and pool: the same message asks for the same code however often it is retried. */
export function poolIssueKey(dedupeKey: string, poolId: string, reissue: boolean): string {
  return `${dedupeKey}:${reissue ? "last" : "pool"}:${poolId}`;
}

export async function livePools(db: ShopDb): Promise<LivePool[]> {
  return db.pool.findMany({ where: { deletedAt: null }, select: { id: true, name: true } });
}

/** Why a message whose template names pools the shop no longer has is skipped (shown on the message and the task). */
export function missingPoolsReason(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`).join(", ");
  return names.length === 1
    ? `The template names the pool ${quoted}, which no longer exists (renamed or deleted): edit the template`
    : `The template names the pools ${quoted}, which no longer exist (renamed or deleted): edit the template`;
}

/** Pools the template names that the shop does not have (none live under that name). */
export function missingTemplatePools(needs: TemplateNeeds, pools: readonly LivePool[]): string[] {
  return unknownPoolNames(needs, pools.map((p) => p.name));
}

function findPool(pools: readonly LivePool[], name: string): LivePool | undefined {
  const wanted = name.toLowerCase();
  return pools.find((p) => p.name.toLowerCase() === wanted);
}

type Outcome = { type: "code"; code: string; codeId: string | null; expiresAt: Date | null } | { type: "empty" } | { type: "skip"; reason: string } | { type: "held"; reason: string };

function outcomeOf(result: IssueResult, poolName: string): Outcome {
  switch (result.type) {
    case "issued":
      return { type: "code", code: result.issued.code, codeId: result.issued.codeId, expiresAt: result.issued.expiresAt };
    case "never_issued":
      return { type: "empty" };
    case "pool_not_found":
      // Deleted between the check and the issue.
      return { type: "skip", reason: missingPoolsReason([poolName]) };
    case "pool_empty":
      if (result.behavior === "HOLD_UNTIL_REFILLED") return { type: "held", reason: `Pool "${poolName}" is empty: held until it is refilled` };
      if (result.behavior === "SEND_FALLBACK" && result.fallbackCode) return { type: "code", code: result.fallbackCode, codeId: null, expiresAt: null };
      return { type: "skip", reason: `Pool "${poolName}" is empty` };
    case "dynamic_refused":
      return { type: "skip", reason: `Pool "${poolName}" could not create a code: ${result.message}` };
    case "pool_not_static":
    case "idempotency_conflict":
      // A key derived from a unique dedupe key names one (pool, customer, kind): a conflict is a bug, not an outcome.
      throw new Error(`issuing from pool "${poolName}" for a message answered ${result.type}`);
  }
}

export async function resolveTemplateCodes(
  db: ShopDb,
  request: CodeRequest,
  options: { pools?: readonly LivePool[]; dynamic?: DynamicOptions } = {},
): Promise<CodeResolution> {
  const { needs } = request;
  const resolved: ResolvedCodes = { type: "resolved", poolCodes: new Map(), lastPoolCodes: new Map(), first: null };
  if (needs.initialPools.length === 0 && needs.reissuePools.length === 0) return resolved;
  const pools = options.pools ?? (await livePools(db));
  // Checked for every pool before issuing from any: a skipped message takes no code.
  const missing = missingTemplatePools(needs, pools);
  if (missing.length > 0) return { type: "skip", reason: missingPoolsReason(missing) };
  const wanted: [string, boolean][] = [...needs.initialPools.map((n): [string, boolean] => [n, false]), ...needs.reissuePools.map((n): [string, boolean] => [n, true])];
  for (const [name, reissue] of wanted) {
    const target = reissue ? resolved.lastPoolCodes : resolved.poolCodes;
    const pool = findPool(pools, name)!;
    const result = await issueCode(
      db,
      {
        shopId: request.shopId,
        poolId: pool.id,
        customerId: request.customerId,
        reissue,
        idempotencyKey: poolIssueKey(request.dedupeKey, pool.id, reissue),
        source: request.source,
        triggeredProducts: request.triggeredProductIds,
      },
      options.dynamic,
    );
    const outcome = outcomeOf(result, pool.name);
    if (outcome.type === "skip" || outcome.type === "held") return outcome;
    if (outcome.type === "empty") {
      target.set(name, null);
      continue;
    }
    target.set(name, outcome.code);
    if (!reissue && !resolved.first) resolved.first = { codeId: outcome.codeId, expiresAt: outcome.expiresAt };
  }
  return resolved;
}
