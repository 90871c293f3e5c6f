import { Temporal } from "temporal-polyfill";
import { invalidField } from "#platform/errors/errors.ts";
import { isKnownTimeZone } from "#platform/fields/time-zone.ts";

/**
 * Bookable slots from weekly rules and dated exceptions, in the doctor's zone (ADR 0019).
 * Pure: no I/O, the clock is an argument. The input types are the shapes the database rows have
 * (`time` columns as `HH:MM:SS`, nullable columns as null), so rows go in as they are read.
 */

/** A weekly rule: wall-clock hours on one ISO weekday (1 = Monday … 7 = Sunday). */
export interface WeeklyRule {
  readonly weekday: number;
  /** `HH:MM` or `HH:MM:SS` (seconds 00), wall clock in the doctor's zone. */
  readonly startTime: string;
  /** Same; `24:00` is the end of the day. */
  readonly endTime: string;
  /** Null or absent: the doctor's default length. */
  readonly slotMinutes?: number | null;
  readonly isActive: boolean;
}

export type ExceptionKind = "TIME_OFF" | "EXTRA_HOURS";

/** Time off or extra hours on the local dates `startDate`…`endDate` (inclusive). */
export interface DatedException {
  readonly kind: ExceptionKind;
  readonly startDate: string;
  readonly endDate: string;
  /** Both or neither: no times means whole days; with times, that window on each of the dates. */
  readonly startTime?: string | null;
  readonly endTime?: string | null;
  /** Extra hours' slot length; null or absent: the doctor's default. Ignored for time off. */
  readonly slotMinutes?: number | null;
}

/** What a doctor offers, before the clock and the bookings are applied. */
export interface Availability {
  /** IANA zone the rules' wall-clock times are in. */
  readonly timezone: string;
  readonly rules: readonly WeeklyRule[];
  readonly exceptions: readonly DatedException[];
  readonly defaultSlotMinutes: number;
}

/** When a slot may be booked: not before now + the notice, not after now + the horizon. */
export interface BookingWindow {
  readonly now: Date;
  readonly minNoticeMinutes: number;
  readonly bookingHorizonDays: number;
}

export interface Interval {
  readonly start: Date;
  readonly end: Date;
}

export interface SlotQuery extends Availability, BookingWindow {
  /** First local date (`YYYY-MM-DD`) in the doctor's zone. */
  readonly from: string;
  /** Last local date, inclusive. */
  readonly to: string;
  /** Intervals already taken (the doctor's active appointments). */
  readonly busy: readonly Interval[];
}

export interface Slot {
  readonly start: Date;
  /** start + the slot's length in elapsed time. */
  readonly end: Date;
  /** The wall-clock start, `HH:MM`. */
  readonly localStart: string;
}

export interface SlotDay {
  readonly date: string;
  readonly slots: Slot[];
}

/** Every date of the query in order, days without a slot included (with `slots: []`). */
export interface SlotSchedule {
  readonly timezone: string;
  readonly days: SlotDay[];
}

