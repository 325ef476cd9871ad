// Excel .xlsx uploads, read with exceljs's streaming reader so that a big sheet is never held whole: rows are
// handed over as the zip is inflated. Only the first worksheet is read. The shared-strings table is cached by
// exceljs (it is needed to resolve text cells); that is the one part whose size grows with the sheet.

import { PassThrough } from "node:stream";
import ExcelJS, { type CellValue, type Row } from "exceljs";
import { CountedInput, describeBinary, startsWith, withHead, ZIP_SIGNATURE, type ByteSource } from "./input";
import { RowProcessor, type RowOptions } from "./rows";
import { UploadRefusedError, type UploadBatch } from "./types";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Spreadsheet dates have no zone: exceljs hands them over as UTC instants carrying the wall-clock time. They become
 * zone-less ISO text, so expiry dates go through the same rules as CSV text (the upload's timezone applies, and a
 * date without a time means the end of that day).
 */
export function spreadsheetDateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return "";
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const h = date.getUTCHours();
  const m = date.getUTCMinutes();
  const s = date.getUTCSeconds();
  const ms = date.getUTCMilliseconds();
  if (h === 0 && m === 0 && s === 0 && ms === 0) return day;
  return `${day}T${pad(h)}:${pad(m)}:${pad(s)}${ms === 0 ? "" : `.${pad(ms, 3)}`}`;
}

/** Characters a number format shows as themselves without quotes. */
const FORMAT_LITERALS = new Set([..."$-+/():!^&'~{}<>= "]);

type FormatPart = { placeholder: "0" | "#" } | { text: string };

/**
 * The parts of a whole-number format: digit placeholders (0 and #), quoted text ("SAVE-"), escaped characters (\A)
 * and the characters shown as they are (-, /, parentheses...). Null for anything else (decimals, grouping commas,
 * exponents, dates, colours, conditions, text placeholders): such a cell keeps its bare number.
 */
function wholeNumberFormat(numFmt: string): FormatPart[] | null {
  // The first section is for positive numbers; codes are positive.
  let section = "";
  // A colour ([Red], [Color10]) changes no text; a locale tag ([$-409]) shows nothing, a currency one ([$€-407]) its symbol.
  numFmt = numFmt.replace(/\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\d{1,2})\]/gi, "").replace(/\[\$([^\]-]*)(?:-[0-9a-f]+)?\]/gi, (_m, symbol: string) => (symbol ? `"${symbol.replaceAll('"', "")}"` : ""));
  for (let i = 0, quoted = false; i < numFmt.length; i++) {
    const c = numFmt.charAt(i);
    if (c === '"') quoted = !quoted;
    if (c === ";" && !quoted) break;
    if (c === "\\" && !quoted) {
      section += numFmt.slice(i, i + 2);
      i++;
      continue;
    }
    section += c;
  }
  const parts: FormatPart[] = [];
  for (let i = 0; i < section.length; i++) {
    const c = section.charAt(i);
    if (c === "0" || c === "#") parts.push({ placeholder: c });
    else if (c === '"') {
      const end = section.indexOf('"', i + 1);
      if (end === -1) return null;
      parts.push({ text: section.slice(i + 1, end) });
      i = end;
    } else if (c === "\\" && i + 1 < section.length) {
      parts.push({ text: section.charAt(i + 1) });
      i++;
    } else if (FORMAT_LITERALS.has(c)) parts.push({ text: c });
    else return null;
  }
  return parts.some((p) => "placeholder" in p) ? parts : null;
}

/**
 * A whole number as its format shows it: "SAVE-"0000 shows 42 as SAVE-0042, 000-000 shows 123456 as 123-456. Digits
 * fill the placeholders from the right; a 0 placeholder shows a zero where the number has no digit, a # shows
 * nothing; digits beyond the placeholders go to the first one.
 */
