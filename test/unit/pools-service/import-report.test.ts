// The report page of one upload or generation run (app.pools.$poolId.imports.$importId.report): the stored per-line
// report of the shop's own run, and a 404 (never a database error) for another shop's run or a malformed id.
import { describe, expect, it } from "vitest";
import { loader as progressLoader } from "../../../app/routes/app.pools.$poolId.imports.$importId";
import { loader as reportLoader } from "../../../app/routes/app.pools.$poolId.imports.$importId.report";
import { importUpload } from "../../../app/services/pools/imports.server";
import { adminRequest } from "../../support/admin-request";
import { bytesOf, createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

async function loadReport(shop: TestShop, poolId: string, importId: string) {
  const path = `/app/pools/${poolId}/imports/${importId}/report`;
  const answer: unknown = await reportLoader({
    request: adminRequest(shop, undefined, path),
    params: { poolId, importId },
    context: {},
  } as never).catch((thrown: unknown) => thrown);
  expect(answer).not.toBeInstanceOf(Error);
  // A plain object is a 200; data(..., { status }) carries its status in init.
  const init = (answer as { init?: { status?: number } | null }).init;
  const body = init !== undefined ? (answer as { data: unknown }).data : answer;
  return { status: init?.status ?? 200, body: body as { found: boolean; run?: Record<string, unknown> } };
}

async function uploadWithRejections(shop: TestShop) {
  const pool = await createPoolWithCodes(shop, ["OLD-1"], { name: "Newsletter" });
  const csv = "code\nNEW-1\nold-1\nBAD CODE!\nNEW-2\nnew-1\n";
  const outcome = await importUpload(shop.db, {
    shopId: shop.id,
    poolId: pool.id,
    format: "csv",
    fileName: "codes.csv",
    source: bytesOf(csv),
  });
  if (outcome.type !== "done") throw new Error(`upload not done: ${outcome.type}`);
  return { pool, importId: outcome.importId };
}

const MALFORMED = ["not-a-uuid", "-".repeat(36), "12345678-1234-1234-1234-1234567890zz"];

describe("an upload's report page", () => {
  it("GIVEN an upload with duplicates and a rejected line WHEN its report is loaded later THEN the stored lines come back with their reasons, in file order", async () => {
    const shop = await createTestShop();
    const { pool, importId } = await uploadWithRejections(shop);
    const { status, body } = await loadReport(shop, pool.id, importId);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      found: true,
      pool: { id: pool.id, name: "Newsletter" },
      run: {
        id: importId,
        status: "SUCCEEDED",
        label: "codes.csv",
        report: {
          accepted: 2,
          duplicatesInFile: 1,
          duplicatesInPool: 1,
          rejected: 1,
          rejectionsOmitted: 0,
          rejections: [
            { line: 3, reason: "duplicate_in_pool", value: "old-1" },
            { line: 4, reason: "invalid_characters", value: "BAD CODE!" },
            { line: 6, reason: "duplicate_in_file", value: "new-1" },
          ],
        },
      },
    });
  });

  it("GIVEN another shop's upload WHEN its id is asked for, under that shop's pool or under one of our own pools THEN 404", async () => {
    const other = await createTestShop();
    const theirs = await uploadWithRejections(other);
    const shop = await createTestShop();
    const ours = await createPoolWithCodes(shop, [], { name: "Ours" });
    expect((await loadReport(shop, theirs.pool.id, theirs.importId)).status).toBe(404);
    expect((await loadReport(shop, ours.id, theirs.importId)).status).toBe(404);
    expect((await loadReport(shop, ours.id, theirs.importId)).body).toEqual({ found: false, poolId: ours.id });
    // The owner still sees it.
    expect((await loadReport(other, theirs.pool.id, theirs.importId)).status).toBe(200);
  });

  it("GIVEN a run of one of the shop's pools WHEN it is asked for under its other pool THEN 404", async () => {
    const shop = await createTestShop();
    const { importId } = await uploadWithRejections(shop);
    const second = await createPoolWithCodes(shop, [], { name: "Second" });
    expect((await loadReport(shop, second.id, importId)).status).toBe(404);
  });

  it.each(MALFORMED)(
    "GIVEN the malformed id %j as the import or the pool THEN 404, not a database error",
    async (bad) => {
      const shop = await createTestShop();
      const { pool, importId } = await uploadWithRejections(shop);
      expect((await loadReport(shop, pool.id, bad)).status).toBe(404);
      expect((await loadReport(shop, bad, importId)).status).toBe(404);
    },
  );

  it.each(MALFORMED)(
    "GIVEN the malformed id %j WHEN the pool page polls its progress THEN it answers an unknown run, not a database error",
    async (bad) => {
      const shop = await createTestShop();
      const pool = await createPoolWithCodes(shop, []);
      const path = `/app/pools/${pool.id}/imports/${bad}`;
      const response = (await progressLoader({
        request: adminRequest(shop, undefined, path),
        params: { poolId: pool.id, importId: bad },
        context: {},
      } as never)) as Response;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "FAILED", error: "This run is unknown." });
    },
  );
});
