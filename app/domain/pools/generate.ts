// Generating promo codes from a shape: prefix + random body + suffix.
//
// - The body is either `length` random characters (default 8) or a `pattern` in which each `#` is one random
//   character and every other character is kept literally (`SUMMER-####-##`). Giving both is refused as ambiguous;
//   the prefix and suffix wrap either form. A literal `#` can be written in the prefix or suffix.
// - Characters come from a preset or a custom set, always without look-alikes: 0 O o 1 I i l are removed (from
//   custom sets too) because customers copy codes from print and email. The digits preset is therefore 2-9.
// - Codes are compared case-insensitively (see normaliseCodeKey), so the size of the space counts distinct
//   characters ignoring case. The mixed-case preset draws a character uniformly from that case-less set and then
//   its spelling: it looks mixed but has exactly the space of the upper-case preset.
// - Randomness is crypto.getRandomValues with rejection sampling (no modulo bias).
// - Headroom: a run may bring the pool to at most half of the space. Past that point each new code would take more
//   than two draws on average and the checks against the pool would multiply; below it they stay cheap.

import { webcrypto } from "node:crypto";
import { DEFAULT_MAX_CODE_LENGTH, hasOnlyAllowedCharacters, isAllowedCharacter, normaliseCodeKey } from "./code-rules";
import { CodeKeySet } from "./upload/key-set";

export type CharsetPreset = "alphanumeric_upper" | "letters_upper" | "digits" | "alphanumeric_mixed";

export interface GenerateOptions {
  /** Preset name (default alphanumeric_upper) or `{ custom: "ABC123" }`. */
  charset?: CharsetPreset | { custom: string };
  /** Random characters in the body when there is no pattern. Default 8. */
  length?: number;
  /** `#` = one random character; anything else literal. Replaces `length`. */
  pattern?: string;
  prefix?: string;
  suffix?: string;
  /** Default 255 (Shopify). */
  maxCodeLength?: number;
}

/** Characters never used in generated codes. */
export const LOOK_ALIKES = "0Oo1Iil";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";

export const DEFAULT_GENERATED_LENGTH = 8;
export const DEFAULT_GENERATION_BATCH = 5_000;

export type GenerationRefusal = "invalid_options" | "space_too_small" | "space_exhausted";

export class GenerationError extends Error {
  override readonly name = "GenerationError";
  constructor(
    readonly reason: GenerationRefusal,
    message: string,
  ) {
    super(message);
  }
}

function withoutLookAlikes(chars: string): string {
  return [...chars].filter((c) => !LOOK_ALIKES.includes(c)).join("");
}

function presetCharacters(preset: CharsetPreset): string {
  switch (preset) {
    case "alphanumeric_upper":
      return UPPER + DIGITS;
    case "letters_upper":
      return UPPER;
    case "digits":
      return DIGITS;
    case "alphanumeric_mixed":
      return UPPER + UPPER.toLowerCase() + DIGITS;
  }
}

const PRESETS: readonly CharsetPreset[] = ["alphanumeric_upper", "letters_upper", "digits", "alphanumeric_mixed"];

export interface CompiledShape {
  /** Distinct characters ignoring case: what the space is counted in. */
  keys: string;
  /** For each key, the spellings it may be drawn as (one, or upper and lower case). */
  spellings: readonly string[];
  /** Number of random positions. */
  placeholders: number;
  /** The whole code with 0 at the random positions, as UTF-16 code units. */
  template: Uint16Array;
  /** Indexes of the random positions in the template. */
  slots: Uint16Array;
  /** Number of distinct codes the shape can make (case-insensitively). */
  space: bigint;
}

function refuse(message: string): GenerationError {
  return new GenerationError("invalid_options", message);
}

function checkLiteral(what: string, text: string): void {
  if (!hasOnlyAllowedCharacters(text)) {
    const bad = [...new Set([...text].filter((c) => !isAllowedCharacter(c)))].map((c) => JSON.stringify(c)).join(" ");
    throw refuse(`The ${what} "${text}" contains characters a code cannot have: ${bad}.`);
  }
}

