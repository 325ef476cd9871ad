import { describe, expect, it } from "vitest";
import * as exportCsv from "../../../app/routes/api.v1.pools.$poolId.export-csv";
import * as retire from "../../../app/routes/api.v1.pools.$poolId.retire";
import { assignedCodesCsv, exportFileName } from "../../../app/services/api/csv-export.server";
import { csvCell, csvRow, neutraliseFormula } from "../../../app/services/api/csv";
import { issueCode } from "../../../app/services/pools/issue.server";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { call, createApiShop, errorOf, type ApiShop } from "./helpers";

function retireCall(shop: ApiShop, poolId: string, body: unknown) {
  return call(retire, "POST", `/pools/${poolId}/retire`, { key: shop.key, params: { poolId }, json: body });
}

/** A minimal RFC 4180 reader, to check the export parses back to what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  expect(cell).toBe("");
  return rows;
}

describe("POST /api/v1/pools/:poolId/retire", () => {
  it("retires listed unused codes (case-insensitively) and says why the others were skipped", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["U1", "U2", "GIVEN", "DONE", "OLD"]);
    const [ada] = await createCustomers(shop, 1);
    await shop.db.code.updateMany({ where: { code: { in: ["U1", "U2", "OLD"] } }, data: { status: "RETIRED" } });
    await shop.db.code.updateMany({ where: { code: { in: ["U1", "U2"] } }, data: { status: "AVAILABLE" } });
    await shop.db.code.updateMany({ where: { code: "GIVEN" }, data: { status: "ASSIGNED", customerId: ada! } });
    await shop.db.code.updateMany({ where: { code: "DONE" }, data: { status: "REDEEMED", customerId: ada! } });

    const response = await retireCall(shop, pool.id, { codes: ["u1", "U2", "U1", "GIVEN", "DONE", "OLD", "NOPE"] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      retired: 2,
      skipped: [
        { code: "GIVEN", reason: "assigned" },
        { code: "DONE", reason: "redeemed" },
        { code: "OLD", reason: "already_retired" },
        { code: "NOPE", reason: "not_in_pool" },
      ],
    });
    const statuses = await shop.db.code.findMany({ where: { poolId: pool.id }, orderBy: { id: "asc" }, select: { code: true, status: true } });
    expect(statuses.map((s) => `${s.code}:${s.status}`)).toEqual(["U1:RETIRED", "U2:RETIRED", "GIVEN:ASSIGNED", "DONE:REDEEMED", "OLD:RETIRED"]);
  });

  it("retires every unused code with allUnused, never the ones given out", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["A", "B", "C"]);
    const [ada] = await createCustomers(shop, 1);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: ada! });
    const response = await retireCall(shop, pool.id, { allUnused: true });
    expect(await response.json()).toEqual({ retired: 2, skipped: [] });
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "ASSIGNED" } })).toBe(1);
  });

  it("answers 400 to neither or both of codes and allUnused, an empty list, allUnused false, and unknown fields", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["A"]);
    for (const body of [{}, { codes: ["A"], allUnused: true }, { codes: [] }, { allUnused: false }, { codes: "A" }, { codes: ["A"], force: true }, { codes: [""] }]) {
      const response = await retireCall(shop, pool.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).code).toBe("validation_failed");
    }
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("answers 404 for another shop's pool (retiring nothing there) and 409 to allUnused on a dynamic pool (it has no unused codes)", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolB = await createPoolWithCodes(b, ["B1"]);
    const foreign = await retireCall(a, poolB.id, { allUnused: true });
    expect(foreign.status).toBe(404);
    expect(await b.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
    const dynamic = await a.db.pool.create({ data: { shopId: a.id, name: "Dyn", kind: "DYNAMIC" } });
    const response = await retireCall(a, dynamic.id, { allUnused: true });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("pool_not_static");
  });
});

describe("CSV cells", () => {
  it("neutralises cells a spreadsheet would run as formulas", () => {
    expect(neutraliseFormula("=cmd()")).toBe("'=cmd()");
    expect(neutraliseFormula("+1")).toBe("'+1");
    expect(neutraliseFormula("-1")).toBe("'-1");
    expect(neutraliseFormula("@x")).toBe("'@x");
    expect(neutraliseFormula("\tx")).toBe("'\tx");
    expect(neutraliseFormula("\rx")).toBe("'\rx");
    expect(neutraliseFormula("A=1")).toBe("A=1");
    expect(neutraliseFormula(" =1+1")).toBe("' =1+1");
    expect(neutraliseFormula("\u00a0\n-2")).toBe("'\u00a0\n-2");
    expect(neutraliseFormula("   ")).toBe("   ");
    expect(neutraliseFormula("")).toBe("");
  });

  it("quotes cells holding commas, quotes or line breaks, doubling quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("x;=1+1")).toBe('"x;=1+1"');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2030-01-02T03:04:05Z"))).toBe("2030-01-02T03:04:05.000Z");
    expect(csvRow(["a", null, "b"])).toBe("a,,b\r\n");
  });

  it("makes a safe file name from the pool name", () => {
    expect(exportFileName('Été "VIP" / 2030')).toBe("ete-vip-2030-issued-codes.csv");
    expect(exportFileName("////")).toBe("pool-issued-codes.csv");
  });
});

describe("GET /api/v1/pools/:poolId/export.csv", () => {
  it("streams the assigned and redeemed codes with customer, dates, neutralised formulas and proper quoting", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["+PLUS", "-MINUS", "@AT", "PLAIN", "UNUSED"], { name: "Spring, 2030" });
    const customers = await shop.db.customer.createManyAndReturn({
      data: [
        { shopId: shop.id, platformId: "gid://shopify/Customer/1", email: "=cmd()@evil.test" },
        { shopId: shop.id, platformId: "gid://shopify/Customer/2", email: '"quoted",comma@example.com' },
        { shopId: shop.id, platformId: "gid://shopify/Customer/3", email: "@x" },
        { shopId: shop.id, platformId: "gid://shopify/Customer/4", email: null },
      ],
      select: { id: true },
    });
    for (const c of customers) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: c.id });
    const redeemedAt = new Date("2030-03-04T05:06:07Z");
    await shop.db.code.updateMany({ where: { code: "-MINUS" }, data: { status: "REDEEMED", redeemedAt } });

    const response = await call(exportCsv, "GET", `/pools/${pool.id}/export.csv`, { key: shop.key, params: { poolId: pool.id } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="spring-2030-issued-codes.csv"');
    const text = await response.text();
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).toContain(`"""quoted"",comma@example.com"`);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(["code", "status", "customer_id", "email", "issued_at", "redeemed_at"]);
    const body = rows.slice(1);
    expect(body.map((r) => r.slice(0, 4))).toEqual([
      ["'+PLUS", "assigned", "gid://shopify/Customer/1", "'=cmd()@evil.test"],
      ["'-MINUS", "redeemed", "gid://shopify/Customer/2", '"quoted",comma@example.com'],
      ["'@AT", "assigned", "gid://shopify/Customer/3", "'@x"],
      ["PLAIN", "assigned", "gid://shopify/Customer/4", ""],
    ]);
    for (const row of body) expect(row[4]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body[1]![5]).toBe(redeemedAt.toISOString());
    expect(body[0]![5]).toBe("");
    expect(text).not.toContain("UNUSED");
  });

  it("pages through the codes by id, every given-out code exactly once", async () => {
    const shop = await createApiShop();
    const codes = Array.from({ length: 25 }, (_, i) => `P${String(i).padStart(2, "0")}`);
    const pool = await createPoolWithCodes(shop, codes);
    const customers = await createCustomers(shop, 23);
    for (const c of customers) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: c });
    const reader = assignedCodesCsv(shop.db, pool.id, { pageSize: 5 }).getReader();
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(new TextDecoder().decode(value));
    }
    expect(chunks).toHaveLength(1 + 5); // header, then 5 pages of 5 (the last short page ends the stream)
    const rows = parseCsv(chunks.join("")).slice(1);
    expect(rows.map((r) => r[0])).toEqual(codes.slice(0, 23));
  });

  it("answers with just the header for a pool nothing was given out from, and 404 for another shop's pool", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolA = await createPoolWithCodes(a, ["A1"]);
    const empty = await call(exportCsv, "GET", `/pools/${poolA.id}/export.csv`, { key: a.key, params: { poolId: poolA.id } });
    expect(await empty.text()).toBe("code,status,customer_id,email,issued_at,redeemed_at\r\n");

    const poolB = await createPoolWithCodes(b, ["B1"]);
    const [bob] = await createCustomers(b, 1);
    await issueCode(b.db, { shopId: b.id, poolId: poolB.id, customerId: bob! });
    const foreign = await call(exportCsv, "GET", `/pools/${poolB.id}/export.csv`, { key: a.key, params: { poolId: poolB.id } });
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe("pool_not_found");
    const unauthenticated = await call(exportCsv, "GET", `/pools/${poolA.id}/export.csv`, { params: { poolId: poolA.id } });
    expect(unauthenticated.status).toBe(401);
  });
});