export interface OfferedSlot extends Slot {
  /** The local date the slot belongs to. */
  readonly date: string;
  readonly slotMinutes: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1_440;
/**
 * Longest slot accepted (the API allows 5–240 minutes). Bounded so that a slot can only reach the
 * next local day, which keeps the days' overlap rule local (see `resolveDays`).
 */
const MAX_SLOT_MINUTES = 720;
const TIME = /^(\d{2}):(\d{2})(?::00)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ONE_DAY = Temporal.Duration.from({ days: 1 });
/** Instants whose local date has four digits in any zone, like the dates `generateSlots` takes. */
const FIRST_INSTANT = Date.parse("0001-01-03T00:00:00Z");
const LAST_INSTANT = Date.parse("9999-12-29T00:00:00Z");

/**
 * True when a slot starting at `start` may be booked at `window.now`: not before now + the notice,
 * not after now + the horizon (in elapsed days of 24 hours).
 */
export function isWithinBookingWindow(window: BookingWindow, start: Date): boolean {
  const [earliest, latest] = bookingBounds(window);
  const at = start.getTime();
  return at >= earliest && at <= latest;
}

function bookingBounds(window: BookingWindow): [number, number] {
  const now = window.now.getTime();
  return [now + window.minNoticeMinutes * MINUTE_MS, now + window.bookingHorizonDays * DAY_MS];
}

/**
 * The bookable slots of `from`…`to`: the rules' and extra hours' slots minus time off, overlaps
 * resolved earliest first, then minus the past, the notice, the horizon and the busy intervals.
 * Throws a VALIDATION_FAILED error (400) naming the field for an unknown zone or malformed input.
 */
export function generateSlots(query: SlotQuery): SlotSchedule {
  const plan = preparePlan(query);
  const from = parseDate(query.from, ["from"]);
  const to = parseDate(query.to, ["to"]);
  if (Temporal.PlainDate.compare(from, to) > 0) throw invalidField(["to"], "must not be before from");
  checkWindow(query);
  const busy = new IntervalSet(
    query.busy.map((b, i) => {
      const start = b.start.getTime();
      const end = b.end.getTime();
      if (!(start <= end)) throw invalidField(["busy", i], "expected a start before its end");
      return [start, end];
    }),
  );
  const [earliest, latest] = bookingBounds(query);
  // The eve of `from` is resolved too: a slot of it can rule out one of `from` (see resolveDays).
  const days = resolveDays(plan, from.subtract(ONE_DAY), to);
  return {
    timezone: query.timezone,
    days: days.slice(1).map((day) => ({
      date: day.date,
      slots: day.slots
        .filter(
          (s) => s.start >= earliest && s.start <= latest && !busy.overlaps(s.start, s.start + s.length),
        )
        .map((s) => ({
          start: new Date(s.start),
          end: new Date(s.start + s.length),
          localStart: formatMinutes(s.minute),
        })),
    })),
  };
}

/**
 * The slot `generateSlots` would offer at exactly `startsAt`, whatever the clock and the bookings
 * (the caller checks those: `isWithinBookingWindow`, and the database for overlaps); null when no
 * rule or exception offers that start.
 */
export function findOfferedSlot(availability: Availability, startsAt: Date): OfferedSlot | null {
  const plan = preparePlan(availability);
  const at = startsAt.getTime();
  if (!(at >= FIRST_INSTANT && at <= LAST_INSTANT))
    throw invalidField(["startsAt"], "expected an instant between the years 1 and 9999");
  const date = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(plan.zone).toPlainDate();
  const [, day] = resolveDays(plan, date.subtract(ONE_DAY), date);
  const slot = day?.slots.find((s) => s.start === at);
  if (!day || !slot) return null;
  return {
    date: day.date,
    start: new Date(slot.start),
    end: new Date(slot.start + slot.length),
    localStart: formatMinutes(slot.minute),
    slotMinutes: slot.length / MINUTE_MS,
  };
}

/** A wall-clock window of a day in minutes since midnight, `end` exclusive (1440 = 24:00). */
interface Window {
  readonly start: number;
  readonly end: number;
}

/** Where slots come from on a day: a window stepped by `minutes`. */
interface Source extends Window {
  readonly minutes: number;
  /** At an equal start, the lower wins: dated extra hours (0) before weekly rules (1). */
  readonly rank: number;
}

interface DatedRange {
  readonly startDate: string;
  readonly endDate: string;
}

interface Plan {
  readonly zone: string;
  /** Index 1–7: the ISO weekday's active rules. */
  readonly rulesByWeekday: readonly (readonly Source[])[];
  readonly extraHours: readonly (DatedRange & { readonly source: Source })[];
  /** `window` null: whole days. */
  readonly timeOff: readonly (DatedRange & { readonly window: Window | null })[];
}

function preparePlan(availability: Availability): Plan {
  const zone = availability.timezone;
  if (!isKnownTimeZone(zone)) throw invalidField(["timezone"], `unknown time zone ${JSON.stringify(zone)}`);
  const fallback = slotLength(availability.defaultSlotMinutes, ["defaultSlotMinutes"]);
  const rulesByWeekday: Source[][] = Array.from({ length: 8 }, () => []);
  availability.rules.forEach((rule, i) => {
    const path = ["rules", i];
    if (!Number.isInteger(rule.weekday) || rule.weekday < 1 || rule.weekday > 7)
      throw invalidField([...path, "weekday"], "expected an ISO weekday 1–7");
    const window = parseWindow(rule.startTime, rule.endTime, path);
    const minutes =
      rule.slotMinutes == null ? fallback : slotLength(rule.slotMinutes, [...path, "slotMinutes"]);
    if (rule.isActive) rulesByWeekday[rule.weekday]?.push({ ...window, minutes, rank: 1 });
  });
  const extraHours: Plan["extraHours"][number][] = [];
  const timeOff: Plan["timeOff"][number][] = [];
  availability.exceptions.forEach((exception, i) => {
    const path = ["exceptions", i];
    const startDate = parseDate(exception.startDate, [...path, "startDate"]).toString();
    const endDate = parseDate(exception.endDate, [...path, "endDate"]).toString();
    if (startDate > endDate) throw invalidField([...path, "endDate"], "must not be before startDate");
    const { startTime, endTime } = exception;
    if ((startTime == null) !== (endTime == null))
      throw invalidField([...path, "endTime"], "give both times or neither");
    const window = startTime == null || endTime == null ? null : parseWindow(startTime, endTime, path);
    if (exception.kind === "TIME_OFF") {
      timeOff.push({ startDate, endDate, window });
    } else {
      const minutes =
        exception.slotMinutes == null
          ? fallback
          : slotLength(exception.slotMinutes, [...path, "slotMinutes"]);
      const hours = window ?? { start: 0, end: DAY_MINUTES };
      extraHours.push({ startDate, endDate, source: { ...hours, minutes, rank: 0 } });
    }
  });
  return { zone, rulesByWeekday, extraHours, timeOff };
}

function checkWindow(window: BookingWindow): void {
  if (!Number.isFinite(window.now.getTime())) throw invalidField(["now"], "expected a valid instant");
  if (!(window.minNoticeMinutes >= 0)) throw invalidField(["minNoticeMinutes"], "expected 0 or more");
  if (!(window.bookingHorizonDays >= 0)) throw invalidField(["bookingHorizonDays"], "expected 0 or more");
}

function slotLength(minutes: number, path: (string | number)[]): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_SLOT_MINUTES)
    throw invalidField(path, `expected whole minutes from 1 to ${MAX_SLOT_MINUTES}`);
  return minutes;
}

