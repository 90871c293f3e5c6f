import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, test } from "vitest";
import {
  type Availability,
  type DatedException,
  findOfferedSlot,
  generateSlots,
  type Interval,
  type SlotSchedule,
  type WeeklyRule,
} from "./slots.ts";

/**
 * DST properties of slot generation (issue 16, ADR 0019), checked against the time library asked
 * time by time — not against the fast path the generator takes on days without a transition.
 */

const ZONES = ["Europe/Paris", "America/New_York", "Africa/Algiers", "Australia/Lord_Howe", "Asia/Kolkata"];
const MINUTE_MS = 60_000;
/** Far before any slot, with a horizon past every one: the clock removes nothing. */
const OPEN_WINDOW = { now: new Date("1900-01-01T00:00:00Z"), minNoticeMinutes: 0, bookingHorizonDays: 1e6 };

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

const slotMinutes = fc.oneof(fc.constantFrom(10, 15, 20, 30, 45, 60, 90), fc.integer({ min: 10, max: 240 }));
/** Wall-clock bounds in 5-minute steps. */
const bound = fc.integer({ min: 0, max: 288 }).map((b) => b * 5);

/** Disjoint windows [start, end) of one day, in minutes. */
const windowsArb: fc.Arbitrary<readonly [number, number][]> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.array(bound, { maxLength: 4 }).map((bounds) => {
      const sorted = [...bounds].sort((a, b) => a - b);
      const windows: [number, number][] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) {
        const [start, end] = [sorted[i] ?? 0, sorted[i + 1] ?? 0];
        if (start < end) windows.push([start, end]);
      }
      return windows;
    }),
  },
  {
    // Over the night's clock changes (02:00–03:00 mostly), as one window or two that touch.
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 36, max: 96 }), fc.option(fc.nat()))
      .map(([start, end, split]): [number, number][] => {
        if (split === null) return [[start * 5, end * 5]];
        const middle = start + 1 + (split % (end - start - 1));
        return [
          [start * 5, middle * 5],
          [middle * 5, end * 5],
        ];
      }),
  },
  { weight: 1, arbitrary: fc.constant([]) },
);

/** A week of rules that do not overlap (the API refuses overlapping ones), some inactive ones aside. */
const rulesArb: fc.Arbitrary<WeeklyRule[]> = fc
  .array(
    fc.record({
      windows: windowsArb,
      lengths: fc.tuple(slotMinutes, slotMinutes),
      inactive: fc.option(fc.tuple(bound, bound), { freq: 4 }),
    }),
    { minLength: 7, maxLength: 7 },
  )
  .map((days) =>
    days.flatMap(({ windows, lengths, inactive }, index) => {
      const rule = (start: number, end: number, slotMinutes: number, isActive: boolean): WeeklyRule => ({
        weekday: index + 1,
        startTime: hhmm(start),
        endTime: hhmm(end),
        slotMinutes,
        isActive,
      });
      const rules = windows.map(([start, end], i) => rule(start, end, lengths[i % 2] ?? 30, true));
      if (inactive && inactive[0] !== inactive[1])
        rules.push(rule(Math.min(...inactive), Math.max(...inactive), 15, false));
      return rules;
    }),
  );

interface FlatSlot {
  readonly date: string;
  readonly start: number;
  readonly end: number;
  readonly localStart: string;
}

const flatten = (schedule: SlotSchedule): FlatSlot[] =>
  schedule.days.flatMap((day) =>
    day.slots.map((s) => ({
      date: day.date,
      start: s.start.getTime(),
      end: s.end.getTime(),
      localStart: s.localStart,
    })),
  );

const zoned = (zone: string, at: number) =>
  Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);

type Wall = { exists: false } | { exists: true; earlier: number; later: number };

