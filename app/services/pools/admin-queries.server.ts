// Small additions the pool admin pages need next to pools.server.ts and imports.server.ts.
import type { ShopDb } from "../../db/shop-scope.server";

/**
 * Ends a run that never got going (its generation job could not be queued, its upload was refused before
 * parsing), so it does not show as running forever. Only a run still RUNNING is touched.
 */
export async function markImportFailed(db: ShopDb, importId: string, message: string): Promise<void> {
  await db.codeImport.updateMany({
    where: { id: importId, status: "RUNNING" },
    data: { status: "FAILED", finishedAt: new Date(), error: message },
  });
}
