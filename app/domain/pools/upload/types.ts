// Shapes shared by every upload format (paste, CSV, xlsx, JSON).

/**
 * Why one line of an upload was not accepted.
 * - `empty`: the row has other cells filled but no code.
 * - `too_long`: longer than the code length limit (Shopify: 255).
 * - `invalid_characters`: outside the allowed set (see code-rules.ts).
 * - `bad_date`: the expiry is not a date we read unambiguously (ISO 8601 only).
 * - `discount_out_of_range`: a whole number outside 0..99.
 * - `bad_discount`: not a whole number at all.
 * - `bad_in_use_flag`: not one of 1/0/true/false/yes/no/y/n.
 * - `bad_tag`: longer than 64 characters or containing control characters.
 * - `duplicate_in_file`: the same code (case-insensitively) appeared on an earlier accepted line.
 * - `duplicate_in_pool`: never produced by the parser; services report codes the pool already holds with it.
 * - `invalid_entry`: not a code at all: a JSON array item that is neither a string nor an object with a string
 *   `code`, or an .xlsx cell the line needs that holds an error (#N/A), a formula without a result, or a number
 *   whose digits a spreadsheet cannot keep (1e+21).
 */
export type RejectReason =
  | "empty"
  | "too_long"
  | "invalid_characters"
  | "bad_date"
  | "discount_out_of_range"
  | "bad_discount"
  | "bad_in_use_flag"
  | "bad_tag"
  | "duplicate_in_file"
  | "duplicate_in_pool"
  | "invalid_entry"
  | "above_header";

export const REJECT_REASONS: readonly RejectReason[] = [
  "empty",
  "too_long",
  "invalid_characters",
  "bad_date",
  "discount_out_of_range",
  "bad_discount",
  "bad_in_use_flag",
  "bad_tag",
  "duplicate_in_file",
  "duplicate_in_pool",
  "invalid_entry",
  "above_header",
];

export interface ParsedCode {
  /** 1-based physical line (CSV/paste, header counted), spreadsheet row (xlsx) or array position (JSON). */
  line: number;
  /** Trimmed, with its original spelling (the first spelling when the file repeats it in another case). */
  code: string;
  expiresAt: Date | null;
  discount: number | null;
  tag: string | null;
  inUse: boolean;
}

export interface RejectedLine {
  line: number;
  reason: RejectReason;
  /** The offending value (the code, or the expiry/discount/flag/tag cell), cut to 100 characters. */
  value: string;
}

export interface UploadBatch {
  accepted: ParsedCode[];
  rejected: RejectedLine[];
  /** Rows skipped because every cell was blank (not reported as rejected). */
  blankLines: number;
  /** Bytes of the input consumed so far, for a progress bar (xlsx: compressed bytes). */
  bytesRead: number;
}

export type UploadFormat = "paste" | "csv" | "xlsx" | "json";

export interface UploadOptions {
  format: UploadFormat;
  /** Refuse the file as soon as more bytes than this have been read. Default 100 MB. */
  maxBytes?: number;
  /** Default 255 (Shopify). */
  maxCodeLength?: number;
  /** Most accepted (and most rejected) entries per yielded batch. Default 5,000. */
  batchSize?: number;
  /**
   * Offset of the merchant's local time from UTC in minutes (UTC+02:00 → 120, UTC-05:00 → -300; note this is the
   * opposite sign of JavaScript's Date#getTimezoneOffset). Applied to expiry dates written without a zone.
   * Default 0 (UTC).
   */
  timezoneOffsetMinutes?: number;
}

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_BATCH_SIZE = 5_000;
export const MAX_TAG_LENGTH = 64;
export const REPORTED_VALUE_LENGTH = 100;

export type UploadRefusal =
  | "not_csv"
  | "not_text"
  | "not_xlsx"
  | "not_json"
  | "too_large"
  | "no_code_column"
  | "unterminated_quote"
  | "empty_file";

/** The whole upload is refused: nothing in it should be imported. */
export class UploadRefusedError extends Error {
  override readonly name = "UploadRefusedError";
  constructor(
    readonly reason: UploadRefusal,
    message: string,
    /** The line the problem was found on, when there is one. */
    readonly line?: number,
  ) {
    super(message);
  }
}
