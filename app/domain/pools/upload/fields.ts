// The optional per-code cells: expiry, discount, tag, in-use flag. Each reader takes the trimmed cell text and
// returns the value, null for an empty cell, or a RejectReason.

import { MAX_TAG_LENGTH, type RejectReason } from "./types";

const MINUTE = 60_000;

// Extended ISO 8601: 2017-12-31, 2017-12-31T23:59, 2017-12-31 23:59:30, 2017-12-31T23:59:30.123+02:00, ...Z
const EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
// Basic ISO 8601: 20171231, 20171231T2359, 20171231T235930Z, 20171231T235930+0200
const BASIC = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?:\d{2})?)?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/**
 * Reads an expiry written in ISO 8601 (extended or basic form, `T` or a space between date and time).
 * - With a zone (`Z`, `+02:00`, `+0200`, `+02`): that exact instant.
 * - With a time but no zone (`2017-12-31T23:59`): wall-clock time at `timezoneOffsetMinutes` from UTC.
 * - Date only (`2017-12-31`): the code stays valid through the whole of that day, so the expiry is the last
 *   millisecond of the day (23:59:59.999) at `timezoneOffsetMinutes` from UTC (UTC by default).
 * Anything else, including `12/31/2017` (day and month order cannot be told apart), is a bad date.
 */
export function parseExpiry(text: string, timezoneOffsetMinutes = 0): Date | null | "bad_date" {
  if (text === "") return null;
  const m = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (!m) return "bad_date";
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return "bad_date";

  if (m[4] === undefined) {
    return new Date(Date.UTC(year, month - 1, day, 23, 59, 59, 999) - timezoneOffsetMinutes * MINUTE);
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  if (hour > 23 || minute > 59 || second > 59) return "bad_date";

  let offset = timezoneOffsetMinutes;
  const zone = m[8];
  if (zone !== undefined) {
    if (zone === "Z" || zone === "z") {
      offset = 0;
    } else {
      const digits = zone.slice(1).replace(":", "");
      const zoneHours = Number(digits.slice(0, 2));
      const zoneMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (zoneHours > 23 || zoneMinutes > 59) return "bad_date";
      offset = (zone[0] === "-" ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
    }
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * MINUTE);
}

const WHOLE_NUMBER = /^[+-]?\d+(?:\.0*)?%?$/;

/** A whole percentage 0..99 (`10`, `10%`, `10.0`). */
export function parseDiscount(text: string): number | null | "bad_discount" | "discount_out_of_range" {
  if (text === "") return null;
  const first = text.charCodeAt(0) - 0x30;
  if (text.length === 1 && first >= 0 && first <= 9) return first;
  if (text.length === 2 && first >= 0 && first <= 9) {
    const second = text.charCodeAt(1) - 0x30;
    if (second >= 0 && second <= 9) return first * 10 + second;
  }
  if (!WHOLE_NUMBER.test(text)) return "bad_discount";
  const value = Number.parseInt(text, 10);
  if (value < 0 || value > 99) return "discount_out_of_range";
  return value;
}

/** A Map, not an object literal: a cell reading "constructor" or "__proto__" must not find Object.prototype's. */
const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ["1", true],
  ["0", false],
  ["true", true],
  ["false", false],
  ["yes", true],
  ["no", false],
  ["y", true],
  ["n", false],
]);

/** 1/0, true/false, yes/no, y/n in any case; an empty cell means not in use. */
export function parseInUse(text: string): boolean | "bad_in_use_flag" {
  if (text === "") return false;
  return FLAGS.get(text.toLowerCase()) ?? "bad_in_use_flag";
}

// Control characters (C0, DEL, C1) and U+FFFD, which is what bytes that were not UTF-8 decode to.
// eslint-disable-next-line no-control-regex
const BAD_TAG_CHARACTER = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** Free text up to 64 characters; null when empty. */
export function parseTag(text: string): string | null | "bad_tag" {
  if (text === "") return null;
  if (text.length > MAX_TAG_LENGTH || BAD_TAG_CHARACTER.test(text)) return "bad_tag";
  return text;
}

export type FieldReason = Extract<
  RejectReason,
  "bad_date" | "bad_discount" | "discount_out_of_range" | "bad_in_use_flag" | "bad_tag"
>;
