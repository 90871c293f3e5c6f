import { describe, expect, test } from "vitest";
import { InvalidInputError } from "#platform/errors/errors.ts";
import {
  type DatedException,
  findOfferedSlot,
  generateSlots,
  isWithinBookingWindow,
  type SlotQuery,
  type SlotSchedule,
  type WeeklyRule,
} from "./slots.ts";

const rule = (
  weekday: number,
  startTime: string,
  endTime: string,
  slotMinutes?: number | null,
): WeeklyRule => ({
  weekday,
  startTime,
  endTime,
  slotMinutes,
  isActive: true,
});

/** Far from every slot, so the clock removes nothing unless a test says so. */
const base: SlotQuery = {
  timezone: "Africa/Algiers",
  from: "2026-06-01",
  to: "2026-06-01",
  rules: [],
  exceptions: [],
  defaultSlotMinutes: 30,
  now: new Date("2020-01-01T00:00:00Z"),
  minNoticeMinutes: 0,
  bookingHorizonDays: 100_000,
  busy: [],
};

/** `{ date: ["HH:MM@hh:mmZ+length", …] }`: the local start, the UTC start and the length in minutes. */
function summary(schedule: SlotSchedule): Record<string, string[]> {
  return Object.fromEntries(
    schedule.days.map((day) => [
      day.date,
      day.slots.map(
        (s) =>
          `${s.localStart}@${s.start.toISOString().slice(11, 16)}Z+${(s.end.getTime() - s.start.getTime()) / 60_000}`,
      ),
    ]),
  );
}

const slotsOf = (query: Partial<SlotQuery>) => summary(generateSlots({ ...base, ...query }));

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error instanceof InvalidInputError ? error.issues : error;
  }
  throw new Error("expected a refusal");
}

