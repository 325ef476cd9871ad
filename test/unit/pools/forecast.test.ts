// "Runs out in about N days at the last 7 days' rate": the window is today and the six UTC days before it.
import { describe, expect, it } from "vitest";
import { forecastText } from "../../../app/components/pools/format";
import { depletionForecast } from "../../../app/domain/pools/forecast";

const now = new Date("2026-11-22T15:00:00Z");
const daysAgo = (n: number, hour = 12) => new Date(Date.UTC(2026, 10, 22 - n, hour));

describe("depletion forecast", () => {
  it("counts today and the six days before it, not the seventh; days left is what remains at that rate", () => {
    const forecast = depletionForecast({
      available: 100,
      now,
      daily: [
        { day: daysAgo(0, 1), count: 3 },
        { day: daysAgo(6, 23), count: 4 },
        { day: daysAgo(7, 23), count: 50 },
        { day: daysAgo(10), count: 50 },
      ],
    });
    expect(forecast.issuedLast7Days).toBe(7);
    expect(forecast.daysLeft).toBe(100); // 7 a week is 1 a day
    expect(forecast.daily).toHaveLength(30);
    expect(forecast.daily[0]!.day.toISOString()).toBe("2026-10-24T00:00:00.000Z");
    expect(forecast.daily.at(-1)).toEqual({ day: new Date("2026-11-22T00:00:00Z"), count: 3 });
    expect(forecast.daily.at(-8)).toEqual({ day: new Date("2026-11-15T00:00:00Z"), count: 50 });
  });

  it("has no forecast without issues in the window, and rounds days left down", () => {
    expect(depletionForecast({ available: 10, now, daily: [{ day: daysAgo(8), count: 9 }] })).toMatchObject({ issuedLast7Days: 0, daysLeft: null });
    expect(depletionForecast({ available: 10, now, daily: [{ day: daysAgo(1), count: 3 }] }).daysLeft).toBe(23); // 10 / (3/7) = 23.3
    expect(depletionForecast({ available: 0, now, daily: [{ day: daysAgo(1), count: 3 }] }).daysLeft).toBe(0);
  });
});

describe("the forecast as the pool list words it", () => {
  it("says how many days are left, or why there is no number", () => {
    expect(forecastText({ total: 0, available: 0, daysLeft: null })).toBe("No codes yet");
    expect(forecastText({ total: 5, available: 0, daysLeft: 0 })).toBe("Empty");
    expect(forecastText({ total: 5, available: 5, daysLeft: null })).toBe("No recent issues");
    expect(forecastText({ total: 5, available: 1, daysLeft: 0 })).toBe("Runs out within a day");
    expect(forecastText({ total: 50, available: 40, daysLeft: 1 })).toBe("Runs out in about 1 day");
    expect(forecastText({ total: 5000, available: 4000, daysLeft: 1200 })).toBe("Runs out in about 1,200 days");
  });
});
