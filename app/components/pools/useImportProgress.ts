// Polls a run's progress (app.pools.$poolId.imports.$importId) while it is running. Each poll starts once the
// previous answer has arrived, so a busy server is never asked twice at once; polling stops when the run ends.
import { useEffect, useRef, useState } from "react";
import { useFetcher, useLocation, useRevalidator } from "react-router";
import type { ImportProgress, UploadOutcome } from "./import-types";
import { appHref } from "./links";

export const POLL_MS = 300;

export function isRunning(progress: ImportProgress | null): boolean {
  return progress === null || progress.status === "RUNNING" || progress.status === "QUEUED";
}

export function useImportProgress(
  poolId: string,
  importId: string | null,
  options: { stop?: boolean } = {},
): ImportProgress | null {
  const { search } = useLocation();
  const fetcher = useFetcher<ImportProgress>();
  const { load, state, data } = fetcher;
  const progress = data && importId && data.id === importId ? data : null;
  const url = importId ? appHref(`/app/pools/${poolId}/imports/${importId}`, search) : null;
  const done = !isRunning(progress) || options.stop === true;
  useEffect(() => {
    if (!url || done || state !== "idle") return;
    const timer = setTimeout(() => void load(url), POLL_MS);
    return () => clearTimeout(timer);
  }, [url, done, state, data, load]);
  return progress;
}

/** Re-runs the page's loaders once when a run ends, so stats, codes and recent imports show what it added. */
export function useRevalidateWhenDone(progress: ImportProgress | null) {
  const { revalidate } = useRevalidator();
  const finishedId = progress && !isRunning(progress) ? progress.id : null;
  useEffect(() => {
    if (finishedId) void revalidate();
  }, [finishedId, revalidate]);
}

export type UploadState =
  | { phase: "idle" }
  | { phase: "starting"; label: string; bytesTotal: number }
  | { phase: "uploading"; label: string; bytesTotal: number; importId: string }
  | { phase: "finished"; label: string; outcome: UploadOutcome };

async function readJson<T>(response: Response): Promise<T | null> {
  try {
    return (await response.json()) as T;
  } catch {
    return null;
  }
}

/**
 * Sends a file or pasted text to the pool: records the run first (so its id is known and can be polled), then
 * streams the bytes as the request body, and keeps the outcome (counts, rejected lines, or why it was refused).
 */
export function useCodeUpload(poolId: string) {
  const { search } = useLocation();
  const { revalidate } = useRevalidator();
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const busy = useRef(false);
  const importId = state.phase === "uploading" ? state.importId : null;
  const progress = useImportProgress(poolId, importId);

  async function upload(body: Blob, source: "csv" | "xlsx" | "paste", label: string, fileName: string | null) {
    if (busy.current) return;
    busy.current = true;
    setState({ phase: "starting", label, bytesTotal: body.size });
    let outcome: UploadOutcome;
    try {
      const startResponse = await fetch(appHref(`/app/pools/${poolId}/imports`, search), {
        method: "POST",
        body: new URLSearchParams({ source, fileName: fileName ?? "", bytesTotal: String(body.size) }),
      });
      const started = await readJson<{ importId?: string; error?: string }>(startResponse);
      if (!started?.importId) {
        outcome = {
          type: "error",
          message: started?.error ?? `The upload could not start (HTTP ${startResponse.status}).`,
        };
      } else {
        setState({ phase: "uploading", label, bytesTotal: body.size, importId: started.importId });
        const response = await fetch(appHref(`/app/pools/${poolId}/imports/${started.importId}`, search), {
          method: "POST",
          body,
          headers: { "content-type": "application/octet-stream" },
        });
        outcome = (await readJson<UploadOutcome>(response)) ?? {
          type: "error",
          message: `The upload failed (HTTP ${response.status}).`,
        };
      }
    } catch (error) {
      outcome = {
        type: "error",
        message: `The upload was interrupted (${error instanceof Error ? error.message : String(error)}). Try again.`,
      };
    }
    busy.current = false;
    setState({ phase: "finished", label, outcome });
    void revalidate();
  }

  return {
    state,
    progress,
    busy: state.phase === "starting" || state.phase === "uploading",
    uploadFile: (file: File) => upload(file, /\.xlsx$/i.test(file.name) ? "xlsx" : "csv", file.name, file.name),
    uploadText: (text: string) => upload(new Blob([text], { type: "text/plain" }), "paste", "Pasted codes", null),
    reset: () => setState({ phase: "idle" }),
  };
}
