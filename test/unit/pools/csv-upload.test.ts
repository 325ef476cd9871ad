import { describe, expect, it } from "vitest";
import { parseUpload, UploadRefusedError } from "../../../app/domain/pools/upload";
import { bytes, chunks, codes, collect, parseCsv, refusal } from "./helpers";

describe("CSV uploads: layout", () => {
  it.each([
    "code",
    "coupon",
    "coupon_code",
    "Coupon Code",
    "CODE",
    "promo_code",
    "PromoCode",
    "voucher",
    "coupon-code",
    " Code ",
    '"code"',
    '" Coupon_Code "',
  ])("recognises the header %j as the code column and does not import it", async (header) => {
    const result = await parseCsv(`${header}\nAAA111\nBBB222\n`);
    expect(codes(result)).toEqual(["AAA111", "BBB222"]);
    expect(result.accepted.map((c) => c.line)).toEqual([2, 3]);
  });

  it("GIVEN a single column without a header THEN every row, the first included, is a code", async () => {
    const result = await parseCsv("SUMMER1\nSUMMER2\nSUMMER3");
    expect(codes(result)).toEqual(["SUMMER1", "SUMMER2", "SUMMER3"]);
    expect(result.accepted.map((c) => c.line)).toEqual([1, 2, 3]);
  });

  it("finds the code column wherever it is and ignores unknown columns", async () => {
    const result = await parseCsv("id,campaign,Code,notes\n1,spring,AAA111,hello\n2,spring,BBB222,\n");
    expect(codes(result)).toEqual(["AAA111", "BBB222"]);
  });

  it("refuses a file with a header naming several columns but no code column, naming the columns found", async () => {
    const r = await refusal(parseCsv("id,name,email\n1,Ann,ann@example.com\n"));
    expect(r.reason).toBe("no_code_column");
    expect(r.message).toContain('"id", "name", "email"');
    expect(r.line).toBe(1);
  });

  it("refuses several unnamed columns, because it cannot tell which one holds the codes", async () => {
    const r = await refusal(parseCsv("AAA111,2030-01-01\nBBB222,2030-01-01\n"));
    expect(r.reason).toBe("no_code_column");
  });

  it("treats trailing empty cells of the first row as absent (a single column exported with extra separators)", async () => {
    const result = await parseCsv("AAA111,,\nBBB222,,\n");
    expect(codes(result)).toEqual(["AAA111", "BBB222"]);
  });

  it("refuses an empty file, a file of blank lines, and a header without codes", async () => {
    expect((await refusal(parseCsv(""))).reason).toBe("empty_file");
    expect((await refusal(parseCsv("\n\r\n  \n"))).reason).toBe("empty_file");
    const headerOnly = await refusal(parseCsv("code\n"));
    expect(headerOnly.reason).toBe("empty_file");
    expect(headerOnly.message).toMatch(/header row but no codes/);
  });
});