/** What the library says of one wall-clock time: skipped, or its instant(s). */
function wallTime(zone: string, date: Temporal.PlainDate, minute: number): Wall {
  const wall = wallOf(date, minute);
  const earlier = wall.toZonedDateTime(zone, { disambiguation: "earlier" });
  if (!earlier.toPlainDateTime().equals(wall)) return { exists: false };
  const later = wall.toZonedDateTime(zone, { disambiguation: "later" });
  return { exists: true, earlier: earlier.epochMilliseconds, later: later.epochMilliseconds };
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function* dates(from: Temporal.PlainDate, to: Temporal.PlainDate) {
  for (let date = from; Temporal.PlainDate.compare(date, to) <= 0; date = date.add({ days: 1 })) yield date;
}

/** The zone's transitions (epoch ms) from `from` to the end of `to`, asked of the library. */
function transitionsOf(zone: string, from: Temporal.PlainDate, to: Temporal.PlainDate): number[] {
  const end = to.add({ days: 2 }).toZonedDateTime(zone).epochMilliseconds;
  const found: number[] = [];
  let at: Temporal.ZonedDateTime | null = from.subtract({ days: 2 }).toZonedDateTime(zone);
  for (;;) {
    at = at.getTimeZoneTransition("next");
    if (at === null || at.epochMilliseconds > end) return found;
    found.push(at.epochMilliseconds);
  }
}

const DAY_MS = 86_400_000;

/**
 * The DST properties for rules alone, over `from`…`to`: every existing wall-clock start of
 * a rule appears once at its earlier instant, unless a slot that runs over a clock change overlaps
 * it; skipped times never appear; slots never overlap; each renders as its date and localStart;
 * and findOfferedSlot agrees on every probed slot and refuses every probed instant that is none.
 * Problems are collected and compared once: an `expect` per slot would cost more than the checks.
 */
function checkRules(
  zone: string,
  rules: WeeklyRule[],
  from: Temporal.PlainDate,
  to: Temporal.PlainDate,
  probes: { slots: number[]; instants: number[] },
): void {
  const problems: string[] = [];
  const availability: Availability = { timezone: zone, rules, exceptions: [], defaultSlotMinutes: 30 };
  const slots = flatten(
    generateSlots({ ...availability, ...OPEN_WINDOW, from: from.toString(), to: to.toString(), busy: [] }),
  );
  const transitions = transitionsOf(zone, from, to);
  const nearTransition = (at: number, days = 1.5) =>
    transitions.some((t) => Math.abs(t - at) < days * DAY_MS);

  const byKey = new Map<string, FlatSlot>();
  const starts = new Set<number>();
  slots.forEach((slot, i) => {
    const key = `${slot.date} ${slot.localStart}`;
    const previous = slots[i - 1];
    if (previous && slot.start < previous.end) problems.push(`${key} overlaps the slot before`);
    const rendered = zoned(zone, slot.start);
    const shown = `${rendered.toPlainDate()} ${hhmm(rendered.hour * 60 + rendered.minute)}`;
    if (shown !== key) problems.push(`${key} starts at an instant shown as ${shown}`);
    if (byKey.has(key)) problems.push(`${key} appears twice`);
    byKey.set(key, slot);
    starts.add(slot.start);
  });

  const repeated = new Map<number, number>();
  for (const date of dates(from, to)) {
    // Away from a clock change every time exists once: one question to the library is enough.
    const ordinary = !nearTransition(date.toZonedDateTime(zone).epochMilliseconds);
    for (const rule of rules) {
      if (!rule.isActive || rule.weekday !== date.dayOfWeek) continue;
      const length = rule.slotMinutes ?? 30;
      for (let m = minutesOf(rule.startTime); m + length <= minutesOf(rule.endTime); m += length) {
        const key = `${date} ${hhmm(m)}`;
        const slot = byKey.get(key);
        byKey.delete(key);
        const wall = ordinary ? onlyInstant(instantOf(zone, date, m)) : wallTime(zone, date, m);
        if (!wall.exists) {
          if (slot) problems.push(`${key} does not exist but is offered`);
          continue;
        }
        if (slot) {
          if (slot.start !== wall.earlier) problems.push(`${key} is not at its earlier instant`);
          if (slot.end - slot.start !== length * MINUTE_MS)
            problems.push(`${key} does not last ${length} min`);
          if (wall.later !== wall.earlier) repeated.set(slot.start, wall.later);
          continue;
        }
        // Missing: only where an earlier slot running over a clock change still runs.
        const cover = slots.find((s) => s.start < wall.earlier && wall.earlier < s.end);
        if (!cover || zoned(zone, cover.start).offsetNanoseconds === zoned(zone, cover.end).offsetNanoseconds)
          problems.push(`${key} exists and is neither offered nor overlapped by a slot over a clock change`);
      }
    }
  }
  for (const key of byKey.keys()) problems.push(`${key} is offered by no rule`);

  const refused = (at: number) => {
    if (!starts.has(at) && findOfferedSlot(availability, new Date(at)) !== null)
      problems.push(`${new Date(at).toISOString()} is found but not offered`);
  };
  // Every slot within 12 hours of a clock change, and a sample of the others.
  for (const [i, slot] of slots.entries()) {
    if (!probes.slots.includes(i % 97) && !nearTransition(slot.start, 0.5)) continue;
    const found = findOfferedSlot(availability, new Date(slot.start));
    if (
      found?.date !== slot.date ||
      found.start.getTime() !== slot.start ||
      found.end.getTime() !== slot.end ||
      found.localStart !== slot.localStart ||
      found.slotMinutes * MINUTE_MS !== slot.end - slot.start
    )
      problems.push(`${slot.date} ${slot.localStart} is found as ${JSON.stringify(found)}`);
    refused(slot.start + MINUTE_MS);
    refused(slot.start - 5 * MINUTE_MS);
    const later = repeated.get(slot.start);
    if (later !== undefined) refused(later);
  }
  const first = from.toZonedDateTime(zone).epochMilliseconds;
  const span = to.add({ days: 1 }).toZonedDateTime(zone).epochMilliseconds - first;
  for (const fraction of probes.instants)
    refused(first + Math.floor((fraction * span) / (5 * MINUTE_MS)) * 5 * MINUTE_MS);
  expect(problems).toEqual([]);
}

const onlyInstant = (at: number): Wall => ({ exists: true, earlier: at, later: at });

function instantOf(zone: string, date: Temporal.PlainDate, minute: number): number {
  return wallOf(date, minute).toZonedDateTime(zone).epochMilliseconds;
}

const wallOf = (date: Temporal.PlainDate, minute: number) =>
  new Temporal.PlainDateTime(date.year, date.month, date.day, Math.floor(minute / 60), minute % 60);

const probesArb = fc.record({
  slots: fc.array(fc.nat({ max: 96 }), { minLength: 3, maxLength: 3 }),
  instants: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 20 }),
});