describe("generateSlots", () => {
  test("steps the rule's wall clock by the slot length while a slot fits; an end is start + length", () => {
    // Monday 2026-06-01; Algiers is UTC+1 all year.
    expect(slotsOf({ rules: [rule(1, "09:00", "11:45", 30)] })).toEqual({
      "2026-06-01": [
        "09:00@08:00Z+30",
        "09:30@08:30Z+30",
        "10:00@09:00Z+30",
        "10:30@09:30Z+30",
        "11:00@10:00Z+30",
      ],
    });
  });

  test("keeps every date of the range in order, a date without slots as an empty day", () => {
    const schedule = slotsOf({
      from: "2026-05-30",
      to: "2026-06-02",
      rules: [
        rule(1, "09:00", "10:00", 60),
        rule(2, "14:00", "15:00", 60),
        { ...rule(6, "09:00", "10:00"), isActive: false },
      ],
    });
    expect(schedule).toEqual({
      "2026-05-30": [],
      "2026-05-31": [],
      "2026-06-01": ["09:00@08:00Z+60"],
      "2026-06-02": ["14:00@13:00Z+60"],
    });
  });

  test("reads rows as the database returns them: HH:MM:SS, a null length for the default, 24:00", () => {
    expect(slotsOf({ defaultSlotMinutes: 45, rules: [rule(1, "22:30:00", "24:00:00", null)] })).toEqual({
      "2026-06-01": ["22:30@21:30Z+45", "23:15@22:15Z+45"],
    });
  });

  test("Europe/Paris spring forward: 02:00–02:59 does not exist and is skipped", () => {
    const paris = { timezone: "Europe/Paris", from: "2026-03-29", to: "2026-03-29" };
    expect(slotsOf({ ...paris, rules: [rule(7, "01:00", "04:00", 60)] })).toEqual({
      "2026-03-29": ["01:00@00:00Z+60", "03:00@01:00Z+60"],
    });
    expect(slotsOf({ ...paris, rules: [rule(7, "01:00", "04:00", 30)] })).toEqual({
      "2026-03-29": ["01:00@00:00Z+30", "01:30@00:30Z+30", "03:00@01:00Z+30", "03:30@01:30Z+30"],
    });
  });

  test("Europe/Paris spring forward: a slot running over the gap rules out a start it overlaps", () => {
    // 01:45 CET + 45 minutes ends at 03:30 CEST, after 03:15 CEST starts: the earlier start stays.
    expect(
      slotsOf({
        timezone: "Europe/Paris",
        from: "2026-03-29",
        to: "2026-03-29",
        rules: [rule(7, "01:00", "04:00", 45)],
      }),
    ).toEqual({ "2026-03-29": ["01:00@00:00Z+45", "01:45@00:45Z+45"] });
  });

  test("Europe/Paris fall back: a repeated time appears once, at its earlier instant, and nothing overlaps", () => {
    const schedule = generateSlots({
      ...base,
      timezone: "Europe/Paris",
      from: "2026-10-25",
      to: "2026-10-25",
      rules: [rule(7, "01:00", "04:00", 30)],
    });
    expect(summary(schedule)).toEqual({
      "2026-10-25": [
        "01:00@23:00Z+30",
        "01:30@23:30Z+30",
        "02:00@00:00Z+30",
        "02:30@00:30Z+30",
        "03:00@02:00Z+30",
        "03:30@02:30Z+30",
      ],
    });
    expect(schedule.days[0]?.slots[0]?.start).toEqual(new Date("2026-10-24T23:00:00Z"));
  });

  test("Australia/Lord_Howe's 30-minute spring forward skips 02:00 only", () => {
    expect(
      slotsOf({
        timezone: "Australia/Lord_Howe",
        from: "2026-10-04",
        to: "2026-10-04",
        rules: [rule(7, "01:00", "04:00", 30)],
      }),
    ).toEqual({
      "2026-10-04": [
        "01:00@14:30Z+30",
        "01:30@15:00Z+30",
        "02:30@15:30Z+30",
        "03:00@16:00Z+30",
        "03:30@16:30Z+30",
      ],
    });
  });

  describe("time off", () => {
    const week = {
      from: "2026-06-01",
      to: "2026-06-03",
      rules: [1, 2, 3].map((d) => rule(d, "09:00", "10:00", 30)),
    };
    const timeOff = (over: Partial<DatedException>): DatedException => ({
      kind: "TIME_OFF",
      startDate: "2026-06-01",
      endDate: "2026-06-01",
      ...over,
    });

    test("without times takes whole days, its end date included", () => {
      expect(slotsOf({ ...week, exceptions: [timeOff({ endDate: "2026-06-02" })] })).toEqual({
        "2026-06-01": [],
        "2026-06-02": [],
        "2026-06-03": ["09:00@08:00Z+30", "09:30@08:30Z+30"],
      });
    });

    test("with times removes every slot overlapping the window, on each of its dates", () => {
      expect(
        slotsOf({
          ...week,
          rules: [1, 2, 3].map((d) => rule(d, "09:00", "12:00", 45)),
          exceptions: [timeOff({ endDate: "2026-06-02", startTime: "10:00", endTime: "11:00:00" })],
        }),
      ).toEqual({
        "2026-06-01": ["09:00@08:00Z+45", "11:15@10:15Z+45"],
        "2026-06-02": ["09:00@08:00Z+45", "11:15@10:15Z+45"],
        "2026-06-03": ["09:00@08:00Z+45", "09:45@08:45Z+45", "10:30@09:30Z+45", "11:15@10:15Z+45"],
      });
    });

    test("wins over extra hours", () => {
      expect(
        slotsOf({
          ...week,
          to: "2026-06-01",
          exceptions: [
            {
              kind: "EXTRA_HOURS",
              startDate: "2026-06-01",
              endDate: "2026-06-01",
              startTime: "18:00",
              endTime: "19:00",
            },
            timeOff({ startTime: "09:30", endTime: "18:30" }),
          ],
        }),
      ).toEqual({ "2026-06-01": ["09:00@08:00Z+30", "18:30@17:30Z+30"] });
    });
  });

  describe("extra hours", () => {
    const extra = (over: Partial<DatedException>): DatedException => ({
      kind: "EXTRA_HOURS",
      startDate: "2026-06-06",
      endDate: "2026-06-06",
      startTime: "10:00",
      endTime: "11:00",
      ...over,
    });

    test("add slots on their dates, with the doctor's default length unless they set one", () => {
      expect(
        slotsOf({
          from: "2026-06-06",
          to: "2026-06-07",
          exceptions: [extra({}), extra({ startDate: "2026-06-07", endDate: "2026-06-07", slotMinutes: 20 })],
        }),
      ).toEqual({
        "2026-06-06": ["10:00@09:00Z+30", "10:30@09:30Z+30"],
        "2026-06-07": ["10:00@09:00Z+20", "10:20@09:20Z+20", "10:40@09:40Z+20"],
      });
    });

    test("without times cover the whole day", () => {
      const day = slotsOf({
        from: "2026-06-06",
        to: "2026-06-06",
        exceptions: [extra({ startTime: null, endTime: null, slotMinutes: 240 })],
      });
      expect(day["2026-06-06"]).toEqual([
        "00:00@23:00Z+240",
        "04:00@03:00Z+240",
        "08:00@07:00Z+240",
        "12:00@11:00Z+240",
        "16:00@15:00Z+240",
        "20:00@19:00Z+240",
      ]);
    });

    test("a start a rule offers too appears once, with the extra hours' length; overlaps keep the earlier start", () => {
      expect(
        slotsOf({
          rules: [rule(1, "09:00", "11:00", 30)],
          exceptions: [
            extra({
              startDate: "2026-06-01",
              endDate: "2026-06-01",
              startTime: "10:00",
              endTime: "10:40",
              slotMinutes: 20,
            }),
            extra({
              startDate: "2026-06-01",
              endDate: "2026-06-01",
              startTime: "10:45",
              endTime: "12:00",
              slotMinutes: 25,
            }),
          ],
        }),
      ).toEqual({
        // At 10:00 the extra hours' 20 minutes win over the rule's 30; 10:20 (extra) runs to 10:40
        // and rules out the rule's 10:30.
        "2026-06-01": [
          "09:00@08:00Z+30",
          "09:30@08:30Z+30",
          "10:00@09:00Z+20",
          "10:20@09:20Z+20",
          "10:45@09:45Z+25",
          "11:10@10:10Z+25",
          "11:35@10:35Z+25",
        ],
      });
    });
  });

  describe("the clock and the bookings", () => {
    const monday = {
      from: "2026-06-01",
      to: "2026-06-02",
      rules: [1, 2].map((d) => rule(d, "09:00", "12:00", 30)),
    };

    test("removes the past and the notice window; a start exactly at the bound stays", () => {
      const now = new Date("2026-06-01T08:10:00Z"); // 09:10 in Algiers
      expect(slotsOf({ ...monday, to: "2026-06-01", now, minNoticeMinutes: 0 })["2026-06-01"]).toEqual([
        "09:30@08:30Z+30",
        "10:00@09:00Z+30",
        "10:30@09:30Z+30",
        "11:00@10:00Z+30",
        "11:30@10:30Z+30",
      ]);
      expect(slotsOf({ ...monday, to: "2026-06-01", now, minNoticeMinutes: 80 })["2026-06-01"]).toEqual([
        "10:30@09:30Z+30",
        "11:00@10:00Z+30",
        "11:30@10:30Z+30",
      ]);
    });

    test("removes starts beyond now + the horizon in days of 24 hours", () => {
      const schedule = slotsOf({ ...monday, now: new Date("2026-06-01T08:00:00Z"), bookingHorizonDays: 1 });
      expect(schedule["2026-06-02"]).toEqual(["09:00@08:00Z+30"]);
      expect(schedule["2026-06-01"]).toHaveLength(6);
    });

    test("removes the slots overlapping a busy interval, not those touching one", () => {
      const busy = [
        { start: new Date("2026-06-01T09:15:00Z"), end: new Date("2026-06-01T09:45:00Z") },
        { start: new Date("2026-06-01T10:30:00Z"), end: new Date("2026-06-01T11:00:00Z") },
      ];
      expect(slotsOf({ ...monday, to: "2026-06-01", busy })["2026-06-01"]).toEqual([
        "09:00@08:00Z+30",
        "09:30@08:30Z+30",
        "11:00@10:00Z+30",
      ]);
    });

    test("isWithinBookingWindow draws the same bounds", () => {
      const window = { now: new Date("2026-06-01T08:00:00Z"), minNoticeMinutes: 60, bookingHorizonDays: 1 };
      expect(isWithinBookingWindow(window, new Date("2026-06-01T08:59:59Z"))).toBe(false);
      expect(isWithinBookingWindow(window, new Date("2026-06-01T09:00:00Z"))).toBe(true);
      expect(isWithinBookingWindow(window, new Date("2026-06-02T08:00:00Z"))).toBe(true);
      expect(isWithinBookingWindow(window, new Date("2026-06-02T08:00:00.001Z"))).toBe(false);
    });
  });

  describe("refuses malformed input with a VALIDATION_FAILED naming the field", () => {
    test.each([
      ["an unknown zone", { timezone: "Mars/Olympus_Mons" }, ["timezone"]],
      ["a bare offset for a zone", { timezone: "+01:00" }, ["timezone"]],
      ["a malformed date", { from: "2026-6-1" }, ["from"]],
      ["an impossible date", { to: "2026-02-30" }, ["to"]],
      ["a reversed range", { from: "2026-06-02", to: "2026-06-01" }, ["to"]],
      ["a weekday out of 1–7", { rules: [rule(0, "09:00", "10:00")] }, ["rules", 0, "weekday"]],
      ["a malformed time", { rules: [rule(1, "9:00", "10:00")] }, ["rules", 0, "startTime"]],
      ["24:00 as a start", { rules: [rule(1, "24:00", "24:00")] }, ["rules", 0, "startTime"]],
      ["an end before its start", { rules: [rule(1, "10:00", "09:00")] }, ["rules", 0, "endTime"]],
      ["a slot length of 0", { rules: [rule(1, "09:00", "10:00", 0)] }, ["rules", 0, "slotMinutes"]],
      [
        "one time of two",
        {
          exceptions: [
            { kind: "TIME_OFF", startDate: "2026-06-01", endDate: "2026-06-01", startTime: "09:00" },
          ],
        },
        ["exceptions", 0, "endTime"],
      ],
      [
        "a busy interval ending before it starts",
        { busy: [{ start: new Date("2026-06-01T10:00:00Z"), end: new Date("2026-06-01T09:00:00Z") }] },
        ["busy", 0],
      ],
    ] satisfies [string, Partial<SlotQuery>, (string | number)[]][])("%s", (_, query, path) => {
      expect(refusal(() => generateSlots({ ...base, ...query }))).toEqual([
        { path, message: expect.any(String) },
      ]);
    });
  });
});