describe("CSV uploads: titles above the header, and Excel's sep= line", () => {
  it("GIVEN title rows above the header (a report export) THEN they are reported as above the header and the header's delimiter is used", async () => {
    const result = await parseCsv("Black Friday codes, 2026\nExported: 2026-11-01\n\ncode;expires\nAAA111;2030-01-01\nBBB222;2030-01-01\n");
    expect(codes(result)).toEqual(["AAA111", "BBB222"]);
    expect(result.accepted.map((c) => [c.line, c.expiresAt?.toISOString().slice(0, 10)])).toEqual([
      [5, "2030-01-01"],
      [6, "2030-01-01"],
    ]);
    expect(result.rejected).toEqual([
      { line: 1, reason: "above_header", value: "Black Friday codes, 2026" },
      { line: 2, reason: "above_header", value: "Exported: 2026-11-01" },
    ]);
    expect(result.report.byReason.above_header).toBe(2);
  });

  it("GIVEN a title above a one-column header THEN the header is not imported as a code", async () => {
    const result = await parseCsv("Codes for the newsletter\ncode\nAAA111\n", {}, 7);
    expect(codes(result)).toEqual(["AAA111"]);
    expect(result.rejected.map((r) => r.reason)).toEqual(["above_header"]);
  });

  it("GIVEN a header-less list whose first line is not a valid code THEN nothing is taken for a title: the line is rejected as before", async () => {
    const result = await parseCsv("AB CD\nAAA111\ncoupon\n");
    expect(codes(result)).toEqual(["AAA111", "coupon"]);
    expect(result.rejected).toEqual([{ line: 1, reason: "invalid_characters", value: "AB CD" }]);
  });

  it("looks for the header only under the first five rows", async () => {
    const titles = Array.from({ length: 6 }, (_, i) => `title ${i + 1}`).join("\n");
    const result = await parseCsv(`${titles}\ncode\nAAA111\n`);
    expect(result.rejected.map((r) => r.reason)).toEqual(Array(6).fill("invalid_characters"));
    expect(codes(result)).toEqual(["code", "AAA111"]);
  });

  it("still refuses unnamed columns, and a title with a header but no codes", async () => {
    expect((await refusal(parseCsv("a,b\n1,2\n3,4\n"))).reason).toBe("no_code_column");
    const empty = await refusal(parseCsv("Black Friday codes\ncode\n"));
    expect(empty.reason).toBe("empty_file");
    expect(empty.message).toMatch(/header row but no codes/);
  });

  it.each([
    ["semicolon", "sep=;\ncode;expires\nAAA111;2030-01-01\n"],
    ["tab, CRLF", "sep=\t\r\ncode\texpires\r\nAAA111\t2030-01-01\r\n"],
    ["comma, quoted", '"sep=,"\ncode,expires\nAAA111,2030-01-01\n'],
  ])("GIVEN Excel's sep= line (%s) THEN it names the delimiter and is neither a header nor a code", async (_name, text) => {
    const result = await parseCsv(text);
    expect(codes(result)).toEqual(["AAA111"]);
    expect(result.accepted[0]?.line).toBe(3);
    expect(result.accepted[0]?.expiresAt).not.toBeNull();
    expect(result.rejected).toEqual([]);
  });
});

