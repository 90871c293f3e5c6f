import { generateSlots, type SlotQuery } from "@medical/api";
import type { MicroBenchmark } from "./micro.ts";

const weekdays = [1, 2, 3, 4, 5];

/**
 * A doctor-month as the slots route will see it: 30 days in Europe/Paris over the spring-forward
 * Sunday (2026-03-29, the one day the library is asked time by time), a week of rules (mornings
 * and afternoons in 30-minute slots, Saturday mornings in 20), a day off, an afternoon off, an
 * evening of extra hours, and a third of the slots booked.
 */
export function doctorMonth(): SlotQuery {
  const open: SlotQuery = {
    timezone: "Europe/Paris",
    from: "2026-03-16",
    to: "2026-04-14",
    rules: [
      ...weekdays.map((weekday) => ({
        weekday,
        startTime: "09:00:00",
        endTime: "12:30:00",
        slotMinutes: 30,
        isActive: true,
      })),
      ...weekdays.map((weekday) => ({
        weekday,
        startTime: "14:00:00",
        endTime: "18:00:00",
        slotMinutes: null,
        isActive: true,
      })),
      { weekday: 6, startTime: "09:00:00", endTime: "13:00:00", slotMinutes: 20, isActive: true },
    ],
    exceptions: [
      {
        kind: "TIME_OFF",
        startDate: "2026-04-06",
        endDate: "2026-04-06",
        startTime: null,
        endTime: null,
        slotMinutes: null,
      },
      {
        kind: "TIME_OFF",
        startDate: "2026-03-25",
        endDate: "2026-03-25",
        startTime: "14:00:00",
        endTime: "18:00:00",
        slotMinutes: null,
      },
      {
        kind: "EXTRA_HOURS",
        startDate: "2026-04-02",
        endDate: "2026-04-02",
        startTime: "18:00:00",
        endTime: "20:00:00",
        slotMinutes: 30,
      },
    ],
    defaultSlotMinutes: 30,
    now: new Date("2026-03-16T06:00:00Z"),
    minNoticeMinutes: 60,
    bookingHorizonDays: 90,
    busy: [],
  };
  const slots = generateSlots(open).days.flatMap((day) => day.slots);
  return { ...open, busy: slots.filter((_, i) => i % 3 === 0).map(({ start, end }) => ({ start, end })) };
}

export const slotsGenerate: MicroBenchmark = {
  name: "slots.generate",
  description:
    "generateSlots for one doctor-month (30 days, Europe/Paris over a DST change, a week of rules, " +
    "time off, extra hours, a third of the slots booked), in process, after a JIT warm-up",
  unit: "ms per doctor-month",
  targetMs: 5,
  prepare() {
    const query = doctorMonth();
    return () => generateSlots(query).days.reduce((count, day) => count + day.slots.length, 0);
  },
};
