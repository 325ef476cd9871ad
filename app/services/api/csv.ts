// Writing CSV that is safe to open in a spreadsheet (RFC 4180 quoting, CRLF line ends).
//
// Formula injection: Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a
// formula (and some also after a leading tab or carriage return), so a code like `=HYPERLINK(...)` or an email
// like `@SUM(...)` uploaded by anyone could execute in the merchant's spreadsheet. Such cells are prefixed with a
// single quote, which spreadsheets show as text and do not run (OWASP's recommendation). Codes may legitimately
// start with `+ - @` (see app/domain/pools/code-rules.ts): programs reading the export should drop a leading `'`
// from a cell whose next character is one of these.

const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

/** Prefixes a `'` to a value a spreadsheet would run as a formula. */
export function neutraliseFormula(value: string): string {
  // Spaces before the trigger do not make it safe: some spreadsheets trim them before reading the cell.
  const runs = FORMULA_TRIGGERS.has(value[0] ?? "") || FORMULA_TRIGGERS.has(value.trimStart()[0] ?? "");
  return runs ? `'${value}` : value;
}

/**
 * One cell: neutralised, then quoted when it holds a comma, quote, line break or semicolon (quotes doubled): a
 * spreadsheet set to a semicolon-separated locale splits unquoted cells at ";", and the part after one would be a
 * cell of its own, unneutralised.
 */
export function csvCell(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : typeof value === "number" ? String(value) : neutraliseFormula(value);
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly (string | number | Date | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
