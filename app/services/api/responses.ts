// Successful API responses and the public shapes of what they carry. Dates are ISO 8601 strings (UTC), database ids
// that are bigints become strings, and internal fields (shop ids, customer row ids) are never exposed.
import type { CodeImport, EmptyPoolBehavior, IssuanceKind, PoolKind } from "@prisma/client";
import type { DynamicPoolSettings } from "../../domain/pools/dynamic";
import { storedReport, type UploadReport } from "../../domain/pools/upload";
import type { IssuedCode } from "../pools/issue.server";
import type { PoolStats, PoolSummary } from "../pools/pools.server";

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { "cache-control": "no-store", ...init.headers } });
}

export const API_BASE_PATH = "/api/v1";

export interface ApiPoolStats {
  total: number;
  pending: number;
  available: number;
  assigned: number;
  redeemed: number;
  retired: number;
  expired: number;
  percentRemaining: number | null;
  issuedLast7Days: number;
  daysLeft: number | null;
}

export interface ApiPool {
  id: string;
  name: string;
  kind: PoolKind;
  description: string | null;
  lowStockThreshold: number | null;
  emptyBehavior: EmptyPoolBehavior;
  fallbackCode: string | null;
  /** True while the pool is past its low-stock line (the admin shows a banner and one email was sent). */
  lowStock: boolean;
  /** Dynamic pools: the settings each code is created with; null for static pools. */
  dynamic: DynamicPoolSettings | null;
  createdAt: string;
  stats: ApiPoolStats & { daily?: { day: string; count: number }[] };
}

function stats(s: PoolStats, withDaily: boolean): ApiPool["stats"] {
  const out: ApiPool["stats"] = {
    total: s.total,
    pending: s.pending,
    available: s.available,
    assigned: s.assigned,
    redeemed: s.redeemed,
    retired: s.retired,
    expired: s.expired,
    percentRemaining: s.percentRemaining,
    issuedLast7Days: s.issuedLast7Days,
    daysLeft: s.daysLeft,
  };
  if (withDaily) out.daily = s.daily.map((d) => ({ day: d.day.toISOString().slice(0, 10), count: d.count }));
  return out;
}

/** A pool with its stock. `withDaily` adds the issues-per-day series of the last 30 days (single-pool reads). */
export function serialisePool(pool: PoolSummary, options: { withDaily?: boolean } = {}): ApiPool {
  return {
    id: pool.id,
    name: pool.name,
    kind: pool.kind,
    description: pool.description,
    lowStockThreshold: pool.lowStockThreshold,
    emptyBehavior: pool.emptyBehavior,
    fallbackCode: pool.fallbackCode,
    lowStock: pool.lowStockAlertedAt !== null,
    dynamic: pool.dynamic,
    createdAt: pool.createdAt.toISOString(),
    stats: stats(pool.stats, options.withDaily ?? false),
  };
}

export interface ApiIssued {
  code: string;
  expiresAt: string | null;
  kind: IssuanceKind;
  issuedAt: string;
  replayed: boolean;
  poolId: string;
  customerId: string;
}

export function serialiseIssued(issued: IssuedCode, extra: { replayed: boolean; poolId: string; customerPlatformId: string }): ApiIssued {
  return {
    code: issued.code,
    expiresAt: issued.expiresAt?.toISOString() ?? null,
    kind: issued.kind,
    issuedAt: issued.issuedAt.toISOString(),
    replayed: extra.replayed,
    poolId: extra.poolId,
    customerId: extra.customerPlatformId,
  };
}

export interface ApiImport {
  id: string;
  poolId: string;
  source: string;
  fileName: string | null;
  status: CodeImport["status"];
  bytesTotal: number | null;
  bytesDone: number;
  itemsTotal: number | null;
  itemsDone: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  report: UploadReport | null;
  error: { reason: string; message: string } | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Refusals are stored as "reason: message"; other failures as a bare message. */
function importError(error: string | null): ApiImport["error"] {
  if (!error) return null;
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(error);
  return match ? { reason: match[1]!, message: match[2]! } : { reason: "failed", message: error };
}

export function serialiseImport(row: CodeImport): ApiImport {
  return {
    id: row.id,
    poolId: row.poolId,
    source: row.source,
    fileName: row.fileName,
    status: row.status,
    bytesTotal: row.bytesTotal === null ? null : Number(row.bytesTotal),
    bytesDone: Number(row.bytesDone),
    itemsTotal: row.itemsTotal,
    itemsDone: row.itemsDone,
    accepted: row.accepted,
    duplicates: row.duplicates,
    rejected: row.rejected,
    report: storedReport(row.report),
    error: importError(row.error),
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