describe.each(ZONES)("rules over a year in %s", (zone) => {
  const years = fc.integer({ min: 2025, max: 2030 });

  test("every existing start once, the earlier of a repeated one, no skipped one, no overlap", () => {
    fc.assert(
      fc.property(rulesArb, years, probesArb, (rules, year, probes) => {
        const from = new Temporal.PlainDate(year, 1, 1);
        checkRules(zone, rules, from, new Temporal.PlainDate(year, 12, 31), probes);
      }),
      { numRuns: 4 },
    );
  });

  // A year holds two clock changes at most: many more rule sets meet them when only their days run.
  test("the same around each of the year's clock changes, with many more rule sets", () => {
    fc.assert(
      fc.property(rulesArb, years, probesArb, (rules, year, probes) => {
        const from = new Temporal.PlainDate(year, 1, 1);
        for (const transition of transitionsOf(zone, from, new Temporal.PlainDate(year, 12, 31))) {
          const day = zoned(zone, transition).toPlainDate();
          checkRules(zone, rules, day.subtract({ days: 1 }), day.add({ days: 1 }), probes);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("rules in any zone the runtime knows, in any year since 1970", () => {
  test("the same properties over 62 days around a transition, historical ones and skipped dates included", () => {
    const zones = Intl.supportedValuesOf("timeZone");
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date("2037-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 40 }),
        rulesArb,
        probesArb,
        (zone, day, daysBefore, rules, probes) => {
          const at = Temporal.Instant.fromEpochMilliseconds(day.getTime()).toZonedDateTimeISO(zone);
          const from = (at.getTimeZoneTransition("next") ?? at).toPlainDate().subtract({ days: daysBefore });
          checkRules(zone, rules, from, from.add({ days: 61 }), probes);
        },
      ),
      { numRuns: 30 },
    );
  });
});

const dateIn = (from: Temporal.PlainDate) =>
  fc.integer({ min: -3, max: 64 }).map((d) => from.add({ days: d }).toString());

const exceptionArb = (from: Temporal.PlainDate): fc.Arbitrary<DatedException> =>
  fc
    .record({
      kind: fc.constantFrom("TIME_OFF" as const, "EXTRA_HOURS" as const),
      dates: fc.tuple(dateIn(from), fc.integer({ min: 0, max: 3 })),
      times: fc.option(
        fc.tuple(bound, bound).filter(([a, b]) => a !== b),
        { freq: 3 },
      ),
      slotMinutes: fc.option(slotMinutes),
    })
    .map(({ kind, dates: [startDate, days], times, slotMinutes }) => ({
      kind,
      startDate,
      endDate: Temporal.PlainDate.from(startDate).add({ days }).toString(),
      startTime: times ? hhmm(Math.min(...times)) : null,
      endTime: times ? hhmm(Math.max(...times)) : null,
      slotMinutes,
    }));

describe.each(ZONES)("exceptions, the clock and bookings over 62 days in %s", (zone) => {
  test("only remove slots for a reason, never reach into time off, and findOfferedSlot agrees", () => {
    const from = Temporal.PlainDate.from("2026-02-20");
    const to = from.add({ days: 61 });
    const first = from.toZonedDateTime(zone).epochMilliseconds;
    const instant = fc.integer({ min: 0, max: 62 * 288 }).map((n) => first + n * 5 * MINUTE_MS);
    fc.assert(
      fc.property(
        rulesArb,
        fc.array(exceptionArb(from), { maxLength: 6 }),
        fc.array(fc.tuple(instant, fc.integer({ min: 5, max: 180 })), { maxLength: 30 }),
        fc.record({
          now: instant,
          notice: fc.integer({ min: 0, max: 2_880 }),
          horizon: fc.integer({ min: 0, max: 90 }),
        }),
        fc.array(fc.nat({ max: 96 }), { minLength: 5, maxLength: 5 }),
        (rules, exceptions, busyPairs, clock, probes) => {
          const problems: string[] = [];
          const availability: Availability = { timezone: zone, rules, exceptions, defaultSlotMinutes: 25 };
          const range = { from: from.toString(), to: to.toString() };
          const busy: Interval[] = busyPairs.map(([start, minutes]) => ({
            start: new Date(start),
            end: new Date(start + minutes * MINUTE_MS),
          }));
          const window = {
            now: new Date(clock.now),
            minNoticeMinutes: clock.notice,
            bookingHorizonDays: clock.horizon,
          };
          const all = flatten(generateSlots({ ...availability, ...OPEN_WINDOW, ...range, busy: [] }));
          const bookable = new Map(
            flatten(generateSlots({ ...availability, ...window, ...range, busy })).map((s) => [s.start, s]),
          );

          const earliest = clock.now + clock.notice * MINUTE_MS;
          const latest = clock.now + clock.horizon * DAY_MS;
          const timeOff = exceptions.filter((e) => e.kind === "TIME_OFF");
          const nearTimeOff = (date: string) =>
            timeOff.some((t) => {
              const day = Temporal.PlainDate.from(date);
              return (
                t.startDate <= day.add({ days: 1 }).toString() &&
                day.subtract({ days: 1 }).toString() <= t.endDate
              );
            });
          for (const [i, slot] of all.entries()) {
            const key = `${slot.date} ${slot.localStart}`;
            const previous = all[i - 1];
            if (previous && slot.start < previous.end) problems.push(`${key} overlaps the slot before`);
            const reason =
              slot.start < earliest ||
              slot.start > latest ||
              busy.some((b) => b.start.getTime() < slot.end && slot.start < b.end.getTime());
            const kept = bookable.get(slot.start);
            bookable.delete(slot.start);
            if (reason === (kept !== undefined))
              problems.push(`${key} is ${reason ? "kept" : "removed"} wrongly`);
            if (kept && kept.end !== slot.end) problems.push(`${key} changes length when bookable`);
            // Its wall clock, minute by minute, never enters time off.
            if (nearTimeOff(slot.date)) {
              for (let at = slot.start; at < slot.end; at += MINUTE_MS) {
                const wall = zoned(zone, at);
                const date = wall.toPlainDate().toString();
                const minute = wall.hour * 60 + wall.minute;
                const inside = timeOff.some(
                  (t) =>
                    t.startDate <= date &&
                    date <= t.endDate &&
                    (t.startTime == null ||
                      t.endTime == null ||
                      (minutesOf(t.startTime) <= minute && minute < minutesOf(t.endTime))),
                );
                if (inside) {
                  problems.push(`${key} reaches into time off at ${date} ${hhmm(minute)}`);
                  break;
                }
              }
            }
            if (probes.includes(i % 97)) {
              const found = findOfferedSlot(availability, new Date(slot.start));
              if (
                found?.date !== slot.date ||
                found.end.getTime() !== slot.end ||
                found.localStart !== slot.localStart
              )
                problems.push(`${key} is found as ${JSON.stringify(found)}`);
            }
          }
          for (const start of bookable.keys())
            problems.push(`${new Date(start).toISOString()} is bookable, not offered`);
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 5 },
    );
  });
});
