// POST: records an upload run before its bytes are sent, so the page knows the run's id and can poll its progress
// while the file streams to app.pools.$poolId.imports.$importId. Answers {importId} or {error}.
import type { ActionFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { isUuid } from "../domain/ids";
import { getPool } from "../services/pools/pools.server";
import { ADMIN_UPLOAD_SOURCES, startImport } from "../services/pools/imports.server";

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  if (request.method !== "POST") return Response.json({ error: "Method not allowed" }, { status: 405 });
  const poolId = params.poolId ?? "";
  const pool = isUuid(poolId) ? await getPool(admin.db, admin.shopId, poolId) : null;
  if (!pool) return Response.json({ error: "This pool no longer exists." }, { status: 404 });
  if (pool.kind !== "STATIC") {
    return Response.json(
      { error: "Dynamic pools create their codes on your store; there is nothing to upload." },
      { status: 409 },
    );
  }
  const form = await request.formData();
  const source = String(form.get("source") ?? "");
  if (!ADMIN_UPLOAD_SOURCES.has(source)) return Response.json({ error: "Unknown upload source." }, { status: 400 });
  const fileName = String(form.get("fileName") ?? "").slice(0, 255) || null;
  const size = Number(form.get("bytesTotal"));
  const run = await startImport(admin.db, {
    shopId: admin.shopId,
    poolId: pool.id,
    source,
    fileName,
    bytesTotal: Number.isSafeInteger(size) && size >= 0 ? size : null,
  });
  return Response.json({ importId: run.id }, { headers: { "cache-control": "no-store" } });
};
