import { describeBinary, startsWith, ZIP_SIGNATURE } from "./input";

/**
 * What an uploaded file is, judged by its content (the first bytes; 64 KB is plenty) rather than its name: a zip
 * archive is taken for an .xlsx workbook (parsing refuses it later if it holds no worksheet), UTF-8 text for CSV,
 * anything else (images, PDFs, legacy .xls, UTF-16 text) is unknown. The name only decides for an empty file.
 */
export function detectFormat(fileName: string, firstBytes: Uint8Array): "csv" | "xlsx" | "unknown" {
  if (firstBytes.length === 0) {
    const name = fileName.toLowerCase();
    if (name.endsWith(".xlsx")) return "xlsx";
    if (name.endsWith(".csv") || name.endsWith(".txt") || name.endsWith(".tsv")) return "csv";
    return "unknown";
  }
  if (startsWith(firstBytes, ZIP_SIGNATURE)) return "xlsx";
  return describeBinary(firstBytes) === null ? "csv" : "unknown";
}