function formatWholeNumber(value: number, parts: FormatPart[]): string {
  const placeholders = parts.flatMap((p) => ("placeholder" in p ? [p.placeholder] : []));
  const firstZero = placeholders.indexOf("0");
  const digits = String(value).padStart(firstZero === -1 ? 0 : placeholders.length - firstZero, "0");
  const shown = digits === "0" && firstZero === -1 ? "" : digits;
  const extra = Math.max(0, shown.length - placeholders.length);
  let placeholder = 0;
  let out = "";
  for (const part of parts) {
    if ("text" in part) {
      out += part.text;
      continue;
    }
    // Placeholder k (from the left) shows the digit that far from the number's right end, if it has one.
    const fromRight = placeholders.length - placeholder;
    if (placeholder === 0) out += shown.slice(0, extra + (fromRight <= shown.length - extra ? 1 : 0));
    else if (fromRight <= shown.length - extra) out += shown.charAt(shown.length - fromRight);
    placeholder++;
  }
  return out;
}

function numberText(value: number, numFmt: string | undefined): string {
  if (!Number.isFinite(value)) return "";
  if (numFmt) {
    // A percentage cell holds 0.1 for "10%".
    if (numFmt.includes("%")) return String(Math.round(value * 100 * 1e6) / 1e6);
    // A whole-number format with padding or text ("000000", "SAVE-"0000) shows the code the merchant sees.
    if (Number.isSafeInteger(value) && value >= 0) {
      const parts = wholeNumberFormat(numFmt);
      if (parts !== null) return formatWholeNumber(value, parts);
    }
  }
  return String(value);
}

/** The text a cell shows, as far as a code list cares. */
export function cellText(value: CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value, numFmt);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return spreadsheetDateText(value);
  if ("richText" in value) return value.richText.map((part) => part.text).join("");
  if ("error" in value) return value.error;
  if ("hyperlink" in value) return typeof value.text === "string" ? value.text : cellText(value.text as CellValue);
  if ("formula" in value || "sharedFormula" in value) return cellText(value.result ?? null, numFmt);
  return "";
}

/**
 * A number whose text would not be what the sheet shows: a whole number beyond a double's exact ones (which also
 * covers everything JavaScript writes as 1e+21 and up), or one so small it is written in exponent form (1e-7).
 */
function unreadableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return true;
  if (Number.isInteger(value)) return !Number.isSafeInteger(value);
  return Math.abs(value) < 1e-6;
}

/**
 * What to report instead of a cell's text when the cell holds no value a code list can use, or null when it is
 * readable: an error (#N/A, #REF!...); a formula the file holds no result for (exceljs drops an error result, and
 * Excel always saves the result otherwise); or a number the sheet cannot have stored with the digits the merchant
 * typed (more than a double holds exactly: 12345678901234567890 comes back as 12345678901234567000) or that would
 * read as exponent text ("1e+21").
 */
export function unreadableCell(value: CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return unreadableNumber(value) ? String(value) : null;
  if (typeof value !== "object" || value instanceof Date) return null;
  if ("error" in value) return value.error;
  if ("formula" in value || "sharedFormula" in value) {
    const result = value.result;
    if (result === undefined || result === null || (typeof result === "number" && Number.isNaN(result))) {
      return `=${"formula" in value ? value.formula : value.sharedFormula}`;
    }
    return unreadableCell(result as CellValue);
  }
  return null;
}

interface RowCells {
  cells: string[];
  /** Columns (0-based) whose cell is unreadable; its text in `cells` is what to report. */
  unreadable: Set<number> | undefined;
}

function rowCells(row: Row): RowCells {
  const cells: string[] = [];
  let unreadable: Set<number> | undefined;
  row.eachCell((cell, column) => {
    const value = cell.value as CellValue | { sharedString: number };
    if (typeof value === "object" && value !== null && "sharedString" in value) {
      // The shared-strings part was never read: text cells would silently come out empty.
      throw notXlsx(
        "The workbook's text could not be read (its shared strings are missing). Save it again from Excel.",
      );
    }
    while (cells.length < column - 1) cells.push("");
    const problem = unreadableCell(value);
    if (problem !== null) (unreadable ??= new Set()).add(column - 1);
    cells[column - 1] = problem ?? cellText(value, cell.numFmt);
  });
  return { cells, unreadable };
}

function notXlsx(message: string): UploadRefusedError {
  return new UploadRefusedError("not_xlsx", message);
}

