// The codes a template issues itself: {{client.promocode('Pool')}} issues a fresh code from that pool and
// {{client.last_promocode('Pool')}} shows the customer's last one (recorded as a reissue). Each issue carries an
// idempotency key derived from the message's dedupe key, so a retried task or broadcast gets the same codes back.
// An empty static pool follows the pool's setting: skip the message, send the fallback code, or hold the message
// until the pool is refilled. A pool deleted since the template was saved renders empty and the message still
// goes: it was checked when saved, and the merchant removed it on purpose.
import type { ShopDb } from "../../db/shop-scope.server";
import type { TemplateNeeds } from "../../domain/messages/template";
import { issueCode, type IssueResult } from "../pools/issue.server";
import type { DynamicOptions } from "../pools/dynamic.server";

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
  /** Pools named by the template that no longer exist: rendered empty, worth a log line. */
  missingPools: string[];
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
    case "pool_not_found":
      return { type: "empty" };
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
  const resolved: ResolvedCodes = { type: "resolved", poolCodes: new Map(), lastPoolCodes: new Map(), first: null, missingPools: [] };
  if (needs.initialPools.length === 0 && needs.reissuePools.length === 0) return resolved;
  const pools = options.pools ?? (await livePools(db));
  const wanted: [string, boolean][] = [...needs.initialPools.map((n): [string, boolean] => [n, false]), ...needs.reissuePools.map((n): [string, boolean] => [n, true])];
  for (const [name, reissue] of wanted) {
    const target = reissue ? resolved.lastPoolCodes : resolved.poolCodes;
    const pool = findPool(pools, name);
    if (!pool) {
      resolved.missingPools.push(name);
      target.set(name, null);
      continue;
    }
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
      if (result.type === "pool_not_found") resolved.missingPools.push(name);
      target.set(name, null);
      continue;
    }
    target.set(name, outcome.code);
    if (!reissue && !resolved.first) resolved.first = { codeId: outcome.codeId, expiresAt: outcome.expiresAt };
  }
  return resolved;
}
