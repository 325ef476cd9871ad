import { describe, expect, it } from "vitest";
import { exactJsonText, parseJsonKeepingBigIds } from "../../../app/domain/events/safe-json";

type ReviverContext = { source?: string };

/** What the parser must agree with: JSON.parse with a reviver that keeps unsafe integers' source text. */
function withReviver(text: string): unknown {
  return JSON.parse(text, function (_key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source) {
      return context.source;
    }
    return value;
  } as (key: string, value: unknown) => unknown);
}

const CASES = [
  '{"id": 9007199254740993, "small": 42, "price": "19.99"}',
  '{"id": 9007199254740991, "neg": -9007199254740993, "list": [18014398509481985, 1, 2]}',
  '{"note": "order 9007199254740993 and \\"quoted 12345678901234567890\\"", "id": 12345678901234567890}',
  '{"float": 12345678901234567.5, "pi": 3.141592653589793238, "exp": 1e20, "small_exp": 1.5e3, "neg_exp": -2E+21}',
  '{"nested": {"a": [{"b": 99999999999999999999}]}, "escaped\\\\": "\\\\", "after": 9007199254740993}',
  '[1234567890123456, 123456789012345678, "1234567890123456789"]',
  '{"unicode": "\\u00e9 9007199254740993", "id": 9007199254740993}',
  '{"long_fraction": 0.12345678901234567890, "both": 3.14159265358979323846e5, "neg": -0.00000000000000001234}',
];

describe("parsing webhook JSON without rounding big ids", () => {
  it.each(CASES)("GIVEN %s THEN the result is what a source-keeping reviver gives", (text) => {
    expect(parseJsonKeepingBigIds(text)).toEqual(withReviver(text));
    expect(JSON.parse(exactJsonText(text))).toEqual(withReviver(text));
  });

  it("GIVEN a body without long numbers THEN its text is left exactly as it is", () => {
    const text = '{"id": 1073459981, "total_price": "199.00"}';
    expect(exactJsonText(text)).toBe(text);
  });

  it("GIVEN malformed JSON THEN SyntaxError, even where quoting digits could have looked like a fix", () => {
    for (const bad of [
      '{"id": 12345678901234567890abc}',
      "[12345678901234567890 12345678901234567891]",
      '{"a": "unterminated 12345678901234567890}',
      '{"id": ',
    ]) {
      expect(() => JSON.parse(exactJsonText(bad)), bad).toThrow(SyntaxError);
      expect(() => parseJsonKeepingBigIds(bad), bad).toThrow(SyntaxError);
    }
  });
});