describe("findOfferedSlot", () => {
  const paris = {
    timezone: "Europe/Paris",
    rules: [rule(7, "01:00", "04:00", 30), rule(1, "09:00", "12:00", 45)],
    exceptions: [
      {
        kind: "TIME_OFF",
        startDate: "2026-10-26",
        endDate: "2026-10-26",
        startTime: "10:00",
        endTime: "11:00",
      },
      {
        kind: "EXTRA_HOURS",
        startDate: "2026-10-27",
        endDate: "2026-10-27",
        startTime: "14:00",
        endTime: "15:00",
        slotMinutes: 20,
      },
    ] satisfies DatedException[],
    defaultSlotMinutes: 30,
  };

  test("finds every slot generateSlots offers, with its end and length, whatever the clock", () => {
    const schedule = generateSlots({ ...base, ...paris, from: "2026-10-24", to: "2026-10-28" });
    const slots = schedule.days.flatMap((day) => day.slots.map((slot) => ({ ...slot, date: day.date })));
    expect(slots).toHaveLength(6 + 2 + 3);
    for (const slot of slots) {
      expect(findOfferedSlot(paris, slot.start)).toEqual({
        ...slot,
        slotMinutes: (slot.end.getTime() - slot.start.getTime()) / 60_000,
      });
    }
  });

  test("the repeated 02:30 of the fall-back night is offered at its earlier instant only", () => {
    expect(findOfferedSlot(paris, new Date("2026-10-25T00:30:00Z"))).toMatchObject({
      date: "2026-10-25",
      localStart: "02:30",
      end: new Date("2026-10-25T01:00:00Z"),
      slotMinutes: 30,
    });
    expect(findOfferedSlot(paris, new Date("2026-10-25T01:30:00Z"))).toBeNull();
  });

  test("refuses a start off the grid, in time off, outside every rule, or ruled out by an overlap", () => {
    expect(findOfferedSlot(paris, new Date("2026-10-26T08:15:00Z"))).toBeNull(); // 09:15, off the 45-min grid
    expect(findOfferedSlot(paris, new Date("2026-10-26T09:30:00Z"))).toBeNull(); // 10:30, time off
    expect(findOfferedSlot(paris, new Date("2026-10-26T13:00:00Z"))).toBeNull(); // 14:00, no rule
    expect(findOfferedSlot(paris, new Date("2026-10-27T13:00:00Z"))).toMatchObject({ slotMinutes: 20 });
    const gap = { ...paris, rules: [rule(7, "01:00", "04:00", 45)] };
    expect(findOfferedSlot(gap, new Date("2026-03-29T00:45:00Z"))).toMatchObject({ localStart: "01:45" });
    expect(findOfferedSlot(gap, new Date("2026-03-29T01:15:00Z"))).toBeNull(); // 03:15 CEST, overlapped
  });

  test("an unknown zone or an invalid instant is a VALIDATION_FAILED", () => {
    expect(refusal(() => findOfferedSlot({ ...paris, timezone: "Europe/Nowhere" }, new Date()))).toEqual([
      { path: ["timezone"], message: expect.any(String) },
    ]);
    for (const at of [Number.NaN, 8.64e15, -8.64e15])
      expect(refusal(() => findOfferedSlot(paris, new Date(at)))).toEqual([
        { path: ["startsAt"], message: expect.any(String) },
      ]);
  });
});
