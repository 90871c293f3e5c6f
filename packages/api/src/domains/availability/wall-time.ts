import { z } from "zod";

/**
 * Wall-clock formats of availability: a time of day `HH:MM` (00:00 to 23:59; a rule ends at 23:59
 * at the latest, and never past midnight) and a calendar date `YYYY-MM-DD`, both read in the
 * doctor's time zone. The database keeps times as minutes after midnight.
 */

const WALL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const ZWallTime = z
  .string()
  .regex(WALL_TIME, "Expected a time of day HH:MM, from 00:00 to 23:59")
  .meta({ description: "A time of day `HH:MM` (24-hour clock) in the doctor's time zone" });

/** A real calendar date (2026-02-29 is refused) in years PostgreSQL's `date` and the zones agree on. */
export const ZLocalDate = z.iso
  .date()
  .refine((date) => date >= "1900-01-01", "Expected a date from 1900-01-01 on")
  .meta({ description: "A calendar date `YYYY-MM-DD` in the doctor's time zone" });

/** "09:30" → 570. The input has passed ZWallTime. */
export function minutesOf(time: string): number {
  const match = WALL_TIME.exec(time);
  if (!match) throw new Error(`not a wall time: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** 570 → "09:30". */
export function wallTimeOf(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return `${String(hours).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

const MS_PER_DAY = 86_400_000;

/** Days from `from` to `to` (dates `YYYY-MM-DD`): 0 for the same day, negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

/** The date `days` days after `date` (before it when negative), as `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar date at `instant` in `timeZone` (an IANA zone), as `YYYY-MM-DD`. */
export function localDateIn(timeZone: string, instant: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}
