// The set of codes already accepted from one upload, for duplicates within the file.
//
// A JavaScript Set of a million strings costs ~100 MB and most of a second in hashing and growth (and strings cut
// out of the file's text keep that text alive). Accepted codes are printable ASCII, so their keys fit one byte per
// character: this set stores each key once in a byte arena (about 30 bytes per code all told) and compares
// case-insensitively by upper-casing ASCII letters as it goes, which is exactly what normaliseCodeKey does for
// these codes.

function upper(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

/** FNV-1a over the upper-cased characters, then mixed. */
function hashKey(code: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    hash ^= upper(code.charCodeAt(i));
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV's multiplications only carry upwards, so its low bits (the ones a table index uses) mix poorly for keys
  // that differ in a few characters; a murmur3 finaliser spreads the high bits down.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash | 0;
}

export class CodeKeySet {
  // Open addressing with linear probing. Each slot is two ints, [entry index + 1 (0 = empty), hash], so a probe
  // touches one cache line and only a matching hash reads the stored key.
  private slots = new Int32Array(2 << 12);
  private offsets = new Uint32Array((1 << 11) + 1);
  private arena = new Uint8Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the key of `code` (trimmed, printable ASCII); false if an equal key was already there. */
  add(code: string): boolean {
    const hash = hashKey(code);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot << 1] as number;
      if (entry === 0) break;
      if (slots[(slot << 1) + 1] === hash && this.equals(entry - 1, code)) return false;
      slot = (slot + 1) & mask;
    }
    this.insert(slot, hash, code);
    return true;
  }

  has(code: string): boolean {
    const hash = hashKey(code);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot << 1] as number;
      if (entry === 0) return false;
      if (slots[(slot << 1) + 1] === hash && this.equals(entry - 1, code)) return true;
      slot = (slot + 1) & mask;
    }
  }

  private equals(index: number, code: string): boolean {
    const start = this.offsets[index] as number;
    const end = this.offsets[index + 1] as number;
    if (end - start !== code.length) return false;
    const arena = this.arena;
    for (let i = 0; i < code.length; i++) {
      if (arena[start + i] !== upper(code.charCodeAt(i))) return false;
    }
    return true;
  }

  private insert(slot: number, hash: number, code: string): void {
    const index = this.count;
    if (index + 2 > this.offsets.length) {
      const offsets = new Uint32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    const start = this.offsets[index] as number;
    const end = start + code.length;
    if (end > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, end));
      arena.set(this.arena);
      this.arena = arena;
    }
    const arena = this.arena;
    for (let i = 0; i < code.length; i++) arena[start + i] = upper(code.charCodeAt(i));
    this.offsets[index + 1] = end;
    this.slots[slot << 1] = index + 1;
    this.slots[(slot << 1) + 1] = hash;
    this.count++;
    if (this.count * 2 > this.slots.length >> 1) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i] as number;
      if (entry === 0) continue;
      const hash = old[i + 1] as number;
      let slot = hash & mask;
      while (slots[slot << 1] !== 0) slot = (slot + 1) & mask;
      slots[slot << 1] = entry;
      slots[(slot << 1) + 1] = hash;
    }
    this.slots = slots;
  }
}