describe("CSV uploads: encodings, line ends and delimiters", () => {
  it("ignores a UTF-8 byte order mark before the header", async () => {
    const result = await parseCsv("\uFEFFcode\nAAA111\n");
    expect(codes(result)).toEqual(["AAA111"]);
  });

  it("ignores a byte order mark before a header-less first code", async () => {
    const result = await parseCsv("\uFEFFAAA111\nBBB222\n");
    expect(codes(result)).toEqual(["AAA111", "BBB222"]);
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["lone CR", "\r"],
  ])("reads %s line ends with the right line numbers", async (_name, eol) => {
    const result = await parseCsv(["code", "AAA111", "BBB222", "CCC333"].join(eol) + eol);
    expect(codes(result)).toEqual(["AAA111", "BBB222", "CCC333"]);
    expect(result.accepted.map((c) => c.line)).toEqual([2, 3, 4]);
  });

  it.each([
    ["comma", ","],
    ["semicolon", ";"],
    ["tab", "\t"],
  ])("sniffs a %s delimiter from the header", async (_name, d) => {
    const result = await parseCsv(`code${d}discount${d}tag\nAAA111${d}10${d}vip\nBBB222${d}${d}\n`);
    expect(result.accepted).toMatchObject([
      { code: "AAA111", discount: 10, tag: "vip" },
      { code: "BBB222", discount: null, tag: null },
    ]);
  });

  it("does not let a delimiter inside quotes decide the delimiter", async () => {
    const result = await parseCsv('"Coupon Code";"note, with, commas"\nAAA111;"x, y"\n');
    expect(codes(result)).toEqual(["AAA111"]);
  });

  it("refuses binary content declared as CSV before importing anything", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const r = await refusal(collect(chunks(png), { format: "csv" }));
    expect(r.reason).toBe("not_csv");
    expect(r.message).toMatch(/binary/);
  });

  it("refuses text that is not UTF-8 (Latin-1 é) found in the first 64 KB", async () => {
    const latin1 = new Uint8Array([...bytes("code\nCAF"), 0xe9, ...bytes("\nAAA111\n")]);
    const r = await refusal(collect(chunks(latin1), { format: "csv" }));
    expect(r.reason).toBe("not_csv");
    expect(r.message).toMatch(/UTF-8/);
  });

  it("refuses UTF-16 text (Excel's 'Unicode text') with a hint, and without its byte order mark as not text", async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, 0x63, 0, 0x6f, 0, 0x64, 0, 0x65, 0]);
    const r = await refusal(collect(chunks(utf16), { format: "csv" }));
    expect(r.reason).toBe("not_csv");
    expect(r.message).toMatch(/UTF-16/);
    const withoutBom = await refusal(collect(chunks(utf16.subarray(2)), { format: "csv" }));
    expect(withoutBom.reason).toBe("not_csv");
  });

  it("refuses an .xlsx workbook declared as CSV", async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    const r = await refusal(collect(chunks(zip), { format: "csv" }));
    expect(r.reason).toBe("not_csv");
    expect(r.message).toMatch(/xlsx/);
  });

  it("keeps multi-byte characters split across chunks intact", async () => {
    const result = await parseCsv("code,tag\nAAA111,Été ☀️\n", {}, 1);
    expect(result.accepted[0]?.tag).toBe("Été ☀️");
  });
});

describe("CSV uploads: quoted fields", () => {
  // The note column is not one we import, so multi-line text there is harmless; it still moves line numbers.
  const tricky =
    "code,tag,discount,note\r\n" +
    '"AAA111","a, b",10,\r\n' +
    '"BBB222",x,20,"line one\r\nline two"\r\n' +
    'CCC333,"she said ""hi""",30,\r\n' +
    '"DDD444",,,"multi\nline\nvalue"\r\n' +
    "EEE555,plain,,\r\n" +
    '"FFF\n666",,,\r\n';

  it("reads embedded delimiters, line breaks and doubled quotes", async () => {
    const result = await parseCsv(tricky);
    expect(result.accepted.map((c) => [c.code, c.tag, c.discount])).toEqual([
      ["AAA111", "a, b", 10],
      ["BBB222", "x", 20],
      ["CCC333", 'she said "hi"', 30],
      ["DDD444", null, null],
      ["EEE555", "plain", null],
    ]);
    expect(result.rejected).toEqual([{ line: 10, reason: "invalid_characters", value: "FFF\n666" }]);
  });

  it("GIVEN multi-line quoted fields THEN each record reports the physical line it starts on", async () => {
    const result = await parseCsv(tricky);
    expect(result.accepted.map((c) => c.line)).toEqual([2, 3, 5, 6, 9]);
  });

  it("refuses a line break inside a tag", async () => {
    const result = await parseCsv('code,tag\nAAA111,"two\nlines"\n');
    expect(result.rejected).toMatchObject([{ line: 2, reason: "bad_tag" }]);
  });

  it("gives the same result however the bytes are chunked (splits inside quotes, CRLF and escapes)", async () => {
    const whole = await parseCsv(tricky);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const split = await parseCsv(tricky, {}, size);
      expect(split.accepted).toEqual(whole.accepted);
    }
  });

  it("refuses a quoted field never closed, naming the line it opens on", async () => {
    const r = await refusal(parseCsv('code,tag\nAAA111,ok\nBBB222,"never closed\nCCC333,x\n'));
    expect(r.reason).toBe("unterminated_quote");
    expect(r.line).toBe(3);
    expect(r.message).toMatch(/line 3/);
  });

  it("refuses a quote left open for more than a megabyte without waiting for the end of the file", async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield bytes('code\n"AAA111\n');
      const filler = bytes("BBB222\n".repeat(10_000));
      for (;;) {
        produced += filler.length;
        yield filler;
      }
    }
    const r = await refusal(collect(endless(), { format: "csv" }));
    expect(r.reason).toBe("unterminated_quote");
    expect(produced).toBeLessThan(3 * 1024 * 1024);
  });
});

