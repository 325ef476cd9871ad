// Turns rows of cells (from any format) into accepted codes and rejected lines, grouped into bounded batches.
// Keeps one thing per distinct accepted code: its normalised key (in a compact CodeKeySet), for duplicates within
// the file.

import { checkCode, DEFAULT_MAX_CODE_LENGTH } from "../code-rules";
import { mapColumns, namesCodeColumn, rowWidth, type ColumnMap } from "./columns";
import { parseDiscount, parseExpiry, parseInUse, parseTag } from "./fields";
import { CodeKeySet } from "./key-set";
import {
  DEFAULT_BATCH_SIZE,
  REPORTED_VALUE_LENGTH,
  type ParsedCode,
  type RejectedLine,
  type RejectReason,
  type UploadBatch,
} from "./types";

export interface RowOptions {
  maxCodeLength?: number;
  batchSize?: number;
  timezoneOffsetMinutes?: number;
}

/** Excel users keep leading zeros by exporting `="00123"`; that is the code 00123. */
function unwrapExcelText(code: string): string {
  if (code.length >= 3 && code.charCodeAt(0) === 0x3d && code.charCodeAt(1) === 0x22 && code.endsWith('"')) {
    return code.slice(2, -1).trim();
  }
  return code;
}

export function reportedValue(value: string): string {
  return value.length > REPORTED_VALUE_LENGTH ? value.slice(0, REPORTED_VALUE_LENGTH) : value;
}

function isBlankRow(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== "") return false;
  return true;
}

/**
 * Rows a header may sit under: exports often start with a title ("Black Friday codes", "Exported 2026-11-01") above
 * the header. Such rows are rejected as above_header, so the report still names every line.
 */
export const MAX_TITLE_ROWS = 5;

/**
 * A row read before any header that could not be a code of a header-less list (several cells, or one that is not
 * a valid code). Only such rows can be titles: a list that starts with codes is never cut.
 */
function couldBeTitle(cells: readonly string[], maxCodeLength: number): boolean {
  if (rowWidth(cells) > 1) return true;
  return checkCode(unwrapExcelText((cells[0] ?? "").trim()), maxCodeLength) !== null;
}

/** A title row as the report shows it: its non-empty cells. */
function titleText(cells: readonly string[]): string {
  return cells
    .map((cell) => cell.trim())
    .filter((cell) => cell !== "")
    .join(" ");
}

interface PendingRow {
  cells: readonly string[];
  line: number;
  unreadable: ReadonlySet<number> | undefined;
}

export class RowProcessor {
  private readonly maxCodeLength: number;
  private readonly batchSize: number;
  private readonly timezoneOffsetMinutes: number;
  private readonly seen = new CodeKeySet();
  /** Files tend to repeat a handful of expiry values: each distinct text is parsed once. */
  private readonly expiryCache = new Map<string, number>();
  private columns: ColumnMap | null = null;
  /** Rows that may be titles, held until a header shows up under them or they turn out not to be. */
  private pending: PendingRow[] = [];
  private accepted: ParsedCode[] = [];
  private rejected: RejectedLine[] = [];
  private blankLines = 0;
  private readonly ready: Omit<UploadBatch, "bytesRead">[] = [];
  /** Rows that were data (not header, not blank). */
  dataRows = 0;

  constructor(options: RowOptions = {}) {
    this.maxCodeLength = options.maxCodeLength ?? DEFAULT_MAX_CODE_LENGTH;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.timezoneOffsetMinutes = options.timezoneOffsetMinutes ?? 0;
  }

  /** For sources without a header (paste, JSON): every row is a code in the first cell. */
  useSingleColumn(): void {
    this.columns = { hasHeader: false, code: 0, expires: -1, discount: -1, tag: -1, inUse: -1 };
  }

  get headerSeen(): boolean {
    return this.columns?.hasHeader ?? false;
  }

  /**
   * One row of a tabular source. The first non-blank row decides the columns (may throw no_code_column), unless it
   * and up to MAX_TITLE_ROWS - 1 more are title rows above a header (see couldBeTitle).
   * `unreadable`: columns whose cell holds no usable value (a spreadsheet error, a number read with other digits
   * than the sheet shows); their text is what to report. A line that needs one of them is rejected as invalid_entry.
   */
  addRow(cells: readonly string[], line: number, unreadable?: ReadonlySet<number>): void {
    if (isBlankRow(cells)) {
      this.blankLines++;
      return;
    }
    if (this.columns === null) {
      if (namesCodeColumn(cells)) {
        for (const title of this.pending) this.reject(title.line, "above_header", titleText(title.cells));
        this.pending = [];
        this.columns = mapColumns(cells, line);
        return;
      }
      if (this.pending.length < MAX_TITLE_ROWS && couldBeTitle(cells, this.maxCodeLength)) {
        this.pending.push({ cells, line, unreadable });
        return;
      }
      this.pending.push({ cells, line, unreadable });
      this.settleColumns();
      return;
    }
    this.addDataRow(cells, line, unreadable);
  }

