// Which column holds what, decided from the first non-blank row of a CSV or spreadsheet (after any title rows above
// a header: see RowProcessor).
//
// - If a cell of that row names a code column (code, coupon, coupon_code, promo_code, voucher, ... in any case,
//   with spaces or dashes for underscores), the row is a header: that column holds the codes and the other known
//   names (expiry, discount, tag/type, in_use/used) map the optional fields. Unknown columns are ignored.
// - Otherwise, if the row has a single non-empty cell (only in the first column), the file has no header: every row,
//   this one included, is a code in the first column.
// - Otherwise we cannot tell which column holds the codes, and the file is refused, naming the columns found.

import { UploadRefusedError } from "./types";

export function normaliseHeader(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, "_");
}

export const CODE_HEADERS: ReadonlySet<string> = new Set([
  "code",
  "codes",
  "coupon",
  "coupons",
  "coupon_code",
  "coupon_codes",
  "couponcode",
  "promo",
  "promo_code",
  "promo_codes",
  "promocode",
  "voucher",
  "vouchers",
  "voucher_code",
  "discount_code",
  "discount_codes",
]);

export type Field = "expires" | "discount" | "tag" | "inUse";

const FIELD_HEADERS: Readonly<Record<Field, readonly string[]>> = {
  expires: [
    "expires",
    "expiry",
    "expiration",
    "expiration_date",
    "expiry_date",
    "expires_at",
    "expires_on",
    "expire_date",
    "valid_until",
    "valid_to",
    "end_date",
    "ends_at",
  ],
  discount: ["discount", "discount_percent", "discount_percentage", "percent", "percentage", "percent_off"],
  tag: ["type", "tag", "category"],
  inUse: ["in_use", "inuse", "used", "is_used"],
};

const FIELD_BY_HEADER = new Map<string, Field>();
for (const [field, names] of Object.entries(FIELD_HEADERS) as [Field, readonly string[]][]) {
  for (const name of names) FIELD_BY_HEADER.set(name, field);
}

export interface ColumnMap {
  /** True when the first row is a header (and so is not data). */
  hasHeader: boolean;
  code: number;
  expires: number;
  discount: number;
  tag: number;
  inUse: number;
}

const NONE = -1;

function describeColumns(cells: readonly string[]): string {
  const shown = cells.slice(0, 10).map((c) => `"${c.trim().slice(0, 40)}"`);
  if (cells.length > 10) shown.push(`and ${cells.length - 10} more`);
  return shown.join(", ");
}

/** Whether one of the row's cells names a code column: the row is then a header. */
export function namesCodeColumn(row: readonly string[]): boolean {
  return row.some((cell) => CODE_HEADERS.has(normaliseHeader(cell)));
}

/** Cells up to the last non-empty one. */
export function rowWidth(row: readonly string[]): number {
  let width = row.length;
  while (width > 0 && (row[width - 1] ?? "").trim() === "") width--;
  return width;
}

/** Decides the column layout from the first non-blank row. Throws UploadRefusedError("no_code_column"). */
export function mapColumns(firstRow: readonly string[], line: number): ColumnMap {
  const headers = firstRow.map(normaliseHeader);
  const code = headers.findIndex((h) => CODE_HEADERS.has(h));
  if (code !== NONE) {
    const map: ColumnMap = { hasHeader: true, code, expires: NONE, discount: NONE, tag: NONE, inUse: NONE };
    headers.forEach((h, index) => {
      const field = FIELD_BY_HEADER.get(h);
      if (field !== undefined && index !== code && map[field] === NONE) map[field] = index;
    });
    return map;
  }

  const width = rowWidth(firstRow);
  if (width <= 1) {
    return { hasHeader: false, code: 0, expires: NONE, discount: NONE, tag: NONE, inUse: NONE };
  }
  const used = firstRow.slice(0, width);
  throw new UploadRefusedError(
    "no_code_column",
    `The first row has ${width} columns (${describeColumns(used)}) and none of them is named as the code column. ` +
      `Name the column of codes "code" (or coupon, coupon_code, promo_code, voucher), ` +
      `or upload a single column of codes without a header.`,
    line,
  );
}