function parseDate(text: string, path: (string | number)[]): Temporal.PlainDate {
  try {
    if (DATE.test(text)) return Temporal.PlainDate.from(text, { overflow: "reject" });
  } catch {
    // Reported below: a well-formed but impossible date such as 2026-02-30.
  }
  throw invalidField(path, "expected a date YYYY-MM-DD");
}

function parseWindow(startTime: string, endTime: string, path: (string | number)[]): Window {
  const start = parseTime(startTime, false, [...path, "startTime"]);
  const end = parseTime(endTime, true, [...path, "endTime"]);
  if (start >= end) throw invalidField([...path, "endTime"], "must be after startTime");
  return { start, end };
}

function parseTime(text: string, isEnd: boolean, path: (string | number)[]): number {
  const match = TIME.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (match && Number(match[2]) < 60 && (minutes < DAY_MINUTES || (isEnd && minutes === DAY_MINUTES)))
    return minutes;
  throw invalidField(
    path,
    isEnd ? "expected HH:MM from 00:01 to 24:00" : "expected HH:MM from 00:00 to 23:59",
  );
}

function formatMinutes(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** A slot as epoch milliseconds, with its wall-clock start in minutes since local midnight. */
interface RawSlot {
  readonly start: number;
  readonly length: number;
  readonly minute: number;
  readonly rank: number;
}

/**
 * The offered slots of `first`…`last`, before the clock and the bookings. Each day's slots come
 * from its rules and extra hours, minus those overlapping time off; where two overlap, the one
 * that starts first stays (at an equal start: extra hours, then the shorter). A slot that overlaps
 * one of the day before is dropped. That happens only around a DST gap, where a slot's elapsed
 * length runs past the next wall-clock start. Each day depends on itself and the day before only,
 * so `findOfferedSlot` (two days) and `generateSlots` (the range and its eve) agree.
 */
function resolveDays(plan: Plan, first: Temporal.PlainDate, last: Temporal.PlainDate) {
  // One day either side for time off: a window's instants can reach a neighbouring day.
  const calendar = new ZoneCalendar(plan.zone, first.subtract(ONE_DAY), last.add(ONE_DAY));
  const timeOff = new IntervalSet(calendar.days.flatMap((day) => timeOffOf(plan, calendar, day)));
  const resolved: { date: string; slots: RawSlot[] }[] = [];
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const day of calendar.days.slice(1, -1)) {
    const candidates: RawSlot[] = [];
    const sources = [
      ...(plan.rulesByWeekday[day.weekday] ?? []),
      ...plan.extraHours.filter((e) => covers(e, day.date)).map((e) => e.source),
    ];
    for (const source of sources) {
      for (let minute = source.start; minute + source.minutes <= source.end; minute += source.minutes) {
        const start = calendar.slotStart(day, minute);
        const length = source.minutes * MINUTE_MS;
        if (start !== null && !timeOff.overlaps(start, start + length))
          candidates.push({ start, length, minute, rank: source.rank });
      }
    }
    candidates.sort((a, b) => a.start - b.start || a.rank - b.rank || a.length - b.length);
    const slots: RawSlot[] = [];
    let lastEnd = Number.NEGATIVE_INFINITY;
    for (const slot of candidates) {
      if (slot.start < lastEnd) continue;
      slots.push(slot);
      lastEnd = slot.start + slot.length;
    }
    resolved.push({ date: day.date, slots: slots.filter((s) => s.start >= previousEnd) });
    previousEnd = lastEnd;
  }
  return resolved;
}

