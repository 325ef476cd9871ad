import { webcrypto } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkCode, normaliseCodeKey } from "../../../app/domain/pools/code-rules";
import {
  compileShape,
  generateCodes,
  generationSpace,
  GenerationError,
  LOOK_ALIKES,
  planGeneration,
  type GenerateOptions,
} from "../../../app/domain/pools/generate";

const nothingTaken = () => new Set<string>();

async function generateAll(
  options: GenerateOptions,
  count: number,
  isTaken: (keys: string[]) => Set<string> | Promise<Set<string>> = nothingTaken,
  batchSize?: number,
): Promise<{ codes: string[]; batches: string[][] }> {
  const batches: string[][] = [];
  for await (const batch of generateCodes(options, count, isTaken, { batchSize })) batches.push(batch);
  return { codes: batches.flat(), batches };
}

function generationError(run: () => unknown): GenerationError {
  try {
    run();
  } catch (error) {
    if (error instanceof GenerationError) return error;
    throw error;
  }
  throw new Error("expected a GenerationError");
}

describe("code generation: shape", () => {
  it.each(["alphanumeric_upper", "letters_upper", "digits", "alphanumeric_mixed"] as const)(
    "never uses a look-alike character with the %s preset",
    async (charset) => {
      const { codes } = await generateAll({ charset, length: 12 }, 5_000);
      const used = new Set(codes.join(""));
      for (const ch of LOOK_ALIKES) expect(used.has(ch)).toBe(false);
    },
  );

  it("strips look-alikes from a custom character set too", async () => {
    const shape = compileShape({ charset: { custom: "01OoIilABC" } });
    expect(shape.keys).toBe("ABC");
  });

  it("uses the documented preset sizes (look-alikes removed, case ignored)", () => {
    expect(compileShape({ charset: "alphanumeric_upper" }).keys).toHaveLength(32);
    expect(compileShape({ charset: "letters_upper" }).keys).toHaveLength(24);
    expect(compileShape({ charset: "digits" }).keys).toBe("23456789");
    expect(compileShape({ charset: "alphanumeric_mixed" }).keys).toHaveLength(32);
  });

  it("fills # placeholders of a pattern and keeps the literal parts, wrapped in prefix and suffix", async () => {
    const { codes } = await generateAll(
      { pattern: "SUMMER-####-##", prefix: "X", suffix: "!", charset: "digits" },
      500,
    );
    for (const code of codes) expect(code).toMatch(/^XSUMMER-[2-9]{4}-[2-9]{2}!$/);
  });

  it("keeps a literal # written in the prefix", async () => {
    const { codes } = await generateAll({ prefix: "#1-", length: 4 }, 50);
    for (const code of codes) expect(code).toMatch(/^#1-[A-Z2-9]{4}$/);
  });

  it("makes mixed-case codes that stay unique case-insensitively", async () => {
    const { codes } = await generateAll({ charset: "alphanumeric_mixed", length: 3 }, 5_000);
    expect(codes.some((c) => /[a-z]/.test(c))).toBe(true);
    expect(new Set(codes.map(normaliseCodeKey)).size).toBe(codes.length);
  });

  it("produces codes that pass the upload rules", async () => {
    const { codes } = await generateAll(
      { prefix: "VIP_", suffix: ".2024", length: 10, charset: "alphanumeric_mixed" },
      1_000,
    );
    for (const code of codes) expect(checkCode(code)).toBeNull();
  });

  it.each([
    [{ prefix: "SUMMER SALE-" }, /prefix "SUMMER SALE-" contains characters a code cannot have: " "/],
    [{ suffix: "é" }, /suffix/],
    [{ pattern: "AB,##" }, /pattern/],
    [{ pattern: "ABCD" }, /no # placeholder/],
    [{ pattern: "###", length: 3 }, /either a pattern or a length/],
    [{ length: 0 }, /at least 1/],
    [{ charset: { custom: "0O1" } }, /at least 2 different characters/],
    [{ charset: { custom: "aA" } }, /at least 2 different characters/],
    [{ charset: { custom: "AB C" } }, /character set/],
    [{ prefix: "P".repeat(250), length: 10 }, /260 characters long; the limit is 255/],
  ] as [GenerateOptions, RegExp][])("refuses invalid options %j", (options, message) => {
    const error = generationError(() => compileShape(options));
    expect(error.reason).toBe("invalid_options");
    expect(error.message).toMatch(message);
  });
});

describe("code generation: space and plan", () => {
  it("counts the space as characters ^ placeholders", () => {
    expect(generationSpace({ charset: "digits", length: 4 })).toBe(4_096n);
    expect(generationSpace({ length: 6 })).toBe(1_073_741_824n);
    expect(generationSpace({ pattern: "SUMMER-####", charset: "letters_upper" })).toBe(24n ** 4n);
    expect(generationSpace({ length: 40 })).toBe(32n ** 40n);
  });

  it("accepts a request that fits in half the space, explaining why", () => {
    const plan = planGeneration({ length: 6 }, 1_000_000);
    expect(plan.space).toBe(1_073_741_824n);
    expect(plan.message).toBe("6 random characters from 32 give 1,073,741,824 codes; 1,000,000 requested fits.");
  });

  it("refuses a request that does not fit, saying how much would and what to change", () => {
    const error = generationError(() => planGeneration({ charset: "digits", length: 4 }, 20_000));
    expect(error.reason).toBe("space_too_small");
    expect(error.message).toBe(
      "4 random characters from 8 give 4,096 codes; 20,000 requested does not fit: at most half of them may be used " +
        "so new codes rarely collide, which leaves room for 2,048 more. Lengthen the code or widen the character set.",
    );
  });

  it("counts the codes already in the pool against the headroom", () => {
    expect(planGeneration({ charset: "digits", length: 4 }, 1_000, 1_000).available).toBe(1_048n);
    const error = generationError(() => planGeneration({ charset: "digits", length: 4 }, 1_100, 1_000));
    expect(error.message).toMatch(/1,100 requested with 1,000 already in the pool does not fit.*room for 1,048 more/);
  });
});

describe("code generation: uniqueness and randomness", () => {
  it("GIVEN 100,000 codes requested THEN none repeats and batches are bounded", async () => {
    const { codes, batches } = await generateAll({ length: 6 }, 100_000, nothingTaken, 5_000);
    expect(codes).toHaveLength(100_000);
    expect(new Set(codes).size).toBe(100_000);
    expect(batches.every((b) => b.length <= 5_000)).toBe(true);
  });

  it("stays unique when the space is nearly filled (every retry path exercised)", async () => {
    const { codes } = await generateAll({ charset: { custom: "AB" }, length: 10 }, 1_000, nothingTaken, 100);
    expect(new Set(codes).size).toBe(1_000);
  });

  it("replaces codes the pool already has, asking about normalised keys", async () => {
    const pool = new Set<string>();
    const first = await generateAll({ charset: "digits", length: 3 }, 200);
    for (const code of first.codes) pool.add(normaliseCodeKey(code));
    const asked: string[] = [];
    const isTaken = async (keys: string[]) => {
      asked.push(...keys);
      return new Set(keys.filter((k) => pool.has(k)));
    };
    const second = await generateAll({ charset: "digits", length: 3 }, 200, isTaken, 50);
    expect(second.codes).toHaveLength(200);
    for (const code of second.codes) expect(pool.has(normaliseCodeKey(code))).toBe(false);
    expect(new Set(second.codes).size).toBe(200);
    // 200 of 512 were taken, so some candidates must have been refused and replaced.
    expect(asked.length).toBeGreaterThan(200);
    for (const key of asked) expect(key).toBe(normaliseCodeKey(key));
  });

  it("stops with space_exhausted instead of looping when the pool has taken everything", async () => {
    const everything = (keys: string[]) => new Set(keys);
    await expect(generateAll({ charset: { custom: "AB" }, length: 3 }, 2, everything)).rejects.toMatchObject({
      reason: "space_exhausted",
    });
  });

  it("refuses outright more codes than the space holds", async () => {
    await expect(generateAll({ charset: "digits", length: 2 }, 65)).rejects.toMatchObject({
      reason: "space_too_small",
    });
  });

  it("draws characters uniformly (chi-square over 50,000 characters, loose bound)", async () => {
    const { codes } = await generateAll({ length: 10 }, 5_000);
    const counts = new Map<string, number>();
    for (const ch of codes.join("")) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const alphabet = compileShape({}).keys;
    expect(counts.size).toBe(alphabet.length);
    const expected = 50_000 / alphabet.length;
    let chiSquare = 0;
    for (const ch of alphabet) chiSquare += ((counts.get(ch) ?? 0) - expected) ** 2 / expected;
    // 31 degrees of freedom: mean 31, p = 1e-6 is about 85. Modulo bias towards some characters would blow past it.
    expect(chiSquare).toBeLessThan(85);
  });

  describe("where the randomness comes from", () => {
    afterEach(() => vi.restoreAllMocks());

    it("GIVEN the system's cryptographic source THEN every character is drawn from it, Math.random never", async () => {
      // Bytes of 0 are the first character of the set; a generator reading Math.random (or a seeded PRNG) would
      // not follow them. With 7 characters, 255 is past the last multiple of 7 (252) and must be rejected, not folded onto one.
      const bytes = vi.spyOn(webcrypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
        const view = array as unknown as Uint8Array;
        for (let i = 0; i < view.length; i++) view[i] = i % 2 === 0 ? 255 : 0;
        return array;
      });
      const mathRandom = vi.spyOn(Math, "random");
      const { codes } = await generateAll({ charset: { custom: "ABCDEFG" }, length: 6 }, 1);
      expect(bytes).toHaveBeenCalled();
      expect(mathRandom).not.toHaveBeenCalled();
      expect(codes).toEqual(["AAAAAA"]);
    });
  });

  it("draws every position uniformly, not just the character totals", async () => {
    const { codes } = await generateAll({ charset: "digits", length: 4 }, 1_000);
    for (let position = 0; position < 4; position++) {
      const seen = new Set(codes.map((c) => c[position]));
      expect(seen.size).toBe(8);
    }
  });
});
