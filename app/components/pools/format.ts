// Wording and formatting shared by the pool pages. Dates are formatted on the server (in UTC) and sent as text,
// so the server render and the browser's hydration never disagree about a time zone.

export type CodeStatus = "PENDING" | "AVAILABLE" | "ASSIGNED" | "REDEEMED" | "RETIRED" | "EXPIRED";
export type EmptyBehavior = "SKIP_MESSAGE" | "SEND_FALLBACK" | "HOLD_UNTIL_REFILLED";

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

const DATE_TIME = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "May 3, 2026, 14:05 UTC" — call on the server only. */
export function formatDateTime(date: Date | null | undefined): string {
  return date ? `${DATE_TIME.format(date)} UTC` : "—";
}

const DAY = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });

/** "May 3" — call on the server only. */
export function formatDay(date: Date): string {
  return DAY.format(date);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** The depletion forecast in words, from the last 7 days' rate. */
export function forecastText(stats: { total: number; available: number; daysLeft: number | null }): string {
  if (stats.total === 0) return "No codes yet";
  if (stats.available === 0) return "Empty";
  if (stats.daysLeft === null) return "No recent issues";
  if (stats.daysLeft < 1) return "Runs out within a day";
  return `Runs out in about ${plural(stats.daysLeft, "day")}`;
}

export const STATUS_LABELS: Record<CodeStatus, string> = {
  PENDING: "Being created",
  AVAILABLE: "Available",
  ASSIGNED: "Assigned",
  REDEEMED: "Redeemed",
  RETIRED: "Retired",
  EXPIRED: "Expired",
};

export const STATUS_TONES: Record<CodeStatus, "success" | "info" | "attention" | "critical" | undefined> = {
  PENDING: "attention",
  AVAILABLE: "success",
  ASSIGNED: "info",
  REDEEMED: undefined,
  RETIRED: undefined,
  EXPIRED: "attention",
};

export const EMPTY_BEHAVIOR_LABELS: Record<EmptyBehavior, string> = {
  SKIP_MESSAGE: "Skip the message",
  SEND_FALLBACK: "Send a fixed fallback code",
  HOLD_UNTIL_REFILLED: "Hold the task until the pool is refilled",
};

/** Why an upload line was not taken, in the merchant's words (see RejectReason in domain/pools/upload/types.ts). */
export const REJECT_REASON_LABELS: Record<string, string> = {
  empty: "No code on this line",
  too_long: "Longer than 255 characters",
  invalid_characters: "Characters a code cannot have",
  bad_date: "Expiry date not understood (use YYYY-MM-DD)",
  discount_out_of_range: "Discount outside 0–99",
  bad_discount: "Discount is not a whole number",
  bad_in_use_flag: "In-use flag not understood (use yes/no)",
  bad_tag: "Tag too long or with control characters",
  duplicate_in_file: "Duplicate of an earlier line",
  duplicate_in_pool: "Already in the pool",
  invalid_entry: "Not a code",
  above_header: "A title above the header row",
};

export function rejectReasonLabel(reason: string): string {
  return REJECT_REASON_LABELS[reason] ?? reason;
}

export const SOURCE_LABELS: Record<string, string> = {
  paste: "Pasted",
  csv: "CSV file",
  xlsx: "Excel file",
  json: "API (JSON)",
  generate: "Generated",
  redeemable: "Made redeemable",
};
