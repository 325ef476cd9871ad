// Request bodies read with a cut-off: a sender that lies about Content-Length, or sends none (chunked), costs no
// more than `limit` bytes of memory.

/** Reads the body as text, giving up (null) as soon as it passes `limit` bytes: a lying Content-Length costs nothing. */
export async function readLimited(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: on a cloned request (a tee) the cancel settles only once the other copy is cancelled too.
      reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
