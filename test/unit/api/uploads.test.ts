import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import * as imports from "../../../app/routes/api.v1.imports.$importId";
import * as codes from "../../../app/routes/api.v1.pools.$poolId.codes";
import type { UploadReport } from "../../../app/domain/pools/upload";
import { XLSX_MEDIA_TYPE } from "../../../app/services/api/uploads.server";
import { createPoolWithCodes } from "../../support/pools";
import { call, createApiShop, errorOf, type ApiShop, type CallOptions } from "./helpers";

interface UploadBody {
  importId: string;
  poolId: string;
  format: string;
  status: string;
  report: UploadReport;
}

async function upload(shop: ApiShop, poolId: string, options: CallOptions): Promise<Response> {
  return call(codes, "POST", `/pools/${poolId}/codes`, { key: shop.key, params: { poolId }, ...options });
}

async function poolCodes(shop: ApiShop, poolId: string): Promise<string[]> {
  const rows = await shop.db.code.findMany({ where: { poolId }, orderBy: { id: "asc" }, select: { code: true } });
  return rows.map((r) => r.code);
}

async function workbook(rows: (string | number | Date | null)[][]): Promise<Uint8Array<ArrayBuffer>> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("Codes");
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function streamOf(text: string, chunkSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

const CSV = ["code,expires,discount", "A1,2030-01-01,10", "A2,,", "a1,,", "BAD CODE,,", "EXIST,,", "A3,not-a-date,", ""].join("\n");

describe("POST /api/v1/pools/:poolId/codes", () => {
  it("GIVEN a CSV body THEN it imports the good lines and reports every other line with its number and reason", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["EXIST"]);
    const response = await upload(shop, pool.id, { headers: { "content-type": "text/csv; charset=utf-8" }, body: CSV, query: { fileName: "spring.csv" } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as UploadBody;
    expect(response.headers.get("location")).toBe(`/api/v1/imports/${body.importId}`);
    expect(body).toMatchObject({ poolId: pool.id, format: "csv", status: "SUCCEEDED" });
    expect(body.report).toMatchObject({ accepted: 2, duplicatesInFile: 1, duplicatesInPool: 1, rejected: 2, rejectionsOmitted: 0 });
    expect(body.report.rejections).toEqual(
      expect.arrayContaining([
        { line: 4, reason: "duplicate_in_file", value: "a1" },
        { line: 5, reason: "invalid_characters", value: "BAD CODE" },
        { line: 6, reason: "duplicate_in_pool", value: "EXIST" },
        { line: 7, reason: "bad_date", value: "not-a-date" },
      ]),
    );
    expect(body.report.rejections).toHaveLength(4);
    expect(await poolCodes(shop, pool.id)).toEqual(["EXIST", "A1", "A2"]);
    const a1 = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, code: "A1" } });
    expect(a1.discount).toBe(10);
    // A date without a time means the end of that day (UTC).
    expect(a1.expiresAt?.toISOString()).toBe("2030-01-01T23:59:59.999Z");

    // The same report is there later, with the file name.
    const later = await call(imports, "GET", `/imports/${body.importId}`, { key: shop.key, params: { importId: body.importId } });
    expect(later.status).toBe(200);
    const { import: run } = (await later.json()) as { import: Record<string, unknown> };
    expect(run).toMatchObject({ id: body.importId, poolId: pool.id, source: "csv", fileName: "spring.csv", status: "SUCCEEDED", accepted: 2, duplicates: 2, rejected: 2, error: null });
    expect(run.report).toEqual(body.report);
  });

  it("streams a chunked CSV body (no Content-Length) into the pool", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const lines = Array.from({ length: 2_000 }, (_, i) => `STREAM-${i}`);
    const response = await upload(shop, pool.id, { headers: { "content-type": "text/csv" }, body: streamOf(`code\n${lines.join("\n")}\n`, 333) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as UploadBody).report.accepted).toBe(2_000);
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(2_000);
  });

  it("reads text/plain as one code per line", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const response = await upload(shop, pool.id, { headers: { "content-type": "text/plain" }, body: "P1\r\nP2\n\nP1\n" });
    const body = (await response.json()) as UploadBody;
    expect(body).toMatchObject({ format: "paste", report: { accepted: 2, duplicatesInFile: 1, blankLines: 1 } });
    expect(body.report.rejections).toEqual([{ line: 4, reason: "duplicate_in_file", value: "P1" }]);
  });

  it("takes a JSON list of strings and objects, reporting array positions", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["J0"]);
    const response = await upload(shop, pool.id, {
      json: { codes: ["J1", { code: "J2", discount: 15, tag: "vip", expiresAt: "2031-06-30" }, { nope: 1 }, "j0", "J1", "x y"] },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as UploadBody;
    expect(body).toMatchObject({ format: "json", report: { accepted: 2, duplicatesInFile: 1, duplicatesInPool: 1, rejected: 2 } });
    expect(body.report.rejections).toEqual(
      expect.arrayContaining([
        { line: 3, reason: "invalid_entry", value: '{"nope":1}' },
        { line: 4, reason: "duplicate_in_pool", value: "j0" },
        { line: 5, reason: "duplicate_in_file", value: "J1" },
        { line: 6, reason: "invalid_characters", value: "x y" },
      ]),
    );
    const j2 = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, code: "J2" } });
    expect(j2).toMatchObject({ discount: 15, tag: "vip" });
  });

  it("GIVEN a JSON item nested too deep to write out WHEN uploaded THEN that line is rejected as an unreadable entry and the others are imported", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const deep = "[".repeat(400_000) + "]".repeat(400_000);
    const response = await upload(shop, pool.id, { headers: { "content-type": "application/json" }, body: `{"codes":["D1",${deep},"D2"]}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as UploadBody;
    expect(body.report).toMatchObject({ accepted: 2, rejected: 1, rejections: [{ line: 2, reason: "invalid_entry", value: "(unreadable entry)" }] });
    expect(await poolCodes(shop, pool.id)).toEqual(["D1", "D2"]);
  });

  it("answers 400 to a JSON body that is malformed, not a codes list, or an empty list (the schema's minItems), leaving no import", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const malformed = await upload(shop, pool.id, { headers: { "content-type": "application/json" }, body: '{"codes": [' });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe("malformed_json");
    const wrongShape = await upload(shop, pool.id, { json: ["A", "B"] });
    expect(wrongShape.status).toBe(400);
    expect(await errorOf(wrongShape)).toMatchObject({ code: "validation_failed", details: { fields: { codes: expect.any(String) } } });
    const extra = await upload(shop, pool.id, { json: { codes: ["A"], pool: "x" } });
    expect(await errorOf(extra)).toMatchObject({ details: { fields: { pool: "Unknown field" } } });
    const empty = await upload(shop, pool.id, { json: { codes: [] } });
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatchObject({ code: "validation_failed", details: { fields: { codes: expect.stringContaining("empty") } } });
    expect(await shop.db.code.count()).toBe(0);
    expect(await shop.db.codeImport.count()).toBe(0);
  });

  it("reads an .xlsx workbook, sent with its media type or as application/octet-stream", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const xlsx = await workbook([["Code", "Discount"], ["X1", 5], ["X2", 150], ["X3", null]]);
    const typed = await upload(shop, pool.id, { headers: { "content-type": XLSX_MEDIA_TYPE }, body: xlsx });
    expect(typed.status).toBe(200);
    const body = (await typed.json()) as UploadBody;
    expect(body).toMatchObject({ format: "xlsx", report: { accepted: 2, rejected: 1 } });
    expect(body.report.rejections).toEqual([{ line: 3, reason: "discount_out_of_range", value: "150" }]);

    const other = await createPoolWithCodes(shop, []);
    const sniffed = await upload(shop, other.id, { headers: { "content-type": "application/octet-stream" }, body: await workbook([["Y1"], ["Y2"]]) });
    expect(((await sniffed.json()) as UploadBody).format).toBe("xlsx");
    expect(await poolCodes(shop, other.id)).toEqual(["Y1", "Y2"]);
    const csvAsOctets = await upload(shop, other.id, { headers: { "content-type": "application/octet-stream" }, body: "code\nY3\n" });
    expect(((await csvAsOctets.json()) as UploadBody)).toMatchObject({ format: "csv", report: { accepted: 1 } });
    const pdf = await upload(shop, other.id, { headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 1, 2]) });
    expect(pdf.status).toBe(415);
  });

  it("takes a multipart/form-data upload with a file field", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const form = new FormData();
    form.set("file", new File(["code\nM1\nM2\nM1\n"], "march.csv", { type: "text/csv" }));
    const response = await upload(shop, pool.id, { body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as UploadBody;
    expect(body).toMatchObject({ format: "csv", report: { accepted: 2, duplicatesInFile: 1 } });
    const run = await shop.db.codeImport.findFirstOrThrow({ where: { id: body.importId } });
    expect(run.fileName).toBe("march.csv");

    const xlsxForm = new FormData();
    xlsxForm.set("file", new File([await workbook([["M3"]])], "codes.xlsx"));
    expect(((await (await upload(shop, pool.id, { body: xlsxForm })).json()) as UploadBody).format).toBe("xlsx");

    const noFile = new FormData();
    noFile.set("codes", "M9");
    const missing = await upload(shop, pool.id, { body: noFile });
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatchObject({ code: "validation_failed", details: { fields: { file: expect.any(String) } } });
  });

  it("GIVEN a file refused as a whole THEN 422 with the reason, nothing added, and the import recorded as failed", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const binary = await upload(shop, pool.id, { headers: { "content-type": "text/csv" }, body: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]) });
    expect(binary.status).toBe(422);
    const error = await errorOf(binary);
    expect(error).toMatchObject({ code: "upload_refused", details: { reason: "not_csv", importId: expect.any(String) } });

    const quote = await upload(shop, pool.id, { headers: { "content-type": "text/csv" }, body: 'code\nQ1\n"Q2\nQ3\n' });
    expect(quote.status).toBe(422);
    expect((await errorOf(quote)).details).toMatchObject({ reason: "unterminated_quote" });
    expect(await shop.db.code.count({ where: { poolId: pool.id } })).toBe(0);

    const empty = await upload(shop, pool.id, { headers: { "content-type": "text/csv" } });
    expect((await errorOf(empty)).details).toMatchObject({ reason: "empty_file" });

    const importId = (error.details as { importId: string }).importId;
    const run = await call(imports, "GET", `/imports/${importId}`, { key: shop.key, params: { importId } });
    const { import: body } = (await run.json()) as { import: Record<string, unknown> };
    expect(body).toMatchObject({ status: "FAILED", accepted: 0, report: null, error: { reason: "not_csv", message: expect.any(String) } });
  });

  it("answers 413 to a body declared or found over the limit", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const declared = await upload(shop, pool.id, {
      headers: { "content-type": "text/csv", "content-length": String(101 * 1024 * 1024) },
      body: "code\nA\n",
    });
    expect(declared.status).toBe(413);
    expect(await errorOf(declared)).toMatchObject({ code: "payload_too_large", details: { limitBytes: 100 * 1024 * 1024 } });

    const tooMany = await upload(shop, pool.id, { json: { codes: Array.from({ length: 100_001 }, (_, i) => `T${i}`) } });
    expect(tooMany.status).toBe(413);
    expect(await errorOf(tooMany)).toMatchObject({ code: "payload_too_large", details: { reason: "too_large" } });
    expect(await shop.db.code.count()).toBe(0);
  });

  it("answers 415 to an unsupported or missing Content-Type, a non-UTF-8 charset and a compressed body", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, []);
    const pdf = await upload(shop, pool.id, { headers: { "content-type": "application/pdf" }, body: "%PDF" });
    expect(pdf.status).toBe(415);
    expect(await errorOf(pdf)).toMatchObject({ code: "unsupported_media_type", details: { received: "application/pdf", supported: expect.arrayContaining(["text/csv", "application/json"]) } });
    const none = await upload(shop, pool.id, { body: new Uint8Array([65, 10]) });
    expect(none.status).toBe(415);
    const utf16 = await upload(shop, pool.id, { headers: { "content-type": "text/csv; charset=utf-16le" }, body: "A" });
    expect(utf16.status).toBe(415);
    expect((await errorOf(utf16)).message).toContain("UTF-8");
    const gzip = await upload(shop, pool.id, { headers: { "content-type": "text/csv", "content-encoding": "gzip" }, body: "A" });
    expect(gzip.status).toBe(415);
    expect(await shop.db.codeImport.count()).toBe(0);
  });

  it("answers 404 for another shop's pool and 409 for a dynamic pool", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolB = await createPoolWithCodes(b, []);
    const foreign = await upload(a, poolB.id, { headers: { "content-type": "text/csv" }, body: "code\nHIJACK\n" });
    expect(foreign.status).toBe(404);
    expect(await b.db.code.count()).toBe(0);

    const dynamic = await a.db.pool.create({ data: { shopId: a.id, name: "Dynamic", kind: "DYNAMIC" } });
    const refused = await upload(a, dynamic.id, { headers: { "content-type": "text/csv" }, body: "code\nD1\n" });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).code).toBe("pool_not_static");
  });
});

describe("GET /api/v1/imports/:importId", () => {
  it("answers 404 for an unknown id, a malformed id and another shop's import", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolB = await createPoolWithCodes(b, []);
    const runB = await b.db.codeImport.create({ data: { shopId: b.id, poolId: poolB.id, source: "csv" } });
    for (const importId of [runB.id, "00000000-0000-4000-8000-000000000000", "nope"]) {
      const response = await call(imports, "GET", `/imports/${importId}`, { key: a.key, params: { importId } });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("import_not_found");
    }
  });
});
