// API uploads: `{"codes": ["A", "B"]}` or `{"codes": [{"code": "A", "expiresAt": "...", "discount": 10,
// "tag": "x", "inUse": false}]}` (the two forms may be mixed). Items go through the same checks as file rows;
// `line` is the 1-based position in the array.

import { z } from "zod";
import { RowProcessor, type RowOptions } from "./rows";
import { UploadRefusedError, type UploadBatch } from "./types";

/** The most items one JSON upload may hold; bigger lists go through a file upload. */
export const DEFAULT_MAX_JSON_ITEMS = 100_000;

const envelope = z.object({ codes: z.array(z.unknown()) });

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const item = z.object({
  code: z.union([z.string(), z.number().int().nonnegative()]),
  expiresAt: z.string().nullish(),
  discount: z.union([z.number(), z.string()]).nullish(),
  tag: z.string().nullish(),
  inUse: scalar.nullish(),
});

function text(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** What a rejected item is reported as. */
const UNREADABLE_ENTRY = "(unreadable entry)";

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deep to write out (RangeError): String() of an array recurses as deep and would throw again.
    return UNREADABLE_ENTRY;
  }
}

export interface JsonOptions extends RowOptions {
  maxItems?: number;
}

/** Runs the items of a `codes` array through a processor (line = 1-based array position). */
export function addJsonItems(processor: RowProcessor, codes: readonly unknown[]): void {
  processor.useSingleColumn();
  codes.forEach((entry, index) => {
    const line = index + 1;
    if (typeof entry === "string") {
      processor.addCode(line, entry, "", "", "", "");
      return;
    }
    const parsed = item.safeParse(entry);
    if (!parsed.success) {
      processor.reject(line, "invalid_entry", describe(entry));
      return;
    }
    const { code, expiresAt, discount, tag, inUse } = parsed.data;
    processor.addCode(line, String(code), text(expiresAt), text(discount), text(tag), text(inUse));
  });
}

/** Checks the envelope of a parsed JSON body and returns its items. */
export function jsonItems(value: unknown, maxItems: number = DEFAULT_MAX_JSON_ITEMS): unknown[] {
  const body = envelope.safeParse(value);
  if (!body.success) {
    throw new UploadRefusedError("not_json", 'The body must be an object with a "codes" array.');
  }
  const codes = body.data.codes;
  if (codes.length > maxItems) {
    throw new UploadRefusedError(
      "too_large",
      `${codes.length} codes were sent; one request may hold at most ${maxItems}. Split the list or upload a file.`,
    );
  }
  if (codes.length === 0) throw new UploadRefusedError("empty_file", 'The "codes" array is empty.');
  return codes;
}

/** Validates a parsed JSON body. Throws UploadRefusedError("not_json" | "too_large" | "empty_file"). */
export function parseJsonCodes(value: unknown, options: JsonOptions = {}): UploadBatch {
  const codes = jsonItems(value, options.maxItems);
  const processor = new RowProcessor({ ...options, batchSize: Number.MAX_SAFE_INTEGER });
  addJsonItems(processor, codes);
  const [batch] = processor.take(0, true);
  return batch ?? { accepted: [], rejected: [], blankLines: 0, bytesRead: 0 };
}
