// Instants that arrive from outside: API request bodies, and cursors the API handed out and gets back. An ISO 8601
// date-time can name year 0000 and JavaScript's Date reaches years -271821 and +275760, but PostgreSQL refuses
// some of those ("date/time field value out of range", a 500) and no store, pool or review has such a date. Only
// 1970 to 9999 is accepted; anything else is invalid input.
import { z } from "zod";

export const EARLIEST_INSTANT = new Date("1970-01-01T00:00:00.000Z");
export const LATEST_INSTANT = new Date("9999-12-31T23:59:59.999Z");

/** Whether `at` is a valid date from 1970 to 9999 (UTC). */
export function isAcceptedInstant(at: Date): boolean {
  const time = at.getTime();
  return time >= EARLIEST_INSTANT.getTime() && time <= LATEST_INSTANT.getTime();
}

/**
 * An ISO 8601 date-time with an offset (Z or ±hh:mm), from 1970 to 9999, and with `maxAheadMs` no further than that
 * ahead of the clock when validated. `error` is the message for text that is not such a date-time, `range` for a
 * date-time outside the range.
 */
export function isoDateTime(options: { error: string; range: string; maxAheadMs?: number }) {
  return z.iso.datetime({ offset: true, error: options.error }).refine(
    (text) => {
      const at = new Date(text);
      return (
        isAcceptedInstant(at) && (options.maxAheadMs === undefined || at.getTime() <= Date.now() + options.maxAheadMs)
      );
    },
    { error: options.range },
  );
}
