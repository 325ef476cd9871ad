// Instants that arrive from outside: API request bodies, and cursors the API handed out and gets back. An ISO 8601
// date-time can name year 0000 and JavaScript's Date reaches years -271821 and +275760, but PostgreSQL refuses
// some of those ("date/time field value out of range", a 500) and no store, pool or review has such a date. Only
// 1970 to 9999 is accepted; anything else is invalid input.

export const EARLIEST_INSTANT = new Date("1970-01-01T00:00:00.000Z");
export const LATEST_INSTANT = new Date("9999-12-31T23:59:59.999Z");

/** Whether `at` is a valid date from 1970 to 9999 (UTC). */
export function isAcceptedInstant(at: Date): boolean {
  const time = at.getTime();
  return time >= EARLIEST_INSTANT.getTime() && time <= LATEST_INSTANT.getTime();
}
