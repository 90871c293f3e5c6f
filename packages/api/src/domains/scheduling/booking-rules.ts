import { type Executor, pgErrorFacts } from "@medical/db";
import { appointments, patients, users } from "@medical/db/schema";
import { and, count, eq, gt, ne } from "drizzle-orm";
import { addDays } from "#domains/availability/public.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Settings } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import { availabilityOf, type BookableDoctor, bookingWindowOf } from "./offer.ts";
import { findOfferedSlot, isWithinBookingWindow } from "./slots.ts";

/** The checks a start passes to be booked or moved to, shared by booking and rescheduling. */

export const PATIENT_NOT_FOUND = "Patient not found";
const EXCLUSION_VIOLATION = "23P01";
const DEADLOCK_DETECTED = "40P01";

/**
 * The patient an actor books for, locked until the transaction ends: the cap counts this
 * patient's appointments, so two bookings of one patient run one after the other. A PATIENT books
 * for their own active profile (409 PROFILE_REQUIRED without one; another patient's id is 403);
 * STAFF and ADMIN name an active patient (`patientId`, required).
 */
export async function lockPatientFor(
  tx: Executor,
  actor: Pick<Actor, "userId" | "role">,
  patientId: string | undefined,
): Promise<{ id: string }> {
  const query = tx
    .select({ id: patients.id, isActive: patients.isActive, accountActive: users.isActive })
    .from(patients)
    .innerJoin(users, eq(users.id, patients.userId));
  switch (actor.role) {
    case "PATIENT": {
      const [own] = await query.where(eq(patients.userId, actor.userId)).for("update", { of: patients });
      if (!own) throw new DomainError("PROFILE_REQUIRED");
      if (patientId !== undefined && patientId !== own.id)
        throw new DomainError("FORBIDDEN", "Patients book for themselves: leave patientId out");
      if (!own.isActive)
        throw new DomainError("PROFILE_REQUIRED", "Your patient profile is deactivated; contact the clinic");
      return own;
    }
    case "STAFF":
    case "ADMIN": {
      if (patientId === undefined)
        throw invalidField(["patientId"], "Required when STAFF or ADMIN books: the patient's id");
      const [patient] = await query.where(eq(patients.id, patientId)).for("update", { of: patients });
      if (!patient) throw new DomainError("NOT_FOUND", PATIENT_NOT_FOUND);
      if (!patient.isActive || !patient.accountActive)
        throw new DomainError("PROFILE_REQUIRED", "This patient's profile or account is deactivated");
      return patient;
    }
    case "DOCTOR":
      throw new DomainError("FORBIDDEN", "Doctors do not book appointments");
  }
}

/**
 * The end of a slot starting at `startsAt`, if it may be booked now: within the doctor's booking
 * window (else OUTSIDE_BOOKING_WINDOW) and a start their hours offer (else OUTSIDE_AVAILABILITY);
 * the length is that of the hours it falls in.
 */
export async function offeredEnd(
  tx: Executor,
  doctor: BookableDoctor,
  startsAt: Date,
  now: Date,
): Promise<Date> {
  if (!isWithinBookingWindow(bookingWindowOf(doctor, now), startsAt))
    throw new DomainError(
      "OUTSIDE_BOOKING_WINDOW",
      `Book from ${doctor.minNoticeMinutes} minutes to ${doctor.bookingHorizonDays} days ahead`,
    );
  const date = startsAt.toISOString().slice(0, 10);
  // Any zone's local date is within a day of the UTC one; availabilityOf adds the days around.
  const availability = await availabilityOf(tx, doctor, { from: addDays(date, -1), to: addDays(date, 1) });
  const slot = findOfferedSlot(availability, startsAt);
  if (!slot) throw new DomainError("OUTSIDE_AVAILABILITY");
  return slot.end;
}

/**
 * BOOKING_CAP_REACHED when the patient already holds `cap` future SCHEDULED appointments with the
 * doctor (`except` the one being moved). Race-safe under `lockPatientFor`.
 */
export async function checkCap(
  deps: { settings: Pick<Settings, "bookingCapPerDoctor"> },
  tx: Executor,
  booking: { patientId: string; doctorId: string; now: Date; except?: string },
): Promise<void> {
  const cap = deps.settings.bookingCapPerDoctor;
  const [held] = await tx
    .select({ count: count() })
    .from(appointments)
    .where(
      and(
        eq(appointments.patientId, booking.patientId),
        eq(appointments.doctorId, booking.doctorId),
        eq(appointments.status, "SCHEDULED"),
        gt(appointments.startsAt, booking.now),
        booking.except ? ne(appointments.id, booking.except) : undefined,
      ),
    );
  if ((held?.count ?? 0) >= cap)
    throw new DomainError(
      "BOOKING_CAP_REACHED",
      `A patient holds at most ${cap} upcoming appointment${cap === 1 ? "" : "s"} with one doctor`,
    );
}

/**
 * The database's word on overlaps (drizzle/0009's exclusion constraints, by name): the doctor's
 * time is taken (SLOT_TAKEN) or the patient's (PATIENT_OVERLAP). Anything else is rethrown.
 */
export function overlapRefusal(error: unknown): never {
  const facts = pgErrorFacts(error);
  if (facts?.code === EXCLUSION_VIOLATION && facts.constraint === "appointments_doctor_no_overlap")
    throw new DomainError("SLOT_TAKEN");
  if (facts?.code === EXCLUSION_VIOLATION && facts.constraint === "appointments_patient_no_overlap")
    throw new DomainError("PATIENT_OVERLAP");
  throw error;
}

/**
 * Runs a booking transaction again when PostgreSQL broke a deadlock by aborting it: an exclusion
 * constraint is checked after the row is inserted, so two transactions inserting overlapping rows
 * can each wait for the other. The retry then meets the winner's committed row (SLOT_TAKEN).
 */
export async function retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || pgErrorFacts(error)?.code !== DEADLOCK_DETECTED) throw error;
    }
  }
}
