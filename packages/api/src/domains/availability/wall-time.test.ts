import { describe, expect, test } from "vitest";
import {
  addDays,
  daysBetween,
  localDateIn,
  minutesOf,
  wallTimeOf,
  ZLocalDate,
  ZWallTime,
} from "./wall-time.ts";

describe("wall-clock formats", () => {
  test("HH:MM is a 24-hour time of day from 00:00 to 23:59, and round-trips through minutes", () => {
    for (const time of ["00:00", "07:05", "09:30", "12:00", "23:59"]) {
      expect(ZWallTime.safeParse(time).success).toBe(true);
      expect(wallTimeOf(minutesOf(time))).toBe(time);
    }
    expect(minutesOf("09:30")).toBe(570);
    for (const time of [
      "24:00",
      "7:5",
      "07:5",
      "7:05",
      "12:60",
      "09:00:00",
      "0900",
      " 09:00",
      "09:00 ",
      "",
      "aa:bb",
    ])
      expect(ZWallTime.safeParse(time).success, time).toBe(false);
  });

  test("dates are real calendar days from 1900 on", () => {
    for (const date of ["2028-02-29", "1900-01-01", "2026-12-31"])
      expect(ZLocalDate.safeParse(date).success).toBe(true);
    for (const date of [
      "2026-02-29",
      "2026-13-01",
      "2026-1-01",
      "1899-12-31",
      "0000-01-01",
      "2026-12-07T00:00",
    ])
      expect(ZLocalDate.safeParse(date).success, date).toBe(false);
  });

  test("day arithmetic crosses months, years and leap days", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(daysBetween("2026-12-24", "2026-12-26")).toBe(2);
    expect(daysBetween("2028-01-01", "2029-01-01")).toBe(366);
    expect(daysBetween("2026-12-26", "2026-12-24")).toBe(-2);
    // DST in the runtime's own zone cannot shift a UTC day count.
    expect(daysBetween("2026-03-01", "2026-04-01")).toBe(31);
  });

  test("today is the doctor's date, not the server's", () => {
    const lateEvening = new Date("2026-12-07T23:30:00Z");
    expect(localDateIn("UTC", lateEvening)).toBe("2026-12-07");
    expect(localDateIn("Africa/Algiers", lateEvening)).toBe("2026-12-08");
    expect(localDateIn("America/New_York", new Date("2026-12-08T03:00:00Z"))).toBe("2026-12-07");
    expect(localDateIn("Pacific/Kiritimati", new Date("2026-12-07T10:00:00Z"))).toBe("2026-12-08");
  });
});
