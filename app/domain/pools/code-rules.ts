// What a promo code may look like, shared by uploads, generation and the pool services.
//
// Allowed characters: A-Z a-z 0-9 and  - _ . # @ + / $ % & * ! ?
// This is deliberately narrower than what Shopify or Magento accept:
// - Whitespace anywhere inside a code is refused: customers cannot see a trailing or doubled space, platforms trim
//   or refuse it, and a code that differs only by spacing is a support ticket.
// - Control characters and everything outside printable ASCII are refused: accented letters, emoji and look-alike
//   Unicode (Cyrillic "А" vs Latin "A", full-width digits, zero-width spaces) look identical in an email but do not
//   match at checkout, and they are usually the result of a file saved in the wrong encoding.
// - Among printable ASCII we drop the characters that break the places a code travels through: quotes and
//   backtick (CSV, HTML attributes, Liquid/JS templates), comma and semicolon (CSV exports), backslash, angle
//   brackets, braces, brackets, pipe, caret, tilde, colon, equals and parentheses (templating, formula injection,
//   markdown, and frequent mis-typing).
// The remaining punctuation is kept because real voucher lists from third parties use it. Note for whoever builds
// discount links (`/discount/<code>`): `/ ? # % & +` must be percent-encoded there, and CSV exports must neutralise
// a leading `+ - @` (spreadsheet formula injection).

/** Shopify refuses discount codes longer than 255 characters. */
export const DEFAULT_MAX_CODE_LENGTH = 255;

/** The allowed punctuation, in the order it is documented above. */
export const ALLOWED_PUNCTUATION = "-_.#@+/$%&*!?";

const ALLOWED = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) ALLOWED[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) ALLOWED[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) ALLOWED[c] = 1;
for (const ch of ALLOWED_PUNCTUATION) ALLOWED[ch.charCodeAt(0)] = 1;

/** True when every character of `text` may appear in a code (the empty string passes: emptiness is checked apart). */
export function hasOnlyAllowedCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ALLOWED[c] !== 1) return false;
  }
  return true;
}

export function isAllowedCharacter(ch: string): boolean {
  return ch.length === 1 && hasOnlyAllowedCharacters(ch);
}

/**
 * The key two codes are compared by: Shopify discount codes are case-insensitive at checkout (and Magento coupon
 * lookups follow the database collation, case-insensitive by default), so `abc` and `ABC` are the same code.
 * Uploads use it for duplicates within a file, services for duplicates against the pool.
 */
export function normaliseCodeKey(code: string): string {
  return code.trim().toUpperCase();
}

export type CodeProblem = "empty" | "too_long" | "invalid_characters";

/** Checks a code that has already been trimmed. Returns null when it is acceptable. */
export function checkCode(code: string, maxLength: number = DEFAULT_MAX_CODE_LENGTH): CodeProblem | null {
  if (code.length === 0) return "empty";
  if (code.length > maxLength) return "too_long";
  if (!hasOnlyAllowedCharacters(code)) return "invalid_characters";
  return null;
}