  /** No header under the held rows: the first of them decides the columns, as if there were no lookahead. */
  private settleColumns(): void {
    const [first, ...rest] = this.pending;
    this.pending = [];
    if (first === undefined) return;
    this.columns = mapColumns(first.cells, first.line);
    if (!this.columns.hasHeader) this.addDataRow(first.cells, first.line, first.unreadable);
    for (const row of rest) this.addRow(row.cells, row.line, row.unreadable);
  }

  /** The input has ended: rows still held as possible titles are read as the file's first rows. */
  end(): void {
    if (this.columns === null) this.settleColumns();
  }

  private addDataRow(cells: readonly string[], line: number, unreadable: ReadonlySet<number> | undefined): void {
    const cols = this.columns;
    if (cols === null) throw new Error("columns are not decided yet");
    if (unreadable !== undefined) {
      for (const column of [cols.code, cols.expires, cols.discount, cols.tag, cols.inUse]) {
        if (column >= 0 && unreadable.has(column)) {
          this.dataRows++;
          return this.reject(line, "invalid_entry", cells[column] ?? "");
        }
      }
    }
    this.addCode(
      line,
      cells[cols.code] ?? "",
      cols.expires < 0 ? "" : (cells[cols.expires] ?? ""),
      cols.discount < 0 ? "" : (cells[cols.discount] ?? ""),
      cols.tag < 0 ? "" : (cells[cols.tag] ?? ""),
      cols.inUse < 0 ? "" : (cells[cols.inUse] ?? ""),
    );
  }

  /** One code with its optional fields as text (empty = absent). */
  addCode(line: number, rawCode: string, expires: string, discount: string, tag: string, inUse: string): void {
    this.dataRows++;
    const code = unwrapExcelText(rawCode.trim());
    const problem = checkCode(code, this.maxCodeLength);
    if (problem !== null) return this.reject(line, problem, code);

    let expiresAt: Date | null = null;
    const expiresText = expires.trim();
    if (expiresText !== "") {
      const cached = this.expiryCache.get(expiresText);
      if (cached !== undefined) {
        expiresAt = new Date(cached);
      } else {
        const parsed = parseExpiry(expiresText, this.timezoneOffsetMinutes);
        if (parsed === "bad_date") return this.reject(line, parsed, expiresText);
        expiresAt = parsed;
        if (parsed !== null) {
          if (this.expiryCache.size >= 1_000) this.expiryCache.clear();
          this.expiryCache.set(expiresText, parsed.getTime());
        }
      }
    }
    let discountValue: number | null = null;
    const discountText = discount.trim();
    if (discountText !== "") {
      const parsed = parseDiscount(discountText);
      if (typeof parsed === "string") return this.reject(line, parsed, discountText);
      discountValue = parsed;
    }
    const tagText = tag.trim();
    const tagValue = parseTag(tagText);
    if (tagValue === "bad_tag") return this.reject(line, tagValue, tagText);
    const inUseText = inUse.trim();
    const inUseValue = parseInUse(inUseText);
    if (inUseValue === "bad_in_use_flag") return this.reject(line, inUseValue, inUseText);

    if (!this.seen.add(code)) return this.reject(line, "duplicate_in_file", code);

    this.accepted.push({ line, code, expiresAt, discount: discountValue, tag: tagValue, inUse: inUseValue });
    if (this.accepted.length >= this.batchSize) this.cut();
  }

  /** Records a line refused before it reached the field checks (JSON items of the wrong shape). */
  reject(line: number, reason: RejectReason, value: string): void {
    this.rejected.push({ line, reason, value: reportedValue(value) });
    if (this.rejected.length >= this.batchSize) this.cut();
  }

  private cut(): void {
    this.ready.push({ accepted: this.accepted, rejected: this.rejected, blankLines: this.blankLines });
    this.accepted = [];
    this.rejected = [];
    this.blankLines = 0;
  }

  /** Full batches ready to hand out; with `final`, also whatever is left (always at least one batch). */
  take(bytesRead: number, final = false): UploadBatch[] {
    if (final) this.end();
    if (
      final &&
      (this.accepted.length > 0 || this.rejected.length > 0 || this.blankLines > 0 || this.ready.length === 0)
    ) {
      this.cut();
    }
    if (this.ready.length === 0) return [];
    const out = this.ready.map((b) => ({ ...b, bytesRead }));
    this.ready.length = 0;
    return out;
  }
}