describe("CSV uploads: per-line validation", () => {
  it("rejects each bad line with its reason and line number, and keeps the good ones", async () => {
    const long = "X".repeat(256);
    const csv = [
      "code,expires,discount,type,in_use", // 1
      "GOOD1,2030-12-31T23:59,10,vip,1", // 2
      ",2030-01-01,,,", // 3 empty code
      `${long},,,,`, // 4 too long
      "HAS SPACE,,,,", // 5
      "CAFÉ,,,,", // 6
      "GOOD2,31/12/2030,,,", // 7 bad date
      "GOOD3,2030-02-30,,,", // 8 bad date (no such day)
      "GOOD4,,100,,", // 9
      "GOOD5,,-1,,", // 10
      "GOOD6,,ten,,", // 11
      "GOOD7,,,,maybe", // 12
      `GOOD8,,,${"t".repeat(65)},`, // 13
      "good1,,,,", // 14 duplicate of GOOD1
      "GOOD9,,99,,no", // 15
      "GOOD10,,,,constructor", // 16: a name Object.prototype has
      "GOOD11,,,,__proto__", // 17
    ].join("\n");
    const result = await parseCsv(csv);
    expect(codes(result)).toEqual(["GOOD1", "GOOD9"]);
    expect(result.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, "empty"],
      [4, "too_long"],
      [5, "invalid_characters"],
      [6, "invalid_characters"],
      [7, "bad_date"],
      [8, "bad_date"],
      [9, "discount_out_of_range"],
      [10, "discount_out_of_range"],
      [11, "bad_discount"],
      [12, "bad_in_use_flag"],
      [13, "bad_tag"],
      [14, "duplicate_in_file"],
      [16, "bad_in_use_flag"],
      [17, "bad_in_use_flag"],
    ]);
    expect(result.rejected.find((r) => r.line === 4)?.value).toHaveLength(100);
    expect(result.rejected.find((r) => r.line === 7)?.value).toBe("31/12/2030");
  });

  it("reads the optional fields of accepted codes", async () => {
    const result = await parseCsv(
      "Coupon Code;Expiration Date;Discount;Tag;Used\nAAA111;2017-12-31T23:59;15;summer;yes\nBBB222;2017-12-31;0;;N\nCCC333;;;;\n",
    );
    expect(result.accepted).toEqual([
      {
        line: 2,
        code: "AAA111",
        expiresAt: new Date("2017-12-31T23:59:00Z"),
        discount: 15,
        tag: "summer",
        inUse: true,
      },
      {
        line: 3,
        code: "BBB222",
        expiresAt: new Date("2017-12-31T23:59:59.999Z"),
        discount: 0,
        tag: null,
        inUse: false,
      },
      { line: 4, code: "CCC333", expiresAt: null, discount: null, tag: null, inUse: false },
    ]);
  });

  it("applies the merchant's timezone to expiry dates written without one", async () => {
    const result = await parseCsv("code,expires\nAAA111,2017-12-31T23:59\nBBB222,2017-12-31T23:59Z\n", {
      timezoneOffsetMinutes: 120,
    });
    expect(result.accepted.map((c) => c.expiresAt?.toISOString())).toEqual([
      "2017-12-31T21:59:00.000Z",
      "2017-12-31T23:59:00.000Z",
    ]);
  });

  it("trims codes and treats duplicates case-insensitively, keeping the first spelling", async () => {
    const result = await parseCsv("code\n  Summer10  \nSUMMER10\nsummer10\nWINTER\n");
    expect(codes(result)).toEqual(["Summer10", "WINTER"]);
    expect(result.rejected).toEqual([
      { line: 3, reason: "duplicate_in_file", value: "SUMMER10" },
      { line: 4, reason: "duplicate_in_file", value: "summer10" },
    ]);
    expect(result.report.duplicatesInFile).toBe(2);
    expect(result.report.rejected).toBe(0);
  });

  it("lets a later valid line claim a code whose first line was rejected", async () => {
    const result = await parseCsv("code,discount\nAAA111,200\naaa111,20\n");
    expect(result.accepted).toMatchObject([{ line: 3, code: "aaa111", discount: 20 }]);
  });

  it("skips blank lines without reporting them, and keeps counting them for line numbers", async () => {
    const result = await parseCsv("code,tag\n\nAAA111,\n   \n\nBBB222,x\n,\n");
    expect(result.accepted.map((c) => [c.code, c.line])).toEqual([
      ["AAA111", 3],
      ["BBB222", 6],
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.report.blankLines).toBe(4);
  });

  it("honours a smaller code length limit", async () => {
    const result = await parseCsv("code\nABCDEFGHIJ\nABCDEFGHIJK\n", { maxCodeLength: 10 });
    expect(codes(result)).toEqual(["ABCDEFGHIJ"]);
    expect(result.rejected).toMatchObject([{ line: 3, reason: "too_long" }]);
  });

  it('reads Excel\'s ="00123" export trick as the code 00123', async () => {
    const result = await parseCsv('code\n"=""00123"""\n');
    expect(codes(result)).toEqual(["00123"]);
  });
});