/** Validates the options and precomputes what drawing a code needs. Throws GenerationError("invalid_options"). */
export function compileShape(options: GenerateOptions): CompiledShape {
  const charset = options.charset ?? "alphanumeric_upper";
  let characters: string;
  if (typeof charset === "string") {
    if (!PRESETS.includes(charset)) throw refuse(`Unknown character set "${String(charset)}".`);
    characters = presetCharacters(charset);
  } else {
    checkLiteral("character set", charset.custom);
    characters = charset.custom;
  }
  characters = withoutLookAlikes(characters);

  const byKey = new Map<string, string[]>();
  for (const c of characters) {
    const key = c.toUpperCase();
    const spellings = byKey.get(key) ?? [];
    if (!spellings.includes(c)) spellings.push(c);
    byKey.set(key, spellings);
  }
  if (byKey.size < 2) {
    throw refuse(
      `The character set needs at least 2 different characters once look-alikes (${LOOK_ALIKES.split("").join(" ")}) ` +
        `are removed and case is ignored.`,
    );
  }
  const keys = [...byKey.keys()].join("");
  const spellings = [...byKey.values()].map((s) => s.join(""));

  const prefix = options.prefix ?? "";
  const suffix = options.suffix ?? "";
  checkLiteral("prefix", prefix);
  checkLiteral("suffix", suffix);

  let body: string;
  if (options.pattern !== undefined) {
    if (options.length !== undefined) throw refuse("Give either a pattern or a length, not both.");
    body = options.pattern;
    checkLiteral("pattern", body);
    if (!body.includes("#"))
      throw refuse(`The pattern "${body}" has no # placeholder, so every code would be the same.`);
  } else {
    const length = options.length ?? DEFAULT_GENERATED_LENGTH;
    if (!Number.isInteger(length) || length < 1) throw refuse("The length must be a whole number of at least 1.");
    if (length > DEFAULT_MAX_CODE_LENGTH) throw refuse(`The length must be at most ${DEFAULT_MAX_CODE_LENGTH}.`);
    body = "#".repeat(length);
  }

  const whole = prefix + body + suffix;
  const maxLength = options.maxCodeLength ?? DEFAULT_MAX_CODE_LENGTH;
  if (whole.length > maxLength) {
    throw refuse(`Codes would be ${whole.length} characters long; the limit is ${maxLength}.`);
  }
  const template = new Uint16Array(whole.length);
  const slots: number[] = [];
  for (let i = 0; i < whole.length; i++) {
    const inBody = i >= prefix.length && i < prefix.length + body.length;
    if (inBody && whole[i] === "#") slots.push(i);
    else template[i] = whole.charCodeAt(i);
  }
  return {
    keys,
    spellings,
    placeholders: slots.length,
    template,
    slots: Uint16Array.from(slots),
    space: BigInt(keys.length) ** BigInt(slots.length),
  };
}

/** Number of distinct codes (case-insensitively) the options can make: characters ^ placeholders. */
export function generationSpace(options: GenerateOptions): bigint {
  return compileShape(options).space;
}

export interface GenerationPlan {
  space: bigint;
  /** Half the space: the most codes the pool may hold from this shape. */
  capacity: bigint;
  /** How many more codes may be generated: capacity minus existing (never negative). */
  available: bigint;
  requested: number;
  existing: number;
  message: string;
}

function fmt(n: bigint | number): string {
  return n.toLocaleString("en-US");
}

/**
 * Checks that `requested` new codes fit next to `existingCount` codes already in the pool (pass the pool's size
 * when unsure which of its codes share the shape: it only makes the check stricter). Throws GenerationError
 * ("space_too_small") with an explanation when they do not.
 */
export function planGeneration(options: GenerateOptions, requested: number, existingCount = 0): GenerationPlan {
  if (!Number.isSafeInteger(requested) || requested < 1) throw refuse("Ask for at least 1 code.");
  if (!Number.isSafeInteger(existingCount) || existingCount < 0) throw refuse("The existing count must be 0 or more.");
  const shape = compileShape(options);
  const capacity = shape.space / 2n;
  const existing = BigInt(existingCount);
  const available = capacity > existing ? capacity - existing : 0n;
  const what =
    `${shape.placeholders} random character${shape.placeholders === 1 ? "" : "s"} from ${shape.keys.length} ` +
    `give ${fmt(shape.space)} codes`;
  const asked = `${fmt(requested)} requested${existingCount > 0 ? ` with ${fmt(existingCount)} already in the pool` : ""}`;
  if (BigInt(requested) > available) {
    throw new GenerationError(
      "space_too_small",
      `${what}; ${asked} does not fit: at most half of them may be used so new codes rarely collide, ` +
        `which leaves room for ${fmt(available)} more. Lengthen the code or widen the character set.`,
    );
  }
  return {
    space: shape.space,
    capacity,
    available,
    requested,
    existing: existingCount,
    message: `${what}; ${asked} fits.`,
  };
}

