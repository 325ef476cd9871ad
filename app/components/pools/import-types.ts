// What the admin sees of an upload or generation run: polled while it runs, with the report once it ends.

export interface RejectedLineView {
  line: number;
  reason: string;
  value: string;
}

export interface UploadReportView {
  accepted: number;
  /** Of the accepted: stored as expired (past their expiry on arrival) and as retired (marked in use). */
  acceptedExpired: number;
  acceptedInUse: number;
  duplicatesInFile: number;
  duplicatesInPool: number;
  rejected: number;
  blankLines: number;
  rejections: RejectedLineView[];
  rejectionsOmitted: number;
}

export interface ImportProgress {
  id: string;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
  source: string;
  fileName: string | null;
  bytesDone: number;
  bytesTotal: number | null;
  itemsDone: number;
  itemsTotal: number | null;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** 0..100 while running (never 100 before the end), 100 when done; null when the size is unknown. */
  percent: number | null;
  error: string | null;
  /** Once an upload has ended. */
  report: UploadReportView | null;
  /** A run adding codes to a platform discount (source "redeemable"): the codes it refused and why, first 1,000. */
  failures: { code: string; reason: string }[] | null;
}

/** The answer to an upload POST. */
export type UploadOutcome =
  | { type: "done"; importId: string; report: UploadReportView }
  | { type: "refused"; importId: string; reason: string; message: string }
  | { type: "error"; message: string };