function covers(range: DatedRange, date: string): boolean {
  return range.startDate <= date && date <= range.endDate;
}

/**
 * Time off on `day` as instants. A window's bounds take the earlier instant of its start and the
 * later of its end, so it covers every instant whose wall clock is inside it, even on a day whose
 * clock repeats or skips its bounds (where it may cover up to the shift more).
 */
function timeOffOf(plan: Plan, calendar: ZoneCalendar, day: CalendarDay): [number, number][] {
  return plan.timeOff
    .filter((t) => covers(t, day.date))
    .map((t) =>
      t.window === null
        ? [day.start, day.next]
        : [calendar.bound(day, t.window.start, "earlier"), calendar.bound(day, t.window.end, "later")],
    );
}

interface CalendarDay {
  readonly date: string;
  readonly plain: Temporal.PlainDate;
  readonly weekday: number;
  /** The day's first instant (local midnight, or the end of a gap over it) in epoch ms. */
  readonly start: number;
  /** The next day's first instant. */
  readonly next: number;
  /** No offset change in [start, next): wall-clock minutes are elapsed minutes from `start`. */
  readonly uniform: boolean;
}

/**
 * The local days of a range with their first instants. The library finds the zone's transitions
 * over the range once; a day without one needs no further zone lookup, since its wall clock runs
 * with elapsed time from its midnight. Only the days with a transition ask the library per time.
 */
class ZoneCalendar {
  readonly days: CalendarDay[] = [];