describe("CSV uploads: size limit and streaming", () => {
  it("refuses an over-size file as soon as the limit is passed, without reading the rest", async () => {
    let chunksPulled = 0;
    async function* huge(): AsyncGenerator<Uint8Array> {
      const chunk = bytes("ABCDEFGH12\n".repeat(1000)); // 11,000 bytes
      for (let i = 0; i < 1_000_000; i++) {
        chunksPulled++;
        yield chunk;
      }
    }
    const r = await refusal(collect(huge(), { format: "csv", maxBytes: 50_000 }));
    expect(r.reason).toBe("too_large");
    expect(r.message).toMatch(/48\.8 KB limit/);
    expect(chunksPulled).toBe(5); // 55,000 bytes > 50,000: the fifth chunk trips it
  });

  it("cancels a web stream source when it refuses the file", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(bytes("ABCDEFGH12\n".repeat(1000)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const batches = parseUpload(stream, { format: "csv", maxBytes: 20_000 });
    await expect(async () => {
      for await (const _ of batches) void _;
    }).rejects.toBeInstanceOf(UploadRefusedError);
    expect(cancelled).toBe(true);
  });

  it("reports the bytes read so far with every batch", async () => {
    const text = "code\n" + Array.from({ length: 100 }, (_, i) => `CODE${i}`).join("\n");
    const result = await parseCsv(text, { batchSize: 10 }, 50);
    const progress = result.batches.map((b) => b.bytesRead);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(bytes(text).length);
    expect(result.batches.every((b) => b.accepted.length <= 10)).toBe(true);
  });
});

describe("pasted codes", () => {
  it("takes one code per line, without header detection or quoting", async () => {
    const result = await collect(chunks(bytes('code\r\n  AAA111\n\n"BBB222"\nCCC,333\n')), { format: "paste" });
    expect(codes(result)).toEqual(["code", "AAA111"]);
    expect(result.rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, "invalid_characters"],
      [5, "invalid_characters"],
    ]);
  });

  it("refuses pasted binary as not text", async () => {
    const r = await refusal(collect(chunks(new Uint8Array([0x41, 0, 0x42])), { format: "paste" }));
    expect(r.reason).toBe("not_text");
  });
});
