import { crc32 } from "node:zlib";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { cellText } from "../../../app/domain/pools/upload/xlsx";
import { bytes, chunks, codes, collect, refusal } from "./helpers";

type Cell = ExcelJS.CellValue;

async function workbook(sheets: Cell[][][], configure?: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  sheets.forEach((rows, i) => {
    const sheet = wb.addWorksheet(`Sheet ${i + 1}`);
    for (const row of rows) sheet.addRow(row);
  });
  configure?.(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function parseXlsx(
  data: Uint8Array,
  options: { maxBytes?: number; batchSize?: number; timezoneOffsetMinutes?: number } = {},
  chunkSize = 4096,
) {
  return collect(chunks(data, chunkSize), { format: "xlsx", ...options });
}

/** A valid zip archive holding one stored (uncompressed) file: a zip that is not a workbook. */
function zipOf(name: string, content: string): Uint8Array {
  const nameBytes = bytes(name);
  const data = bytes(content);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return new Uint8Array(Buffer.concat([local, nameBytes, data, central, nameBytes, end]));
}

describe("Excel .xlsx uploads", () => {
  it("reads a header row, numeric codes, date cells, booleans and rich text", async () => {
    const data = await workbook([
      [
        ["Coupon Code", "Expires", "Discount", "Type", "In use"],
        ["SPRING1", new Date(Date.UTC(2030, 5, 30, 18, 45)), 15, "vip", true],
        [123456, new Date(Date.UTC(2030, 11, 31)), 0, null, false],
        [{ richText: [{ text: "RICH" }, { text: "TEXT1", font: { bold: true } }] }, null, null, null, "no"],
        ["SPRING1", null, null, null, null],
      ],
    ]);
    const result = await parseXlsx(data);
    expect(result.accepted).toEqual([
      { line: 2, code: "SPRING1", expiresAt: new Date("2030-06-30T18:45:00Z"), discount: 15, tag: "vip", inUse: true },
      // A date without a time in a spreadsheet is valid through the end of that day.
      {
        line: 3,
        code: "123456",
        expiresAt: new Date("2030-12-31T23:59:59.999Z"),
        discount: 0,
        tag: null,
        inUse: false,
      },
      { line: 4, code: "RICHTEXT1", expiresAt: null, discount: null, tag: null, inUse: false },
    ]);
    expect(result.rejected).toEqual([{ line: 5, reason: "duplicate_in_file", value: "SPRING1" }]);
  });

  it("applies the upload's timezone to spreadsheet dates, which carry none", async () => {
    const data = await workbook([
      [
        ["code", "expires"],
        ["AAA111", new Date(Date.UTC(2030, 0, 1, 9, 0))],
      ],
    ]);
    const result = await parseXlsx(data, { timezoneOffsetMinutes: -300 });
    expect(result.accepted[0]?.expiresAt?.toISOString()).toBe("2030-01-01T14:00:00.000Z");
  });

  it("GIVEN a title row above the header (in another column than the codes) THEN it is reported as above the header", async () => {
    const data = await workbook([[[null, "Spring campaign codes"], [], ["Code", "Expires"], ["AAA111", new Date("2030-01-01T00:00:00Z")]]]);
    const result = await parseXlsx(data);
    expect(codes(result)).toEqual(["AAA111"]);
    expect(result.accepted[0]?.line).toBe(4);
    expect(result.rejected).toEqual([{ line: 1, reason: "above_header", value: "Spring campaign codes" }]);
  });

  it("GIVEN a single column without a header THEN every row is a code, numbers included", async () => {
    const data = await workbook([[["ALPHA1"], [20240101], ["BETA2"]]]);
    const result = await parseXlsx(data);
    expect(codes(result)).toEqual(["ALPHA1", "20240101", "BETA2"]);
    expect(result.accepted.map((c) => c.line)).toEqual([1, 2, 3]);
  });

  it("GIVEN numbered codes shown through a custom number format (prefix, dashes, colour) THEN each code is the text the sheet shows", async () => {
    const formats: [number, string, string][] = [
      [42, '"SAVE-"0000', "SAVE-0042"],
      [123456, "000-000", "123-456"],
      [99, '[Red]"VIP"00000', "VIP00099"],
      [5, "#00", "05"],
      [1234567, '"X"000', "X1234567"],
      // Not a whole-number format the sheet shows as a code: the bare number, as before.
      [42, "0.00", "42"],
    ];
    const data = await workbook([[["code"], ...formats.map(([value]) => [value])]], (wb) => {
      const sheet = wb.worksheets[0];
      if (!sheet) throw new Error("no sheet");
      formats.forEach(([, numFmt], i) => (sheet.getCell(`A${i + 2}`).numFmt = numFmt));
    });
    const result = await parseXlsx(data);
    expect(codes(result)).toEqual(formats.map(([, , shown]) => shown));
  });

  it.each([
    [7, "\\A\\B0000", "AB0007"],
    [99, "[$€-407]0000", "€0099"],
    [99, "[$-409]0000", "0099"],
    [0, "#", ""],
    [0, "0", "0"],
    [42, "0000;-0000;0", "0042"],
    [42, "#,##0", "42"],
    [99, "[>100]0000", "99"],
  ])("shows %d in the format %j as %j", (value, numFmt, shown) => {
    expect(cellText(value, numFmt)).toBe(shown);
  });

  it("keeps the leading zeros a zero-padded number format shows, and reads percentage cells as percents", async () => {
    const data = await workbook(
      [
        [
          ["code", "discount"],
          [1234, 0.25],
        ],
      ],
      (wb) => {
        const sheet = wb.worksheets[0];
        if (!sheet) throw new Error("no sheet");
        sheet.getCell("A2").numFmt = "000000";
        sheet.getCell("B2").numFmt = "0%";
      },
    );
    const result = await parseXlsx(data);
    expect(result.accepted).toMatchObject([{ code: "001234", discount: 25 }]);
  });

  it("GIVEN error cells and numbers a double cannot hold exactly WHEN read THEN each such line is rejected as not a code, never imported as #N/A or 1e+21", async () => {
    const error = (text: string) => ({ error: text }) as ExcelJS.CellErrorValue;
    const data = await workbook([
      [
        ["code", "tag"],
        ["GOOD1", null],
        [error("#N/A"), null], // 3: a lookup that found nothing
        [{ formula: "VLOOKUP(1,Z1:Z2,1,FALSE)", result: error("#N/A") } as ExcelJS.CellFormulaValue, "x"], // 4
        [1e21, null], // 5: shown as 1E+21
        [Number("12345678901234567890"), null], // 6: more digits than a double keeps
        [9007199254740991, null], // the largest whole number a double holds exactly: read as it is
        ["GOOD2", error("#REF!")], // 8: an error in a column that is read
      ],
    ]);
    const result = await parseXlsx(data);
    expect(codes(result)).toEqual(["GOOD1", "9007199254740991"]);
    expect(result.rejected).toEqual([
      { line: 3, reason: "invalid_entry", value: "#N/A" },
      { line: 4, reason: "invalid_entry", value: "=VLOOKUP(1,Z1:Z2,1,FALSE)" },
      { line: 5, reason: "invalid_entry", value: "1e+21" },
      { line: 6, reason: "invalid_entry", value: "12345678901234567000" },
      { line: 8, reason: "invalid_entry", value: "#REF!" },
    ]);
  });

  it("finds the code column wherever it is, with empty cells before it, and reports an expiry left as a serial number", async () => {
    const data = await workbook([
      [
        ["id", "note", "Voucher Code", "Valid until"],
        [null, null, "LATE1", new Date(Date.UTC(2030, 0, 2))],
        [7, null, "LATE2", 47485], // the same day as an unformatted number: Excel's serial, not a date we read
      ],
    ]);
    const result = await parseXlsx(data);
    expect(result.accepted).toMatchObject([{ line: 2, code: "LATE1", expiresAt: new Date("2030-01-02T23:59:59.999Z") }]);
    expect(result.rejected).toEqual([{ line: 3, reason: "bad_date", value: "47485" }]);
  });

  it("reads only the first worksheet", async () => {
    const data = await workbook([
      [["code"], ["FIRST1"]],
      [["code"], ["SECOND1"]],
    ]);
    expect(codes(await parseXlsx(data))).toEqual(["FIRST1"]);
  });

  it("uses spreadsheet row numbers as line numbers, skipping empty rows", async () => {
    const data = await workbook([[["code"], ["AAA111"]]], (wb) => {
      const sheet = wb.worksheets[0];
      if (!sheet) throw new Error("no sheet");
      sheet.getCell("A7").value = "BBB 222";
    });
    const result = await parseXlsx(data);
    expect(result.rejected).toEqual([{ line: 7, reason: "invalid_characters", value: "BBB 222" }]);
  });

  it("refuses a sheet with several columns and none named as the code column", async () => {
    const data = await workbook([
      [
        ["id", "name"],
        [1, "Ann"],
      ],
    ]);
    expect((await refusal(parseXlsx(data))).reason).toBe("no_code_column");
  });

  it("refuses a workbook whose first sheet is empty", async () => {
    const data = await workbook([[]]);
    expect((await refusal(parseXlsx(data))).reason).toBe("empty_file");
  });

  it("refuses a PNG renamed .xlsx after its first bytes", async () => {
    let pulled = 0;
    async function* png(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      for (;;) {
        pulled++;
        yield new Uint8Array(1024);
      }
    }
    const r = await refusal(collect(png(), { format: "xlsx" }));
    expect(r.reason).toBe("not_xlsx");
    expect(r.message).toMatch(/not an Excel \.xlsx workbook/);
    expect(pulled).toBeLessThan(100);
  });

  it("refuses a CSV declared as xlsx, suggesting the CSV upload", async () => {
    const r = await refusal(parseXlsx(bytes("code\nAAA111\n")));
    expect(r.reason).toBe("not_xlsx");
    expect(r.message).toMatch(/Upload it as CSV/);
  });

  it("refuses a zip archive that holds no workbook", async () => {
    const r = await refusal(parseXlsx(zipOf("hello.txt", "hello")));
    expect(r.reason).toBe("not_xlsx");
  });

  it("refuses a truncated workbook instead of waiting for the rest", async () => {
    const data = await workbook([[["code"], ...Array.from({ length: 2000 }, (_, i) => [`CODE${i}`])]]);
    const r = await refusal(parseXlsx(data.subarray(0, Math.floor(data.length / 2))));
    expect(r.reason).toBe("not_xlsx");
  });

  it("refuses an over-size workbook as soon as the limit is passed", async () => {
    const data = await workbook([[["code"], ...Array.from({ length: 5000 }, (_, i) => [`CODE${i}`])]]);
    const r = await refusal(parseXlsx(data, { maxBytes: 10_000 }, 1024));
    expect(r.reason).toBe("too_large");
  });

  it("reads a small workbook reliably, run after run (the zip reader used to lose its last entries: exceljs#3064)", async () => {
    const data = await workbook([
      [
        ["code", "expires"],
        ["AAA111", new Date(Date.UTC(2030, 0, 1))],
      ],
    ]);
    for (let run = 0; run < 200; run++) {
      const result = await parseXlsx(data, {}, data.length);
      expect(codes(result)).toEqual(["AAA111"]);
    }
  });

  it("streams a larger sheet in bounded batches with growing progress", async () => {
    const rows = 20_000;
    const data = await workbook([
      [["code", "discount"], ...Array.from({ length: rows }, (_, i) => [`CODE${i}`, i % 100])],
    ]);
    const result = await parseXlsx(data, { batchSize: 3000 }, 16 * 1024);
    expect(result.accepted).toHaveLength(rows);
    expect(result.batches.every((b) => b.accepted.length <= 3000)).toBe(true);
    expect(result.batches.length).toBeGreaterThanOrEqual(Math.ceil(rows / 3000));
    expect(result.accepted.at(-1)).toMatchObject({ line: rows + 1, code: `CODE${rows - 1}`, discount: 99 });
    const progress = result.batches.map((b) => b.bytesRead);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});
