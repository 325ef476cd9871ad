import { describe, expect, it } from "vitest";
import { normaliseCodeKey } from "../../../app/domain/pools/code-rules";
import { CodeKeySet } from "../../../app/domain/pools/upload/key-set";

describe("the in-file duplicate set", () => {
  it("treats codes as equal exactly when their normalised keys are equal", () => {
    const codes = ["abc", "ABC", "AbC", "abc1", "ab", "a-b_c.#@+/$%&*!?", "A-B_C.#@+/$%&*!?", "zZ", "Zz", "`", "@"];
    const set = new CodeKeySet();
    const seenKeys = new Set<string>();
    for (const code of codes) {
      expect(set.add(code)).toBe(!seenKeys.has(normaliseCodeKey(code)));
      seenKeys.add(normaliseCodeKey(code));
    }
    expect(set.size).toBe(seenKeys.size);
  });

  it("does not confuse keys of different lengths or that share a prefix", () => {
    const set = new CodeKeySet();
    expect(set.add("A")).toBe(true);
    expect(set.add("AA")).toBe(true);
    expect(set.add("AAA")).toBe(true);
    expect(set.has("aa")).toBe(true);
    expect(set.has("AAAA")).toBe(false);
  });

  it("keeps every key through many rounds of growth", () => {
    const set = new CodeKeySet();
    let added = 0;
    for (let i = 0; i < 300_000; i++) if (set.add(`code-${i}`)) added++;
    expect(added).toBe(300_000);
    expect(set.size).toBe(300_000);
    let found = 0;
    for (let i = 0; i < 300_000; i++) if (set.has(`CODE-${i}`)) found++;
    expect(found).toBe(300_000);
    expect(set.has("CODE-300000")).toBe(false);
    expect(set.add("Code-299999")).toBe(false);
  });
});
