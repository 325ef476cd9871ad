// One upload or generation run.
// - GET: its progress as JSON ({status, bytesDone, bytesTotal, itemsDone, itemsTotal, accepted, duplicates,
//   rejected, percent, report}), polled by the pool page while the run is RUNNING.
// - POST: the upload itself. The request body is the raw file (or the pasted text) and is streamed straight into
//   importUpload, batch by batch, so a large file never sits in memory; the run's progress row moves as it goes.
//   The format is judged from the first bytes (detectFormat), not from the file name.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import type { ImportProgress, UploadOutcome } from "../components/pools/import-types";
import { importProgressView, reportView } from "../components/pools/import-view.server";
import { detectFormat, type UploadFormat } from "../domain/pools/upload";
import { markImportFailed } from "../services/pools/admin-queries.server";
import { ADMIN_UPLOAD_SOURCES, getImport, importUpload, UploadAlreadyStartedError } from "../services/pools/imports.server";

const NO_STORE = { "cache-control": "no-store" };

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const run = await getImport(admin.db, params.importId ?? "");
  if (!run || run.poolId !== params.poolId) {
    // Answered as a finished run rather than a 404, so a poller stops instead of failing the page.
    const missing: ImportProgress = {
      id: params.importId ?? "",
      status: "FAILED",
      source: "",
      fileName: null,
      bytesDone: 0,
      bytesTotal: null,
      itemsDone: 0,
      itemsTotal: null,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      percent: null,
      error: "This run is unknown.",
      report: null,
      failures: null,
    };
    return Response.json(missing, { headers: NO_STORE });
  }
  return Response.json(importProgressView(run), { headers: NO_STORE });
};

/** How many bytes to read before judging the format: enough for the zip signature and a text sample. */
const HEAD_BYTES = 4096;

/** Reads the start of a stream to judge it, then hands on the whole stream, start included. */
async function peek(
  body: ReadableStream<Uint8Array>,
): Promise<{ head: Uint8Array; source: AsyncIterable<Uint8Array> }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < HEAD_BYTES) {
    const next = await reader.read();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  const head = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    head.set(c, at);
    at += c.byteLength;
  }
  async function* source(): AsyncGenerator<Uint8Array> {
    let finished = ended;
    try {
      yield* chunks;
      while (!finished) {
        const next = await reader.read();
        if (next.done) {
          finished = true;
          break;
        }
        yield next.value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  return { head, source: source() };
}

function reply(outcome: UploadOutcome, status = 200) {
  return Response.json(outcome, { status, headers: NO_STORE });
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  if (request.method !== "POST") return reply({ type: "error", message: "Method not allowed" }, 405);
  const run = await getImport(admin.db, params.importId ?? "");
  if (!run || run.poolId !== params.poolId) return reply({ type: "error", message: "This upload is unknown." }, 404);
  // Only a run the upload card started takes a body: a generation or redeemable run is the worker's, and an API
  // upload was sent whole with its request.
  if (!ADMIN_UPLOAD_SOURCES.has(run.source) || run.status !== "RUNNING" || run.bytesDone > 0n) {
    return reply({ type: "error", message: "This upload was already sent. Start a new one." }, 409);
  }
  if (!request.body) {
    await markImportFailed(admin.db, run.id, "The upload was empty.");
    return reply({ type: "error", message: "The upload was empty." }, 400);
  }

  const { head, source } = await peek(request.body);
  let format: UploadFormat = "paste";
  if (run.source !== "paste") {
    const detected = detectFormat(run.fileName ?? "", head);
    // Anything that is neither a workbook nor text is parsed as CSV, which refuses it with the reason (a legacy
    // .xls, UTF-16 text, an image...).
    format = detected === "xlsx" ? "xlsx" : "csv";
  }
  let outcome;
  try {
    outcome = await importUpload(admin.db, {
      shopId: admin.shopId,
      poolId: run.poolId,
      importId: run.id,
      format,
      fileName: run.fileName,
      bytesTotal: run.bytesTotal === null ? null : Number(run.bytesTotal),
      source,
    });
  } catch (error) {
    // The same upload posted twice at once (a double submit): the first one carries on.
    if (error instanceof UploadAlreadyStartedError) {
      return reply({ type: "error", message: "This upload was already sent. Start a new one." }, 409);
    }
    throw error;
  }
  switch (outcome.type) {
    case "done":
      return reply({ type: "done", importId: outcome.importId, report: reportView(outcome.report) });
    case "refused":
      return reply({ type: "refused", importId: outcome.importId, reason: outcome.reason, message: outcome.message });
    case "pool_not_found":
      await markImportFailed(admin.db, run.id, "The pool was deleted or does not take uploads.");
      return reply({ type: "error", message: "This pool no longer takes uploads." }, 404);
  }
};
