// Durations merchants type ("3 days", "1 month") turned into instants. Months are calendar months: one month after
// January 31st is the last day of February, not March 3rd.

export const TIME_UNITS = ["minute", "hour", "day", "week", "month"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const UNIT_MS: Record<Exclude<TimeUnit, "month">, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

export function addTime(from: Date, value: number, unit: TimeUnit): Date {
  if (unit !== "month") return new Date(from.getTime() + value * UNIT_MS[unit]);
  const target = new Date(from.getTime());
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + value);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

export function describeDuration(value: number, unit: TimeUnit): string {
  return `${value} ${unit}${value === 1 ? "" : "s"}`;
}
