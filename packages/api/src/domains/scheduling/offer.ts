import type { Executor } from "@medical/db";
import { appointments, doctors } from "@medical/db/schema";
import { and, eq, gt, gte, lt, ne } from "drizzle-orm";
import { addDays, localDateIn, readHours, wallTimeOf } from "#domains/availability/public.ts";
import { publicDoctorVisible } from "#domains/doctors/public.ts";
import type { Availability, BookingWindow, Interval } from "./slots.ts";

/**
 * What a doctor offers, read from the database for slot generation and booking: the doctor's
 * booking settings, their hours and exceptions as `slots.ts` takes them, and their busy times.
 */

export const bookingColumns = {
  id: doctors.id,
  timezone: doctors.timezone,
  appointmentMinutes: doctors.appointmentMinutes,
  minNoticeMinutes: doctors.minNoticeMinutes,
  bookingHorizonDays: doctors.bookingHorizonDays,
};

export interface BookableDoctor {
  id: string;
  timezone: string;
  appointmentMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
}

/**
 * A doctor the public sees, with what booking needs; undefined for any other (NOT_FOUND). `lock`
 * queues the writes that take one of the doctor's times (booking, rescheduling) on the doctor's row
 * (NO KEY UPDATE: foreign-key checks pass): the exclusion constraint still decides, but two
 * inserts of overlapping rows no longer wait on each other's pending row — under a burst for one
 * slot they deadlocked in pairs, each pair costing PostgreSQL's 1 s deadlock_timeout.
 */
export async function findBookableDoctor(
  db: Executor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<BookableDoctor | undefined> {
  const query = db
    .select(bookingColumns)
    .from(doctors)
    .where(and(eq(doctors.id, id), publicDoctorVisible()))
    .limit(1);
  const [doctor] = options.lock ? await query.for("no key update") : await query;
  return doctor;
}

export const bookingWindowOf = (doctor: BookableDoctor, now: Date): BookingWindow => ({
  now,
  minNoticeMinutes: doctor.minNoticeMinutes,
  bookingHorizonDays: doctor.bookingHorizonDays,
});

/**
 * The doctor's hours over the local dates `from`…`to`, as slot generation takes them. Exceptions
 * are read two days either side: a day's slots depend on the day before (a slot running into it)
 * and time off can reach a neighbouring day's instants (slots.ts, `resolveDays`).
 */
export async function availabilityOf(
  db: Executor,
  doctor: BookableDoctor,
  range: { from: string; to: string },
): Promise<Availability> {
  const { weekly, dated } = await readHours(db, doctor.id, {
    from: addDays(range.from, -2),
    to: addDays(range.to, 2),
  });
  return {
    timezone: doctor.timezone,
    defaultSlotMinutes: doctor.appointmentMinutes,
    rules: weekly.map((rule) => ({
      weekday: rule.weekday,
      startTime: wallTimeOf(rule.startMinute),
      endTime: wallTimeOf(rule.endMinute),
      slotMinutes: rule.slotMinutes,
      isActive: true,
    })),
    exceptions: dated.map((exception) => ({
      kind: exception.kind,
      startDate: exception.startDate,
      endDate: exception.endDate,
      startTime: exception.startMinute === null ? null : wallTimeOf(exception.startMinute),
      endTime: exception.endMinute === null ? null : wallTimeOf(exception.endMinute),
      slotMinutes: exception.slotMinutes,
    })),
  };
}

/**
 * The local dates of `from`…`to` on which a slot can be bookable at `now`: none before yesterday
 * or after the horizon's day (in the doctor's zone, a day of margin each side). Null when none is:
 * such dates get no slot whatever their hours, so nothing more is read for them.
 */
export function bookableRange(
  doctor: BookableDoctor,
  now: Date,
  range: { from: string; to: string },
): { from: string; to: string } | null {
  const first = addDays(localDateIn(doctor.timezone, now), -1);
  const last = addDays(
    localDateIn(doctor.timezone, new Date(now.getTime() + doctor.bookingHorizonDays * 86_400_000)),
    1,
  );
  let { from, to } = range;
  if (from < first) from = first;
  if (to > last) to = last;
  return from <= to ? { from, to } : null;
}

/** Appointments last at most a day (slots at most 240 minutes): bounds the index range scanned. */
const LONGEST_APPOINTMENT_MS = 86_400_000;

/**
 * The doctor's active (non-cancelled) appointments that overlap the local dates `from`…`to`, as
 * busy intervals: a day of margin either side covers any zone's offset.
 */
export async function busyOf(
  db: Executor,
  doctorId: string,
  range: { from: string; to: string },
): Promise<Interval[]> {
  const lower = new Date(`${addDays(range.from, -1)}T00:00:00Z`);
  const upper = new Date(`${addDays(range.to, 2)}T00:00:00Z`);
  return db
    .select({ start: appointments.startsAt, end: appointments.endsAt })
    .from(appointments)
    .where(
      and(
        eq(appointments.doctorId, doctorId),
        gte(appointments.startsAt, new Date(lower.getTime() - LONGEST_APPOINTMENT_MS)),
        lt(appointments.startsAt, upper),
        gt(appointments.endsAt, lower),
        ne(appointments.status, "CANCELLED"),
      ),
    );
}
