import { describe, expect, it } from "vitest";
import { parseJsonCodes, UploadSummary, type RejectedLine } from "../../../app/domain/pools/upload";
import { bytes, chunks, collect, refusal } from "./helpers";

describe("JSON uploads (API)", () => {
  it("accepts a list of strings, with line = position in the array", () => {
    const batch = parseJsonCodes({ codes: ["AAA111", " BBB222 ", "aaa111", ""] });
    expect(batch.accepted.map((c) => [c.line, c.code])).toEqual([
      [1, "AAA111"],
      [2, "BBB222"],
    ]);
    expect(batch.rejected).toEqual([
      { line: 3, reason: "duplicate_in_file", value: "aaa111" },
      { line: 4, reason: "empty", value: "" },
    ]);
  });

  it("accepts objects with optional fields, checked like file cells", () => {
    const batch = parseJsonCodes({
      codes: [
        { code: "AAA111", expiresAt: "2030-01-01T10:00:00Z", discount: 10, tag: "vip", inUse: true },
        { code: "BBB222", expiresAt: null, discount: null },
        { code: "CCC333", discount: 100 },
        { code: "DDD444", expiresAt: "01/01/2030" },
        { code: 12345 },
        { code: "EEE555", inUse: "perhaps" },
      ],
    });
    expect(batch.accepted).toEqual([
      { line: 1, code: "AAA111", expiresAt: new Date("2030-01-01T10:00:00Z"), discount: 10, tag: "vip", inUse: true },
      { line: 2, code: "BBB222", expiresAt: null, discount: null, tag: null, inUse: false },
      { line: 5, code: "12345", expiresAt: null, discount: null, tag: null, inUse: false },
    ]);
    expect(batch.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, "discount_out_of_range"],
      [4, "bad_date"],
      [6, "bad_in_use_flag"],
    ]);
  });

  it("rejects items of the wrong shape one by one", () => {
    const batch = parseJsonCodes({ codes: ["AAA111", 42.5, { nope: true }, null, { code: ["x"] }] });
    expect(batch.accepted).toHaveLength(1);
    expect(batch.rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, "invalid_entry"],
      [3, "invalid_entry"],
      [4, "invalid_entry"],
      [5, "invalid_entry"],
    ]);
    expect(batch.rejected[1]?.value).toBe('{"nope":true}');
  });

  it("GIVEN an array or object nested too deep to write out WHEN parsed THEN its line is rejected as an unreadable entry, not thrown", () => {
    let deepArray: unknown = [];
    let deepObject: unknown = {};
    for (let i = 0; i < 400_000; i++) {
      deepArray = [deepArray];
      deepObject = { code: deepObject };
    }
    const batch = parseJsonCodes({ codes: ["AAA111", deepArray, deepObject] });
    expect(batch.accepted.map((c) => c.code)).toEqual(["AAA111"]);
    expect(batch.rejected).toEqual([
      { line: 2, reason: "invalid_entry", value: "(unreadable entry)" },
      { line: 3, reason: "invalid_entry", value: "(unreadable entry)" },
    ]);
  });

  it("refuses a body without a codes array, an empty array, and too many items", () => {
    expect(() => parseJsonCodes(["AAA111"])).toThrow(/"codes" array/);
    expect(() => parseJsonCodes({ codes: [] })).toThrow(/empty/);
    expect(() => parseJsonCodes({ codes: ["A1", "B2", "C3"] }, { maxItems: 2 })).toThrow(/at most 2/);
  });

  it("parses a JSON upload stream into bounded batches", async () => {
    const body = JSON.stringify({ codes: Array.from({ length: 25 }, (_, i) => `CODE${i}`) });
    const result = await collect(chunks(bytes(body), 7), { format: "json", batchSize: 10 });
    expect(result.batches.map((b) => b.accepted.length)).toEqual([10, 10, 5]);
    expect(result.batches.at(-1)?.bytesRead).toBe(bytes(body).length);
  });

  it("refuses a JSON upload that is not JSON", async () => {
    const r = await refusal(collect(chunks(bytes("{codes: [")), { format: "json" }));
    expect(r.reason).toBe("not_json");
  });
});

describe("upload report", () => {
  const rejected = (line: number, reason: RejectedLine["reason"]): RejectedLine => ({
    line,
    reason,
    value: `v${line}`,
  });

  it("counts accepted codes, in-file and in-pool duplicates and other rejections separately", () => {
    const summary = new UploadSummary();
    summary.add({
      accepted: [{ line: 1, code: "A", expiresAt: null, discount: null, tag: null, inUse: false }],
      rejected: [rejected(2, "duplicate_in_file"), rejected(3, "bad_date")],
      blankLines: 2,
      bytesRead: 100,
    });
    summary.add({
      accepted: [],
      rejected: [rejected(4, "duplicate_in_pool"), rejected(5, "too_long")],
      bytesRead: 200,
    });
    const report = summary.report();
    expect(report).toMatchObject({
      accepted: 1,
      duplicatesInFile: 1,
      duplicatesInPool: 1,
      rejected: 2,
      blankLines: 2,
      bytesRead: 200,
    });
    expect(report.byReason.bad_date).toBe(1);
    expect(report.rejections.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });

  it("caps the listed rejections and counts the rest", () => {
    const summary = new UploadSummary(1_000);
    summary.add({
      accepted: [],
      rejected: Array.from({ length: 2_500 }, (_, i) => rejected(i + 1, "invalid_characters")),
    });
    const report = summary.report();
    expect(report.rejected).toBe(2_500);
    expect(report.rejections).toHaveLength(1_000);
    expect(report.rejections.at(-1)?.line).toBe(1_000);
    expect(report.rejectionsOmitted).toBe(1_500);
  });

  it("moves codes found in the pool after the whole file was read from accepted to duplicates in pool, within the cap", () => {
    const code = (line: number) => ({ line, code: `C${line}`, expiresAt: null, discount: null, tag: null, inUse: false });
    const summary = new UploadSummary(3);
    summary.add({ accepted: [1, 2, 4, 6, 7].map(code), rejected: [rejected(3, "too_long"), rejected(5, "bad_date")] });
    summary.moveToPoolDuplicates(3, [rejected(4, "duplicate_in_pool"), rejected(6, "duplicate_in_pool")]);
    const report = summary.report();
    expect(report).toMatchObject({ accepted: 2, duplicatesInPool: 3, rejected: 2 });
    // Room for one more listed line: the other two in-pool duplicates are counted as omitted.
    expect(report.rejections.map((r) => [r.line, r.reason])).toEqual([
      [3, "too_long"],
      [5, "bad_date"],
      [4, "duplicate_in_pool"],
    ]);
    expect(report.rejectionsOmitted).toBe(2);
    expect(() => summary.moveToPoolDuplicates(3, [])).toThrow(RangeError);
  });
});
