// When a dynamic code stops working. Validity starts the moment the code is generated (not when the pool was
// configured), so the end is computed per code from its own issue time. Calendar arithmetic is in UTC: minutes,
// hours, days and weeks are fixed lengths; months move the calendar month and keep the time of day, clamping to the
// month's last day (Jan 31 + 1 month = Feb 28, or 29 in a leap year), which is what "valid for a month" means to a
// merchant.

export const EXPIRY_UNITS = ["minutes", "hours", "days", "weeks", "months"] as const;
export type ExpiryUnit = (typeof EXPIRY_UNITS)[number];

export type ExpiryRule =
  | { type: "never" }
  | { type: "after"; amount: number; unit: ExpiryUnit }
  | { type: "fixed"; endsAt: string };

const UNIT_MS: Record<Exclude<ExpiryUnit, "months">, number> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
};

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

function addMonths(from: Date, months: number): Date {
  const total = from.getUTCFullYear() * 12 + from.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const day = Math.min(from.getUTCDate(), daysInMonth(year, month));
  return new Date(
    Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()),
  );
}

/** `from` moved forward by `amount` units. */
export function addPeriod(from: Date, amount: number, unit: ExpiryUnit): Date {
  if (unit === "months") return addMonths(from, amount);
  return new Date(from.getTime() + amount * UNIT_MS[unit]);
}

/** The end of a code issued at `issuedAt` under `rule`; null when it never expires. */
export function codeEndsAt(rule: ExpiryRule, issuedAt: Date): Date | null {
  switch (rule.type) {
    case "never":
      return null;
    case "after":
      return addPeriod(issuedAt, rule.amount, rule.unit);
    case "fixed":
      return new Date(rule.endsAt);
  }
}
