// GET /api/v1/imports/:importId: progress of an upload or generation run, and its per-line report when done.
import { getImport } from "../pools/imports.server";
import { apiEndpoint } from "./endpoint.server";
import { ApiError } from "./errors";
import { isUuid } from "./request.server";
import { json, serialiseImport } from "./responses";

export const importResource = apiEndpoint({
  GET: async ({ db, params }) => {
    const importId = params.importId;
    const row = isUuid(importId) ? await getImport(db, importId) : null;
    if (!row) throw new ApiError(404, "import_not_found", "No import with this id in this store.");
    return json({ import: serialiseImport(row) });
  },
});
