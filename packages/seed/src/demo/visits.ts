import { addDays, generateSlots, localDateIn, wallTimeOf } from "@medical/api";
import { appointments, availabilityRules, doctors, patients } from "@medical/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import type { OperatorDeps } from "../operator.ts";

/** A demo patient's past visit to a demo doctor (natural keys), held before `before`. */
export interface DemoVisit {
  doctorEmail: string;
  patientEmail: string;
  before: Date;
}

interface VisitDoctor {
  id: string;
  timezone: string;
}

interface VisitPatient {
  id: string;
  userId: string;
}

/** How far back from the day before `before` a visit may go, looking for a free slot. */
const SEARCH_DAYS = 14;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * One COMPLETED visit of `patient` to `doctor` before `before`, in a slot of the doctor's active
 * weekly hours on the latest day of the two weeks before it that has one free for both: written
 * directly into `appointments` because the booking service does not exist yet. When it lands,
 * this function books through it with a clock set before the slot and completes the visit
 * through the status service (the "created through the services with an injected
 * clock"), so the demo's visits get their audit and domain events; its callers stay as they are.
 * Returns false when no slot was free (a doctor without weekly hours).
 */
export async function insertCompletedVisitWithoutBookingService(
  deps: OperatorDeps,
  doctor: VisitDoctor,
  patient: VisitPatient,
  before: Date,
): Promise<boolean> {
  const rules = await deps.db
    .select({
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
      slotMinutes: availabilityRules.slotMinutes,
    })
    .from(availabilityRules)
    .where(and(eq(availabilityRules.doctorId, doctor.id), eq(availabilityRules.isActive, true)));
  const lastDay = addDays(localDateIn(doctor.timezone, before), -1);
  const firstDay = addDays(lastDay, 1 - SEARCH_DAYS);
  const { days } = generateSlots({
    timezone: doctor.timezone,
    rules: rules.map((rule) => ({
      weekday: rule.weekday,
      startTime: wallTimeOf(rule.startMinute),
      endTime: wallTimeOf(rule.endMinute),
      slotMinutes: rule.slotMinutes,
      isActive: true,
    })),
    exceptions: [],
    defaultSlotMinutes: 30,
    // A clock before the first day, so that every slot of the fortnight is offered.
    now: new Date(Date.parse(`${firstDay}T00:00:00Z`) - 2 * DAY_MS),
    minNoticeMinutes: 0,
    bookingHorizonDays: SEARCH_DAYS + 4,
    from: firstDay,
    to: lastDay,
    busy: [],
  });
  for (const day of [...days].reverse()) {
    for (const slot of day.slots) {
      // The exclusion constraints refuse a slot the doctor or the patient already holds.
      const inserted = await deps.db
        .insert(appointments)
        .values({
          doctorId: doctor.id,
          patientId: patient.id,
          startsAt: slot.start,
          endsAt: slot.end,
          timezone: doctor.timezone,
          status: "COMPLETED",
          createdBy: patient.userId,
          createdAt: new Date(slot.start.getTime() - WEEK_MS),
          updatedAt: slot.end,
        })
        .onConflictDoNothing()
        .returning({ id: appointments.id });
      if (inserted.length) return true;
    }
  }
  return false;
}

/**
 * The demo's past visits, one COMPLETED appointment per doctor–patient pair that has none yet
 * (a pair with one keeps it, whatever else it has), so that every demo review has the visit the
 * reviews service requires and the README's doctor treats the README's patient. Returns how many
 * it wrote.
 */
export async function ensureCompletedVisits(
  deps: OperatorDeps,
  wanted: DemoVisit[],
  userIds: Map<string, string>,
): Promise<number> {
  const ids = [...userIds.values()];
  if (!ids.length) return 0;
  const [doctorRows, patientRows] = await Promise.all([
    deps.db
      .select({ id: doctors.id, userId: doctors.userId, timezone: doctors.timezone })
      .from(doctors)
      .where(inArray(doctors.userId, ids)),
    deps.db
      .select({ id: patients.id, userId: patients.userId })
      .from(patients)
      .where(inArray(patients.userId, ids)),
  ]);
  const doctorOf = new Map(doctorRows.map((row) => [row.userId, row]));
  const patientOf = new Map(patientRows.map((row) => [row.userId, row]));
  const held = await deps.db
    .selectDistinct({ doctorId: appointments.doctorId, patientId: appointments.patientId })
    .from(appointments)
    .where(
      and(
        eq(appointments.status, "COMPLETED"),
        inArray(
          appointments.doctorId,
          doctorRows.map((row) => row.id),
        ),
      ),
    );
  const visited = new Set(held.map((pair) => `${pair.doctorId}/${pair.patientId}`));
  let created = 0;
  for (const visit of wanted) {
    const doctor = doctorOf.get(userIds.get(visit.doctorEmail) ?? "");
    const patient = patientOf.get(userIds.get(visit.patientEmail) ?? "");
    if (!doctor || !patient || visited.has(`${doctor.id}/${patient.id}`)) continue;
    if (await insertCompletedVisitWithoutBookingService(deps, doctor, patient, visit.before)) {
      visited.add(`${doctor.id}/${patient.id}`);
      created += 1;
    }
  }
  return created;
}
