import { describe, expect, it } from "vitest";
import { addTime, describeDuration } from "../../../app/domain/time";

describe("durations", () => {
  const t = new Date("2026-01-31T12:00:00Z");
  it.each([
    [5, "minute", "2026-01-31T12:05:00.000Z"],
    [2, "hour", "2026-01-31T14:00:00.000Z"],
    [1, "day", "2026-02-01T12:00:00.000Z"],
    [1, "week", "2026-02-07T12:00:00.000Z"],
    [1, "month", "2026-02-28T12:00:00.000Z"],
    [2, "month", "2026-03-31T12:00:00.000Z"],
    [13, "month", "2027-02-28T12:00:00.000Z"],
    [0, "day", "2026-01-31T12:00:00.000Z"],
  ] as const)("GIVEN Jan 31 noon WHEN adding %i %s THEN it is %s", (value, unit, expected) => {
    expect(addTime(t, value, unit).toISOString()).toBe(expected);
  });

  it("GIVEN a leap year WHEN a month is added to Jan 31 THEN it lands on Feb 29", () => {
    expect(addTime(new Date("2028-01-31T00:00:00Z"), 1, "month").toISOString()).toBe("2028-02-29T00:00:00.000Z");
  });

  it("says durations the way people do", () => {
    expect(describeDuration(1, "day")).toBe("1 day");
    expect(describeDuration(3, "week")).toBe("3 weeks");
  });
});