  constructor(
    private readonly zone: string,
    first: Temporal.PlainDate,
    last: Temporal.PlainDate,
  ) {
    const transitions = this.transitions(first, last);
    let next = 0;
    let start = first.toZonedDateTime(zone).epochMilliseconds;
    for (let date = first; Temporal.PlainDate.compare(date, last) <= 0; date = date.add(ONE_DAY)) {
      while (next < transitions.length && (transitions[next] ?? 0) < start) next++;
      const upcoming = transitions[next];
      const nextStart =
        upcoming === undefined || upcoming > start + DAY_MS
          ? start + DAY_MS
          : date.add(ONE_DAY).toZonedDateTime(zone).epochMilliseconds;
      this.days.push({
        date: date.toString(),
        plain: date,
        weekday: date.dayOfWeek,
        start,
        next: nextStart,
        // 24 hours: a date the zone skipped entirely (Pacific/Apia, 2011-12-30) lasts none.
        uniform: nextStart - start === DAY_MS && (upcoming === undefined || upcoming >= nextStart),
      });
      start = nextStart;
    }
  }

  /** The zone's transitions from the range's first instant to past its end, in epoch ms. */
  private transitions(first: Temporal.PlainDate, last: Temporal.PlainDate): number[] {
    const found: number[] = [];
    const from = first.toZonedDateTime(this.zone).epochMilliseconds;
    // Up to the last day's end, allowing every day 48 hours (real ones last 25 at most).
    const until = from + (first.until(last).days + 1) * 2 * DAY_MS;
    // One millisecond before, so a transition at the first instant itself is found.
    let at = Temporal.Instant.fromEpochMilliseconds(from - 1).toZonedDateTimeISO(this.zone);
    for (;;) {
      const transition = at.getTimeZoneTransition("next");
      if (transition === null || transition.epochMilliseconds > until) return found;
      found.push(transition.epochMilliseconds);
      at = transition;
    }
  }

  /** The instant of an existing wall time of `day` (the earlier when repeated); null when skipped. */
  slotStart(day: CalendarDay, minute: number): number | null {
    if (day.uniform) return day.start + minute * MINUTE_MS;
    const wall = this.wall(day, minute);
    const zoned = wall.toZonedDateTime(this.zone, { disambiguation: "earlier" });
    return zoned.toPlainDateTime().equals(wall) ? zoned.epochMilliseconds : null;
  }

  /** The instant of a window's bound (1440 = the next day's start), repeated or skipped as told. */
  bound(day: CalendarDay, minute: number, disambiguation: "earlier" | "later"): number {
    if (minute === DAY_MINUTES) return day.next;
    if (day.uniform) return day.start + minute * MINUTE_MS;
    return this.wall(day, minute).toZonedDateTime(this.zone, { disambiguation }).epochMilliseconds;
  }

  private wall(day: CalendarDay, minute: number): Temporal.PlainDateTime {
    const { year, month, day: date } = day.plain;
    return new Temporal.PlainDateTime(year, month, date, Math.floor(minute / 60), minute % 60);
  }
}

/** Half-open intervals [start, end) in epoch ms, asked whether any overlaps a given one. */
class IntervalSet {
  private readonly starts: number[];
  /** maxEnds[i]: the latest end among the first i + 1 intervals by start. */
  private readonly maxEnds: number[];

  constructor(intervals: [number, number][]) {
    const sorted = intervals.filter(([start, end]) => start < end).sort((a, b) => a[0] - b[0]);
    this.starts = sorted.map(([start]) => start);
    let max = Number.NEGATIVE_INFINITY;
    this.maxEnds = sorted.map(([, end]) => {
      max = Math.max(max, end);
      return max;
    });
  }

  overlaps(start: number, end: number): boolean {
    // The last interval starting before `end`; any overlap has an end after `start` among those.
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] ?? 0) < end) low = middle + 1;
      else high = middle;
    }
    return low > 0 && (this.maxEnds[low - 1] ?? 0) > start;
  }
}
