import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseUpload } from "../../../app/domain/pools/upload";

/** A CSV generated on the fly, never held whole: header + `rows` rows, every 1000th one a duplicate. */
function* generatedCsv(rows: number): Generator<Buffer> {
  const encoder = new TextEncoder();
  let lines: string[] = ["code;expires;discount;tag;in_use"];
  for (let i = 1; i <= rows; i++) {
    const code = i % 1000 === 0 ? `code${String(i - 1).padStart(8, "0")}` : `CODE${String(i).padStart(8, "0")}`;
    lines.push(`${code};2030-06-${String((i % 28) + 1).padStart(2, "0")}T12:00;${i % 100};batch-${i % 7};${i % 2}`);
    if (lines.length === 2000) {
      yield Buffer.from(encoder.encode(lines.join("\r\n") + "\r\n"));
      lines = [];
    }
  }
  if (lines.length > 0) yield Buffer.from(encoder.encode(lines.join("\r\n") + "\r\n"));
}

describe("large uploads", () => {
  it("GIVEN a 200,000-row CSV from a Node stream THEN it arrives in bounded batches with the right totals", async () => {
    const rows = 200_000;
    const batchSize = 5_000;
    let accepted = 0;
    let duplicates = 0;
    let batches = 0;
    let lastBytes = 0;
    let lastLine = 0;
    for await (const batch of parseUpload(Readable.from(generatedCsv(rows)), { format: "csv", batchSize })) {
      batches++;
      expect(batch.accepted.length).toBeLessThanOrEqual(batchSize);
      expect(batch.rejected.length).toBeLessThanOrEqual(batchSize);
      expect(batch.bytesRead).toBeGreaterThanOrEqual(lastBytes);
      lastBytes = batch.bytesRead;
      accepted += batch.accepted.length;
      for (const r of batch.rejected) {
        expect(r.reason).toBe("duplicate_in_file");
        duplicates++;
      }
      const last = batch.accepted.at(-1);
      if (last) {
        expect(last.line).toBeGreaterThan(lastLine);
        lastLine = last.line;
      }
    }
    expect(accepted).toBe(rows - rows / 1000);
    expect(duplicates).toBe(rows / 1000);
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(accepted / batchSize));
    expect(lastLine).toBe(rows); // row 200,000 (line 200,001) is a duplicate
  });
});
