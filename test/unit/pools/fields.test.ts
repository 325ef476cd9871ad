import { describe, expect, it } from "vitest";
import { checkCode, hasOnlyAllowedCharacters, normaliseCodeKey } from "../../../app/domain/pools/code-rules";
import { detectFormat, parseDiscount, parseExpiry, parseInUse, parseTag } from "../../../app/domain/pools/upload";
import { bytes } from "./helpers";

describe("code rules", () => {
  it("accepts letters, digits and the documented punctuation", () => {
    expect(checkCode("Summer-2024_A.B#C@D+E/F$G%H&I*J!K?")).toBeNull();
  });

  it.each([" ", "\t", "\u00a0", "é", "А" /* Cyrillic */, "\u200b", '"', "'", ",", ";", "<", "=", "\\", "\u0007"])(
    "refuses the character %j inside a code",
    (ch) => {
      expect(checkCode(`AB${ch}CD`)).toBe("invalid_characters");
      expect(hasOnlyAllowedCharacters(`AB${ch}CD`)).toBe(false);
    },
  );

  it("refuses empty codes and codes over the length limit (255 by default)", () => {
    expect(checkCode("")).toBe("empty");
    expect(checkCode("A".repeat(255))).toBeNull();
    expect(checkCode("A".repeat(256))).toBe("too_long");
    expect(checkCode("A".repeat(11), 10)).toBe("too_long");
  });

  it("compares codes case-insensitively and ignoring surrounding spaces", () => {
    expect(normaliseCodeKey("  summer10 ")).toBe(normaliseCodeKey("SUMMER10"));
  });
});

describe("expiry dates", () => {
  it("reads a time without seconds or zone in UTC by default", () => {
    expect(parseExpiry("2017-12-31T23:59")).toEqual(new Date("2017-12-31T23:59:00Z"));
  });

  it("reads a time without zone at the given offset from UTC", () => {
    expect(parseExpiry("2017-12-31T23:59", 60)).toEqual(new Date("2017-12-31T22:59:00Z"));
    expect(parseExpiry("2017-12-31 23:59:30", -300)).toEqual(new Date("2018-01-01T04:59:30Z"));
  });

  it("reads explicit zones and ignores the default offset for them", () => {
    expect(parseExpiry("2017-12-31T23:59:59.5+02:00", 600)).toEqual(new Date("2017-12-31T21:59:59.500Z"));
    expect(parseExpiry("2017-12-31T23:59Z", 600)).toEqual(new Date("2017-12-31T23:59:00Z"));
    expect(parseExpiry("2017-12-31T23:59-0530")).toEqual(new Date("2018-01-01T05:29:00Z"));
    expect(parseExpiry("20171231T235900Z")).toEqual(new Date("2017-12-31T23:59:00Z"));
  });

  it("treats a date without time as valid through the end of that day", () => {
    expect(parseExpiry("2017-12-31")).toEqual(new Date("2017-12-31T23:59:59.999Z"));
    expect(parseExpiry("2017-12-31", 120)).toEqual(new Date("2017-12-31T21:59:59.999Z"));
  });

  it.each([
    "31/12/2017",
    "12/31/2017",
    "2017-13-01",
    "2017-02-29",
    "2017-12-31T24:00",
    "2017-12-31T23:60",
    "tomorrow",
    "2017-12-31T23:59+25:00",
    "17-12-31",
  ])("refuses %j", (text) => {
    expect(parseExpiry(text)).toBe("bad_date");
  });

  it("accepts 29 February in a leap year", () => {
    expect(parseExpiry("2024-02-29")).toEqual(new Date("2024-02-29T23:59:59.999Z"));
  });

  it("reads an empty cell as no expiry", () => {
    expect(parseExpiry("")).toBeNull();
  });
});

describe("discounts, in-use flags and tags", () => {
  it("accepts whole percentages 0 to 99", () => {
    expect(parseDiscount("0")).toBe(0);
    expect(parseDiscount("99")).toBe(99);
    expect(parseDiscount("15%")).toBe(15);
    expect(parseDiscount("20.0")).toBe(20);
    expect(parseDiscount("")).toBeNull();
  });

  it("refuses 100 and -1 as out of range, and non-numbers as bad", () => {
    expect(parseDiscount("100")).toBe("discount_out_of_range");
    expect(parseDiscount("-1")).toBe("discount_out_of_range");
    expect(parseDiscount("12.5")).toBe("bad_discount");
    expect(parseDiscount("ten")).toBe("bad_discount");
  });

  it.each([
    ["1", true],
    ["0", false],
    ["TRUE", true],
    ["false", false],
    ["Yes", true],
    ["no", false],
    ["y", true],
    ["N", false],
    ["", false],
  ])("reads the in-use flag %j as %s", (text, value) => {
    expect(parseInUse(text)).toBe(value);
  });

  it("refuses other in-use values", () => {
    expect(parseInUse("2")).toBe("bad_in_use_flag");
    expect(parseInUse("maybe")).toBe("bad_in_use_flag");
    for (const inherited of ["constructor", "__proto__", "toString", "hasOwnProperty"]) expect(parseInUse(inherited)).toBe("bad_in_use_flag");
  });

  it("accepts tags up to 64 characters and refuses longer ones or control characters", () => {
    expect(parseTag("t".repeat(64))).toBe("t".repeat(64));
    expect(parseTag("t".repeat(65))).toBe("bad_tag");
    expect(parseTag("a\u0000b")).toBe("bad_tag");
    expect(parseTag("caf\ufffd")).toBe("bad_tag");
    expect(parseTag("")).toBeNull();
  });
});

describe("format detection", () => {
  it("trusts the content over the file name", () => {
    expect(detectFormat("codes.csv", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe("xlsx");
    expect(detectFormat("codes.xlsx", bytes("code\nAAA111\n"))).toBe("csv");
    expect(detectFormat("codes.txt", bytes("\uFEFFcode;discount\n"))).toBe("csv");
  });

  it("calls images, legacy .xls and UTF-16 text unknown", () => {
    expect(detectFormat("codes.xlsx", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      "unknown",
    );
    expect(detectFormat("codes.xls", new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).toBe("unknown");
    expect(detectFormat("codes.csv", new Uint8Array([0xff, 0xfe, 0x41, 0]))).toBe("unknown");
  });

  it("falls back to the extension for an empty file", () => {
    expect(detectFormat("codes.XLSX", new Uint8Array())).toBe("xlsx");
    expect(detectFormat("codes.csv", new Uint8Array())).toBe("csv");
    expect(detectFormat("codes.pdf", new Uint8Array())).toBe("unknown");
  });
});
