import type { Doctor, NewDoctor, Patient, User } from "@medical/db/schema";
import { Temporal } from "temporal-polyfill";
import { addDays, localDateIn } from "#domains/availability/wall-time.ts";
import type { Deps } from "#platform/deps.ts";
import type { Caller } from "./caller.ts";
import { makeRule } from "./factories/availability.ts";
import { makeDoctor } from "./factories/doctors.ts";
import { makePatient } from "./factories/patients.ts";
import { signIn } from "./sign-in.ts";

/** Scenarios of the scheduling tests: doctors with hours, patients, instants on local clocks. */

export interface BookableDoctorFixture {
  doctor: Doctor;
  user: User;
  caller: Caller;
  /** The instant of a local date (`days` from today in the doctor's zone) and wall time. */
  at(days: number, time: string): Date;
  /** Its ISO text, as a client sends `startsAt`. */
  iso(days: number, time: string): string;
}

/** The instant of `date` at `time` on the wall clock of `zone` (the earlier of a repeated time). */
export function wallClockInstant(zone: string, date: string, time: string): Date {
  const [hour = 0, minute = 0] = time.split(":").map(Number);
  const zoned = Temporal.PlainDate.from(date)
    .toPlainDateTime({ hour, minute })
    .toZonedDateTime(zone, { disambiguation: "earlier" });
  return new Date(zoned.epochMilliseconds);
}

/**
 * A signed-in doctor the public sees with hours every day from 09:00 to 12:00 in 30-minute slots
 * (Africa/Algiers unless overridden), notice 60 minutes, horizon 90 days unless overridden.
 */
export async function doctorWithHours(
  deps: Deps,
  overrides: Partial<NewDoctor> & { specialtyIds?: string[] } = {},
): Promise<BookableDoctorFixture> {
  const { doctor, user } = await makeDoctor(deps.db, overrides);
  for (let weekday = 1; weekday <= 7; weekday += 1)
    await makeRule(deps.db, doctor.id, { weekday, startMinute: 540, endMinute: 720, slotMinutes: 30 });
  const { caller } = await signIn(deps, user);
  const at = (days: number, time: string) =>
    wallClockInstant(doctor.timezone, addDays(localDateIn(doctor.timezone, deps.clock.now()), days), time);
  return { doctor, user, caller, at, iso: (days, time) => at(days, time).toISOString() };
}

/** A signed-in patient with a profile. */
export async function signedInPatient(deps: Deps): Promise<{ patient: Patient; user: User; caller: Caller }> {
  const { patient, user } = await makePatient(deps.db);
  return { patient, user, caller: (await signIn(deps, user)).caller };
}
