// "Runs out in about N days at the last 7 days' rate", and the per-day series behind the pool chart.

export interface DailyCount {
  day: Date;
  count: number;
}

export interface Forecast {
  issuedLast7Days: number;
  /** null when nothing was issued in the last 7 days (no rate to extrapolate). */
  daysLeft: number | null;
  /** The last `days` days, oldest first, missing days filled with 0. */
  daily: DailyCount[];
}

const DAY_MS = 86_400_000;

function startOfUtcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS) * DAY_MS;
}

export function depletionForecast(input: { available: number; daily: DailyCount[]; now: Date; days?: number }): Forecast {
  const days = input.days ?? 30;
  const today = startOfUtcDay(input.now);
  const byDay = new Map<number, number>();
  for (const d of input.daily) {
    const key = startOfUtcDay(d.day);
    byDay.set(key, (byDay.get(key) ?? 0) + d.count);
  }
  const daily: DailyCount[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const key = today - i * DAY_MS;
    daily.push({ day: new Date(key), count: byDay.get(key) ?? 0 });
  }
  // The last 7 days include today so far.
  const issuedLast7Days = daily.slice(-7).reduce((sum, d) => sum + d.count, 0);
  const perDay = issuedLast7Days / 7;
  const daysLeft = perDay > 0 ? Math.floor(input.available / perDay) : null;
  return { issuedLast7Days, daysLeft, daily };
}

export type StockLevel = "ok" | "low";

/** Low when the available count is at or under the threshold, or the forecast says it runs out within a week. */
export function stockLevel(input: { available: number; threshold: number | null; daysLeft: number | null }): StockLevel {
  if (input.threshold !== null && input.available <= input.threshold) return "low";
  if (input.daysLeft !== null && input.daysLeft < 7) return "low";
  return "ok";
}