/**
 * Works around a race in the zip reader exceljs 4.4 uses (unzipper 0.10, exceljs issue #3064): its parser emits a
 * synthetic "end" as soon as its input side finishes, while entries it has already parsed may still sit in its
 * paused output. exceljs then stops listing entries early and loses the last ones (workbook.xml, sharedStrings.xml):
 * "Cannot read properties of undefined (reading 'sheets')", or text cells silently read as empty. We hold back any
 * "end" the parser emits before its output has really ended; the real one follows once every entry has been read.
 * A truncated archive still fails: the parser reports FILE_ENDED as an error when it runs out of input.
 */
function holdEarlyEnd(source: PassThrough): void {
  const pipe = source.pipe.bind(source);
  source.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    const parser = destination as unknown as {
      readableEnded?: boolean;
      emit: (event: string | symbol, ...args: unknown[]) => boolean;
    };
    if (typeof parser.readableEnded === "boolean") {
      const emit = parser.emit.bind(parser);
      parser.emit = (event: string | symbol, ...args: unknown[]) => {
        if (event === "end" && parser.readableEnded === false) return false;
        return emit(event, ...args);
      };
    }
    return pipe(destination, options);
  }) as typeof source.pipe;
}

function waitForDrainOrClose(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

export async function* parseXlsx(
  source: ByteSource,
  options: RowOptions & { maxBytes: number },
): AsyncGenerator<UploadBatch> {
  const input = new CountedInput(source, options.maxBytes);
  const processor = new RowProcessor(options);
  const zipBytes = new PassThrough({ highWaterMark: 1 << 16 });
  holdEarlyEnd(zipBytes);
  let stopped = false;

  // The pump feeds the zip stream; its failure (too large, not a zip, source error) must end the parse even when
  // exceljs is waiting for data, so every wait below races it.
  let failPump: (error: unknown) => void = () => undefined;
  const pumpFailed = new Promise<never>((_, reject) => {
    failPump = reject;
  });
  pumpFailed.catch(() => undefined);

  const checkHead = (head: Uint8Array) => {
    if (head.length === 0) throw new UploadRefusedError("empty_file", "The file is empty.");
    if (!startsWith(head, ZIP_SIGNATURE)) {
      const binary = describeBinary(head);
      throw notXlsx(
        binary === null
          ? "This is a text file, not an Excel .xlsx workbook. Upload it as CSV."
          : "This is not an Excel .xlsx workbook (an .xlsx file is a zip archive). Save it as .xlsx or CSV.",
      );
    }
  };

  void (async () => {
    try {
      for await (const chunk of withHead(input.chunks(), ZIP_SIGNATURE.length, checkHead)) {
        if (stopped) break;
        if (!zipBytes.write(chunk)) await waitForDrainOrClose(zipBytes);
      }
      zipBytes.end();
    } catch (error) {
      failPump(error);
      zipBytes.destroy();
    }
  })();

  const race = <T>(step: Promise<T>): Promise<T> => Promise.race([step, pumpFailed]);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(zipBytes, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    entries: "ignore",
  });

  try {
    const sheets = reader[Symbol.asyncIterator]();
    const first = await race(sheets.next());
    if (first.done) throw notXlsx("The workbook has no worksheet; is this really an Excel .xlsx file?");
    const rows = first.value[Symbol.asyncIterator]();
    for (;;) {
      const next = await race(rows.next());
      if (next.done) break;
      const { cells, unreadable } = rowCells(next.value);
      processor.addRow(cells, next.value.number, unreadable);
      yield* processor.take(input.bytesRead);
    }
  } catch (error) {
    if (error instanceof UploadRefusedError) throw error;
    throw notXlsx(
      `This file could not be read as an Excel .xlsx workbook (${error instanceof Error ? error.message : String(error)}).`,
    );
  } finally {
    stopped = true;
    zipBytes.destroy();
  }
  processor.end();
  if (processor.dataRows === 0) {
    throw new UploadRefusedError(
      "empty_file",
      processor.headerSeen ? "The first worksheet has a header row but no codes." : "The first worksheet has no codes.",
    );
  }
  yield* processor.take(input.bytesRead, true);
}
