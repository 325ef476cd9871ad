import {
  parseUpload,
  summarise,
  type ParsedCode,
  type RejectedLine,
  type UploadBatch,
  type UploadOptions,
  type UploadReport,
} from "../../../app/domain/pools/upload";

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Hands the bytes over in chunks of `size` (default: one chunk), the way a network stream would. */
export async function* chunks(data: Uint8Array, size = data.length || 1): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

export interface Collected {
  batches: UploadBatch[];
  accepted: ParsedCode[];
  rejected: RejectedLine[];
  report: UploadReport;
}

export async function collect(source: AsyncIterable<Uint8Array>, options: UploadOptions): Promise<Collected> {
  const batches: UploadBatch[] = [];
  for await (const batch of parseUpload(source, options)) batches.push(batch);
  return {
    batches,
    accepted: batches.flatMap((b) => b.accepted),
    rejected: batches.flatMap((b) => b.rejected),
    report: await summarise(batches),
  };
}

export function parseCsv(text: string, options: Partial<UploadOptions> = {}, chunkSize?: number): Promise<Collected> {
  return collect(chunks(bytes(text), chunkSize), { format: "csv", ...options });
}

export async function refusal(promise: Promise<unknown>): Promise<{ reason: string; message: string; line?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { reason?: string; message: string; line?: number; name?: string };
    if (e.name !== "UploadRefusedError" || e.reason === undefined) throw error;
    return { reason: e.reason, message: e.message, line: e.line };
  }
  throw new Error("expected the upload to be refused");
}

export function codes(collected: Collected): string[] {
  return collected.accepted.map((c) => c.code);
}
