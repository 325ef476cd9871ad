// A CSV of random promo codes the way merchants upload them: a `code` header, then one code per line.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * Writes `count` distinct random codes of `length` characters (A-Z, 0-9) under a `code` header. Random rather than
 * sequential on purpose: the pool's unique (pool_id, code_key) index then takes inserts all over the tree, as it
 * does with a real voucher list. Returns the file's size in bytes.
 */
export async function writeCodesCsv(path: string, count: number, length = 10): Promise<number> {
  const lineBytes = length + 1;
  const header = Buffer.from("code\n");
  const out = Buffer.allocUnsafe(header.length + count * lineBytes);
  header.copy(out, 0);
  const seen = new Set<string>();
  let at = header.length;
  let written = 0;
  while (written < count) {
    // A byte modulo 36 is slightly biased (256 = 7 * 36 + 4); irrelevant for benchmark data.
    const random = randomBytes(length * 4096);
    for (let r = 0; r + length <= random.length && written < count; r += length) {
      let code = "";
      for (let i = 0; i < length; i++) code += ALPHABET[(random[r + i] as number) % ALPHABET.length];
      if (seen.has(code)) continue;
      seen.add(code);
      out.write(code, at, "latin1");
      out[at + length] = 0x0a;
      at += lineBytes;
      written++;
    }
  }
  await writeFile(path, out.subarray(0, at));
  return at;
}
