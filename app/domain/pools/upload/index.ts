// Getting promo codes out of an upload: paste (one code per line), CSV, Excel .xlsx, or a JSON body.
//
// parseUpload streams: it reads the input chunk by chunk and yields bounded batches of accepted codes and rejected
// lines as it goes, with the bytes consumed so far for a progress bar. A file that is not what it claims (binary
// declared as CSV, not a workbook declared as xlsx, over the size limit, no code column, a quote never closed,
// nothing in it) is refused whole with UploadRefusedError; the parts of it read before the problem was found may
// already have been yielded, so callers import inside a transaction or discard on error.

import { chooseDelimiter, CsvTokenizer, NO_DELIMITER } from "./csv";
import { addJsonItems, jsonItems } from "./json";
import { CountedInput, describeBinary, SNIFF_BYTES, withHead, type ByteSource } from "./input";
import { RowProcessor, type RowOptions } from "./rows";
import { DEFAULT_MAX_BYTES, UploadRefusedError, type UploadBatch, type UploadOptions } from "./types";
import { parseXlsx } from "./xlsx";

export { checkCode, DEFAULT_MAX_CODE_LENGTH, hasOnlyAllowedCharacters, normaliseCodeKey } from "../code-rules";
export { CODE_HEADERS, mapColumns, normaliseHeader } from "./columns";
export { detectFormat } from "./detect";
export { parseDiscount, parseExpiry, parseInUse, parseTag } from "./fields";
export type { ByteSource } from "./input";
export { DEFAULT_MAX_JSON_ITEMS, parseJsonCodes, type JsonOptions } from "./json";
export { DEFAULT_REPORTED_REJECTIONS, storedReport, summarise, UploadSummary, type UploadReport } from "./summary";
export * from "./types";

function emptyFile(processor: RowProcessor): UploadRefusedError {
  return new UploadRefusedError(
    "empty_file",
    processor.headerSeen ? "The file has a header row but no codes." : "The file has no codes.",
  );
}

async function* parseText(
  source: ByteSource,
  format: "csv" | "paste",
  options: RowOptions & { maxBytes: number },
): AsyncGenerator<UploadBatch> {
  const input = new CountedInput(source, options.maxBytes);
  const processor = new RowProcessor(options);
  /** The line of Excel's `sep=;` directive, which is not a row of the file. */
  let directiveLine: number | null = null;
  const onRecord = (cells: string[], line: number) => {
    if (line !== directiveLine) processor.addRow(cells, line);
  };
  let tokenizer: CsvTokenizer | null = null;
  if (format === "paste") {
    processor.useSingleColumn();
    tokenizer = new CsvTokenizer(NO_DELIMITER, false, onRecord);
  }
  let head = "";
  const feed = (text: string, final: boolean) => {
    if (tokenizer === null) {
      head += text;
      const choice = chooseDelimiter(head, final);
      if (choice === null) return;
      directiveLine = choice.directiveLine;
      tokenizer = new CsvTokenizer(choice.delimiter, true, onRecord);
      text = head;
      head = "";
    }
    tokenizer.push(text, final);
  };
  const checkHead = (bytes: Uint8Array) => {
    const problem = describeBinary(bytes);
    if (problem !== null) throw new UploadRefusedError(format === "csv" ? "not_csv" : "not_text", problem);
  };

  // Not fatal: the start of the file was checked to be UTF-8; a stray invalid byte further on becomes U+FFFD,
  // which the code and tag checks refuse on that line only.
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of withHead(input.chunks(), SNIFF_BYTES, checkHead)) {
    feed(decoder.decode(chunk, { stream: true }), false);
    yield* processor.take(input.bytesRead);
  }
  feed(decoder.decode(), true);
  processor.end();
  if (processor.dataRows === 0) throw emptyFile(processor);
  yield* processor.take(input.bytesRead, true);
}

async function* parseJsonUpload(
  source: ByteSource,
  options: RowOptions & { maxBytes: number },
): AsyncGenerator<UploadBatch> {
  const input = new CountedInput(source, options.maxBytes);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: string[] = [];
  let value: unknown;
  try {
    for await (const chunk of input.chunks()) parts.push(decoder.decode(chunk, { stream: true }));
    parts.push(decoder.decode());
    value = JSON.parse(parts.join(""));
  } catch (error) {
    if (error instanceof UploadRefusedError) throw error;
    throw new UploadRefusedError(
      "not_json",
      `The body is not valid JSON (${error instanceof Error ? error.message : ""}).`,
    );
  }
  const processor = new RowProcessor(options);
  addJsonItems(processor, jsonItems(value));
  yield* processor.take(input.bytesRead, true);
}

/**
 * Streams an upload into batches of accepted codes and rejected lines.
 * Throws UploadRefusedError when the whole file must be refused (see the reasons in types.ts).
 */
export function parseUpload(source: ByteSource, options: UploadOptions): AsyncGenerator<UploadBatch> {
  const resolved = { ...options, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };
  switch (options.format) {
    case "csv":
    case "paste":
      return parseText(source, options.format, resolved);
    case "xlsx":
      return parseXlsx(source, resolved);
    case "json":
      return parseJsonUpload(source, resolved);
  }
}
