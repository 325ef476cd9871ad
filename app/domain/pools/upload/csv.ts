// A streaming CSV tokenizer over decoded text, written for throughput: it scans with charCodeAt/indexOf and slices
// fields out of the buffer instead of building strings character by character.
//
// - Delimiter: comma, semicolon, tab, or none (a single column: the whole line is the field).
// - Line ends: LF, CRLF, or a lone CR.
// - Quoted fields ("..."), with "" for a quote inside and delimiters or line ends inside. Text after a closing
//   quote up to the next delimiter is kept as is (`"ab"c` → `abc`), the way spreadsheets read it.
// - Records carry the 1-based physical line they start on, so line numbers stay right after multi-line fields.

import { namesCodeColumn } from "./columns";
import { MAX_TITLE_ROWS } from "./rows";
import { UploadRefusedError } from "./types";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;

/** No delimiter: every line is one field. */
export const NO_DELIMITER = -1;

/** A record longer than this is not a list of codes (and bounds the work of re-scanning a pending record). */
export const MAX_RECORD_CHARS = 1 << 20;

export type RecordHandler = (cells: string[], line: number) => void;

function countLineBreaks(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) breaks++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) breaks++;
  }
  return breaks;
}

export class CsvTokenizer {
  private buffer = "";
  private line = 1;

  constructor(
    private readonly delimiter: number,
    private readonly quotes: boolean,
    private readonly onRecord: RecordHandler,
  ) {}

  /** Feeds decoded text; `final` when there is no more. Complete records go to the handler as they are found. */
  push(text: string, final: boolean): void {
    const s = this.buffer.length === 0 ? text : this.buffer + text;
    const n = s.length;
    const delimiter = this.delimiter;
    let pos = 0;
    let pending = n; // start of the record waiting for more text (n: none)

    records: while (pos < n) {
      const recordStart = pos;
      const recordLine = this.line;
      let line = recordLine;
      const cells: string[] = [];
      for (;;) {
        let value: string;
        if (this.quotes && s.charCodeAt(pos) === QUOTE) {
          let p = pos + 1;
          value = "";
          for (;;) {
            const q = s.indexOf('"', p);
            if (q === -1 || (q + 1 === n && !final)) {
              if (!final) {
                pending = recordStart;
                this.checkPending(n - recordStart, recordLine, true);
                break records;
              }
              throw new UploadRefusedError(
                "unterminated_quote",
                `The quoted field starting on line ${recordLine} is never closed: a quote (") is missing.`,
                recordLine,
              );
            }
            line += countLineBreaks(s, p, q);
            value += s.slice(p, q);
            if (s.charCodeAt(q + 1) === QUOTE) {
              value += '"';
              p = q + 2;
              continue;
            }
            pos = q + 1;
            break;
          }
          // Text between the closing quote and the delimiter, kept as is.
          let p2 = pos;
          while (p2 < n) {
            const c = s.charCodeAt(p2);
            if (c === delimiter || c === LF || c === CR) break;
            p2++;
          }
          if (p2 > pos) value += s.slice(pos, p2);
          pos = p2;
        } else {
          let p = pos;
          while (p < n) {
            const c = s.charCodeAt(p);
            if (c === delimiter || c === LF || c === CR) break;
            p++;
          }
          value = s.slice(pos, p);
          pos = p;
        }
        cells.push(value);

        if (pos >= n) {
          if (!final) {
            pending = recordStart;
            this.checkPending(n - recordStart, recordLine, false);
            break records;
          }
          this.line = line;
          this.onRecord(cells, recordLine);
          break records;
        }
        const c = s.charCodeAt(pos);
        if (c === delimiter) {
          pos++;
          if (pos >= n && final) {
            cells.push("");
            this.line = line;
            this.onRecord(cells, recordLine);
            break records;
          }
          continue;
        }
        // A line end.
        if (c === CR) {
          if (pos + 1 >= n && !final) {
            pending = recordStart;
            break records;
          }
          pos += s.charCodeAt(pos + 1) === LF ? 2 : 1;
        } else {
          pos++;
        }
        this.line = line + 1;
        this.onRecord(cells, recordLine);
        break;
      }
    }
    this.buffer = pending < n ? s.slice(pending) : "";
  }

