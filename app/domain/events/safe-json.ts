// Shopify ids exceed 2^53 (order ids already do). JSON.parse would round them silently, so integers that are not
// safe are kept as their exact source text.
//
// This runs on the hottest path there is (every webhook), so it does not use a reviver (a call per value, and
// Node builds each value's source text for it). Only a number with 16 or more digits, or in exponent form, can be
// unsafe: text without one is left alone, and otherwise one pass over the text (strings skipped whole) quotes the
// unsafe integers before the native parse. The result is the one a reviver keeping unsafe integers' source text
// would give (test/unit/webhooks/safe-json.test.ts compares the two).

const MAYBE_UNSAFE_NUMBER = /\d{16}|\d[eE][+-]?\d/;
/**
 * A whole number that may be unsafe: 16+ integer digits, or exponent form. The lookbehind keeps a match from
 * starting inside another number (the digits after a decimal point); whether it stands inside a string is decided
 * by walking the quotes before it.
 */
const CANDIDATES = /(?<![\d.eE+-])-?(?:\d{16,}(?:\.\d+)?(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?[eE][+-]?\d+)/g;

const BACKSLASH = 92;

/** Whether the quote at `at` is escaped (preceded by an odd run of backslashes). */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes += 1;
  return backslashes % 2 === 1;
}

function quoteUnsafeIntegers(text: string): string {
  let out = "";
  let copied = 0;
  // String state at `walked`: every unescaped quote between two candidates flips it.
  let walked = 0;
  let inString = false;
  for (const match of text.matchAll(CANDIDATES)) {
    const at = match.index;
    for (let quote = text.indexOf('"', walked); quote !== -1 && quote < at; quote = text.indexOf('"', quote + 1)) {
      if (!inString || !isEscaped(text, quote)) inString = !inString;
    }
    walked = at + match[0].length;
    if (inString) continue;
    const value = Number(match[0]);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      out += `${text.slice(copied, at)}"${match[0]}"`;
      copied = walked;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The text with unsafe integers quoted, ready for a parser (JSON.parse, PostgreSQL's jsonb) that would round them. */
export function exactJsonText(text: string): string {
  return MAYBE_UNSAFE_NUMBER.test(text) ? quoteUnsafeIntegers(text) : text;
}

export function parseJsonKeepingBigIds(text: string): unknown {
  return JSON.parse(exactJsonText(text));
}
