// Byte-level handling common to all formats: accepting web or Node streams, counting bytes against the size limit
// (refusing as soon as it is passed, without reading further), and telling text from binary early.

import { UploadRefusedError } from "./types";

export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Large chunks are cut so that no step holds more than this at once. */
const MAX_SLICE = 1 << 20;
/** How much of the start of a text upload is checked for binary content. */
export const SNIFF_BYTES = 64 * 1024;

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

async function* readWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

export function asAsyncIterable(source: ByteSource): AsyncIterable<Uint8Array> {
  return isAsyncIterable(source) ? source : readWebStream(source);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

/** Reads the source, counting bytes, and throws too_large as soon as the count passes `maxBytes`. */
export class CountedInput {
  bytesRead = 0;
  constructor(
    private readonly source: ByteSource,
    private readonly maxBytes: number,
  ) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of asAsyncIterable(this.source)) {
      this.bytesRead += chunk.byteLength;
      if (this.bytesRead > this.maxBytes) {
        throw new UploadRefusedError(
          "too_large",
          `The file is larger than the ${formatBytes(this.maxBytes)} limit; split it into smaller files.`,
        );
      }
      if (chunk.byteLength <= MAX_SLICE) {
        yield chunk;
      } else {
        for (let at = 0; at < chunk.byteLength; at += MAX_SLICE) yield chunk.subarray(at, at + MAX_SLICE);
      }
    }
  }
}

export function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  if (bytes.length < signature.length) return false;
  return signature.every((b, i) => bytes[i] === b);
}

export const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04] as const;
const OLE2_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0] as const; // legacy .xls, .doc
const UTF16LE_BOM = [0xff, 0xfe] as const;
const UTF16BE_BOM = [0xfe, 0xff] as const;

/**
 * Null when the bytes (the start of an upload) read as UTF-8 text, or why they do not. A multi-byte character cut
 * at the end of the sample is not an error.
 */
export function describeBinary(sample: Uint8Array): string | null {
  if (startsWith(sample, ZIP_SIGNATURE)) return "This is a zip archive (an Excel .xlsx file?), not text.";
  if (startsWith(sample, OLE2_SIGNATURE))
    return "This is a legacy Office file (.xls?), not text. Save it as CSV UTF-8 or .xlsx.";
  if (startsWith(sample, UTF16LE_BOM) || startsWith(sample, UTF16BE_BOM)) {
    return "This text is encoded as UTF-16. Save it as CSV UTF-8.";
  }
  if (sample.includes(0)) return "The file contains binary data (NUL bytes), not text.";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
  } catch {
    return "The file is not UTF-8 text. Save it as CSV UTF-8.";
  }
  return null;
}

/** Collects the first `size` bytes of a stream (or fewer at its end) without losing the rest. */
export async function* withHead(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
  onHead: (head: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let headSeen = false;
  const release = function* (): Generator<Uint8Array> {
    const head = new Uint8Array(heldBytes);
    let at = 0;
    for (const c of held) {
      head.set(c, at);
      at += c.byteLength;
    }
    headSeen = true;
    onHead(head.subarray(0, size));
    yield* held;
    held.length = 0;
  };
  for await (const chunk of chunks) {
    if (headSeen) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.byteLength;
    if (heldBytes >= size) yield* release();
  }
  if (!headSeen) yield* release();
}