/** Random bytes from a refilled buffer (getRandomValues gives at most 65,536 bytes per call). */
class RandomBytes {
  private readonly buffer = new Uint8Array(65_536);
  private at = this.buffer.length;

  next(): number {
    if (this.at === this.buffer.length) {
      webcrypto.getRandomValues(this.buffer);
      this.at = 0;
    }
    return this.buffer[this.at++] as number;
  }

  /** Uniform in [0, n) for 1 <= n <= 256, by rejecting the bytes past the last multiple of n. */
  below(n: number): number {
    const limit = 256 - (256 % n);
    for (;;) {
      const b = this.next();
      if (b < limit) return b % n;
    }
  }
}

/** Draws random codes of a shape (duplicates possible; generateCodes removes them). */
export class CodeDrawer {
  private readonly random = new RandomBytes();
  private readonly code: Uint16Array;
  private readonly keyCount: number;
  private readonly spellingCodes: Uint16Array[];

  constructor(private readonly shape: CompiledShape) {
    this.code = Uint16Array.from(shape.template);
    this.keyCount = shape.keys.length;
    this.spellingCodes = shape.spellings.map((s) => Uint16Array.from(s, (c) => c.charCodeAt(0)));
  }

  next(): string {
    const { code, random, keyCount, spellingCodes } = this;
    const slots = this.shape.slots;
    for (let i = 0; i < slots.length; i++) {
      const spellings = spellingCodes[random.below(keyCount)] as Uint16Array;
      code[slots[i] as number] = (
        spellings.length === 1 ? spellings[0] : spellings[random.below(spellings.length)]
      ) as number;
    }
    return String.fromCharCode.apply(null, code as unknown as number[]);
  }
}

export interface GenerateRunOptions {
  /** Codes per yielded batch (and per isTaken call). Default 5,000. */
  batchSize?: number;
}

/**
 * Yields batches of `count` codes in total, unique among themselves (case-insensitively) and not taken in the pool:
 * `isTaken` receives the normalised keys of a batch of candidates and returns those the pool already has; they are
 * replaced by fresh draws. Throws GenerationError("space_exhausted") if fresh codes stop coming (the space is used
 * up), which planGeneration's headroom rule prevents.
 */
export async function* generateCodes(
  options: GenerateOptions,
  count: number,
  isTaken: (keyBatch: string[]) => Promise<Set<string>> | Set<string>,
  run: GenerateRunOptions = {},
): AsyncGenerator<string[]> {
  if (!Number.isSafeInteger(count) || count < 0) throw refuse("The number of codes must be a whole number.");
  const shape = compileShape(options);
  if (BigInt(count) > shape.space) {
    throw new GenerationError(
      "space_too_small",
      `${fmt(count)} codes were requested but the shape only has ${fmt(shape.space)}.`,
    );
  }
  const drawer = new CodeDrawer(shape);
  const batchSize = Math.max(1, run.batchSize ?? DEFAULT_GENERATION_BATCH);
  // Every key drawn so far, accepted or found taken: never drawn into a batch twice.
  const seen = new CodeKeySet();
  let produced = 0;
  while (produced < count) {
    const want = Math.min(batchSize, count - produced);
    const batch: string[] = [];
    let draws = 0;
    const maxDraws = 1_000 + want * 200;
    while (batch.length < want) {
      const need = want - batch.length;
      const codes: string[] = [];
      const keys: string[] = [];
      while (codes.length < need) {
        if (++draws > maxDraws) {
          throw new GenerationError(
            "space_exhausted",
            `Fresh codes stopped coming after ${fmt(produced + batch.length)} of ${fmt(count)}: ` +
              `the ${fmt(shape.space)} possible codes are nearly all used. Lengthen the code or widen the character set.`,
          );
        }
        const code = drawer.next();
        if (!seen.add(code)) continue;
        codes.push(code);
        keys.push(normaliseCodeKey(code));
      }
      const taken = await isTaken(keys);
      for (let i = 0; i < codes.length; i++) {
        if (!taken.has(keys[i] as string)) batch.push(codes[i] as string);
      }
    }
    produced += batch.length;
    yield batch;
  }
}
