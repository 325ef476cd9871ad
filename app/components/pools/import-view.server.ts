// code_imports rows and upload reports turned into the JSON the admin polls (no BigInt, no Date).
import type { CodeImport } from "@prisma/client";
import { storedReport, type UploadReport } from "../../domain/pools/upload";
import type { ImportProgress, UploadReportView } from "./import-types";

export function reportView(report: UploadReport): UploadReportView {
  return {
    accepted: report.accepted,
    acceptedExpired: report.acceptedExpired,
    acceptedInUse: report.acceptedInUse,
    duplicatesInFile: report.duplicatesInFile,
    duplicatesInPool: report.duplicatesInPool,
    rejected: report.rejected,
    blankLines: report.blankLines,
    // In file order: the parser reports its own rejections batch by batch, and duplicates of codes already in the
    // pool after each batch is stored.
    rejections: report.rejections
      .map((r) => ({ line: r.line, reason: r.reason, value: r.value }))
      .sort((a, b) => a.line - b.line),
    rejectionsOmitted: report.rejectionsOmitted,
  };
}

function percentOf(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  // Never 100 while running: the last batch is still being written when every byte has been read.
  return Math.min(99, Math.floor((done / total) * 100));
}

export function importProgressView(run: CodeImport): ImportProgress {
  const bytesTotal = run.bytesTotal === null ? null : Number(run.bytesTotal);
  const bytesDone = Number(run.bytesDone);
  const running = run.status === "RUNNING" || run.status === "QUEUED";
  const percent = !running
    ? 100
    : run.source === "generate" || run.source === "redeemable"
      ? percentOf(run.itemsDone, run.itemsTotal)
      : percentOf(bytesDone, bytesTotal);
  const stored = storedReport(run.report);
  return {
    id: run.id,
    status: run.status,
    source: run.source,
    fileName: run.fileName,
    bytesDone,
    bytesTotal,
    itemsDone: run.itemsDone,
    itemsTotal: run.itemsTotal,
    accepted: run.accepted,
    duplicates: run.duplicates,
    rejected: run.rejected,
    percent,
    error: run.error,
    report: !running && stored && Array.isArray(stored.rejections) ? reportView(stored) : null,
    failures: run.source === "redeemable" ? ((run.report as { failures?: { code: string; reason: string }[] } | null)?.failures ?? []) : null,
  };
}