  private checkPending(length: number, line: number, inQuotes: boolean): void {
    if (length <= MAX_RECORD_CHARS) return;
    if (inQuotes) {
      throw new UploadRefusedError(
        "unterminated_quote",
        `The quoted field starting on line ${line} runs on for more than a megabyte: a closing quote (") is probably missing.`,
        line,
      );
    }
    throw new UploadRefusedError(
      "not_csv",
      `Line ${line} is longer than a megabyte; this does not look like a list of codes.`,
      line,
    );
  }
}

/**
 * Picks the delimiter from the first non-blank line: the most frequent of comma, semicolon and tab outside quotes
 * (ties: comma, then semicolon, then tab), or none when the line has none of them. Returns null when `text` does not
 * yet hold a whole first line and more may come.
 */
export function sniffDelimiter(text: string, final: boolean): number | null {
  let inQuotes = false;
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let sawContent = false;
  let complete = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      inQuotes = !inQuotes;
      sawContent = true;
      continue;
    }
    if (inQuotes) continue;
    if (c === LF || c === CR) {
      if (sawContent) {
        complete = true;
        break;
      }
      continue;
    }
    if (c === COMMA) commas++;
    else if (c === SEMICOLON) semicolons++;
    else if (c === TAB) tabs++;
    else if (c !== 0x20) sawContent = true;
    if (c === COMMA || c === SEMICOLON || c === TAB) sawContent = true;
  }
  if (!complete && !final && text.length <= MAX_RECORD_CHARS) return null;
  const most = Math.max(commas, semicolons, tabs);
  if (most === 0) return NO_DELIMITER;
  if (commas === most) return COMMA;
  if (semicolons === most) return SEMICOLON;
  return TAB;
}

/** How far into a file the header is looked for before the delimiter is chosen. */
const HEADER_SEARCH_CHARS = 64 * 1024;
/** Excel's first-line hint naming the delimiter (`sep=;`), written and read by its CSV import. */
const SEP_DIRECTIVE = /^\s*"?sep=([,;\t])"?\s*$/i;

/** The cells of one line, split by `delimiter`, quotes honoured. */
function cellsOf(line: string, delimiter: number): string[] {
  let cells: string[] = [];
  new CsvTokenizer(delimiter, true, (record) => (cells = record)).push(line, true);
  return cells;
}

/**
 * Picks the delimiter once the head of the file holds enough lines (null: wait for more text):
 * - Excel's `sep=X` on the first non-blank line names it; that line is the directive, not data.
 * - Else the delimiter of the first line, among the first non-blank ones a header may sit under, whose cells (split
 *   by that line's own delimiter) name a code column: a title above the header must not decide it.
 * - Else sniffDelimiter over the first line, as for any file.
 */
export function chooseDelimiter(head: string, final: boolean): { delimiter: number; directiveLine: number | null } | null {
  const lines = head.split(/\r\n|\n|\r/);
  // The last piece is a line still being read, unless the input has ended.
  const complete = final ? lines : lines.slice(0, -1);
  const candidates: { text: string; line: number }[] = [];
  for (let i = 0; i < complete.length && candidates.length <= MAX_TITLE_ROWS; i++) {
    const text = complete[i] ?? "";
    if (text.trim() !== "") candidates.push({ text, line: i + 1 });
  }
  if (!final && candidates.length <= MAX_TITLE_ROWS && head.length < HEADER_SEARCH_CHARS) return null;
  const directive = candidates[0] === undefined ? null : SEP_DIRECTIVE.exec(candidates[0].text);
  if (directive?.[1] !== undefined && candidates[0] !== undefined) {
    return { delimiter: directive[1].charCodeAt(0), directiveLine: candidates[0].line };
  }
  for (const candidate of candidates) {
    const delimiter = sniffDelimiter(candidate.text, true) ?? NO_DELIMITER;
    if (namesCodeColumn(cellsOf(candidate.text, delimiter))) return { delimiter, directiveLine: null };
  }
  const delimiter = sniffDelimiter(head, final);
  return delimiter === null ? null : { delimiter, directiveLine: null };
}
