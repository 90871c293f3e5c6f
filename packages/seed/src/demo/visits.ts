import {
  type AppErrorCode,
  type AuditMeta,
  addDays,
  bookAppointment,
  type Clock,
  cancelAppointment,
  changeStatus,
  DomainError,
  listSlots,
  localDateIn,
} from "@medical/api";
import { type AppointmentStatus, appointments, doctors, patients } from "@medical/db/schema";
import { inArray } from "drizzle-orm";
import type { SeedDeps } from "../operator.ts";
import { numberOf } from "../random.ts";
import { unlessRefused } from "./unless-refused.ts";

/**
 * A demo appointment between a demo doctor and a demo patient (natural keys). One that happened
 * (COMPLETED, NO_SHOW) takes the latest free slot of the fortnight ending the day before `at`;
 * one to come (SCHEDULED, CANCELLED) the earliest free slot of the fortnight starting on `at`'s day.
 */
export interface DemoAppointment {
  doctorEmail: string;
  patientEmail: string;
  status: AppointmentStatus;
  at: Date;
}

interface Party {
  id: string;
  userId: string;
}

interface Doctor extends Party {
  timezone: string;
}

/** How many days of the doctor's hours are searched for a free slot. */
const SEARCH_DAYS = 14;
const DAY_MS = 86_400_000;
/** The server's default BOOKING_CAP_PER_DOCTOR; the demo gives no pair more than one upcoming appointment. */
const BOOKING_CAP_PER_DOCTOR = 2;

/** Why patients come, as the front desk writes it: one per appointment, chosen by its pair. */
const REASONS = [
  "Contrôle de la tension artérielle",
  "Douleurs thoraciques à l'effort depuis deux semaines",
  "Renouvellement d'ordonnance",
  "Fièvre et toux persistantes",
  "Suivi du diabète, résultats d'analyses",
  "Douleurs lombaires",
  "Bilan annuel",
  "Maux de tête fréquents",
];
const CANCELLATION_REASONS = ["Empêchement professionnel", "Déplacement imprévu", "Enfant malade"];

/** The same text for the same doctor–patient pair on every run (the seed is deterministic). */
function textFor(list: readonly string[], wanted: DemoAppointment): string {
  return list[numberOf(`${wanted.doctorEmail}/${wanted.patientEmail}/${wanted.status}`) % list.length] ?? "";
}

/** A slot another appointment of the doctor or the patient took meanwhile: the next one is tried. */
const NEXT_SLOT = new Set<AppErrorCode>(["SLOT_TAKEN", "PATIENT_OVERLAP"]);
/** An account changed since the seed made it (deactivated, another role, no profile): the pair is skipped. */
const CHANGED_SINCE = new Set<AppErrorCode>([
  "FORBIDDEN",
  "NOT_FOUND",
  "PROFILE_REQUIRED",
  "BOOKING_CAP_REACHED",
]);

const happened = (status: AppointmentStatus) => status === "COMPLETED" || status === "NO_SHOW";

/** What the scheduling services need, at `clock`'s time. */
const at = (deps: SeedDeps, clock: Clock) => ({
  ...deps,
  clock,
  settings: { bookingCapPerDoctor: BOOKING_CAP_PER_DOCTOR },
});
export const fixed = (instant: Date): Clock => ({ now: () => instant });

/**
 * Books one demo appointment through the booking service as its patient, then moves it through
 * the lifecycle service: completed or missed as its doctor with a clock at its end, cancelled as
 * its patient. A past one is booked with a clock two days before its fortnight (the slots route
 * and the booking rules see it as the future it was then); an upcoming one at the run's time.
 * Returns false when no slot was free or an account changed since.
 */
async function book(
  deps: SeedDeps,
  audit: AuditMeta,
  doctor: Doctor,
  patient: Party,
  wanted: DemoAppointment,
): Promise<boolean> {
  const day = localDateIn(doctor.timezone, wanted.at);
  const past = happened(wanted.status);
  const from = past ? addDays(day, -SEARCH_DAYS) : day;
  const to = addDays(from, SEARCH_DAYS - 1);
  const clock = past ? fixed(new Date(Date.parse(`${from}T00:00:00Z`) - 2 * DAY_MS)) : deps.clock;
  const done = await unlessRefused(CHANGED_SINCE, async () => {
    const { days } = await listSlots(at(deps, clock), doctor.id, { from, to });
    const slots = days.flatMap((d) => d.slots);
    for (const slot of past ? slots.reverse() : slots) {
      const booked = await bookAppointment(
        at(deps, clock),
        audit,
        { userId: patient.userId, role: "PATIENT" },
        { doctorId: doctor.id, startsAt: slot.start.toISOString(), reason: textFor(REASONS, wanted) },
      ).catch((error: unknown) => {
        if (error instanceof DomainError && NEXT_SLOT.has(error.code)) return null;
        throw error;
      });
      if (!booked) continue;
      if (wanted.status === "CANCELLED")
        await cancelAppointment(
          at(deps, clock),
          audit,
          { userId: patient.userId, role: "PATIENT" },
          booked.id,
          textFor(CANCELLATION_REASONS, wanted),
        );
      else if (wanted.status !== "SCHEDULED")
        await changeStatus(
          at(deps, fixed(slot.end)),
          audit,
          { userId: doctor.userId, role: "DOCTOR" },
          booked.id,
          { status: wanted.status },
        );
      return true;
    }
    return false;
  });
  return done ?? false;
}

/**
 * The demo's appointments, each booked and moved through the scheduling services (`book`) unless
 * its doctor–patient pair already has one in its status (a pair with one keeps it, whatever else
 * it has): a second run books nothing. In the order given, so past visits come before the
 * upcoming appointments the booking cap counts. Returns how many it wrote.
 */
export async function ensureAppointments(
  deps: SeedDeps,
  audit: AuditMeta,
  wanted: DemoAppointment[],
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
  const held = doctorRows.length
    ? await deps.db
        .selectDistinct({
          doctorId: appointments.doctorId,
          patientId: appointments.patientId,
          status: appointments.status,
        })
        .from(appointments)
        .where(
          inArray(
            appointments.doctorId,
            doctorRows.map((row) => row.id),
          ),
        )
    : [];
  const key = (doctorId: string, patientId: string, status: AppointmentStatus) =>
    `${doctorId}/${patientId}/${status}`;
  const present = new Set(held.map((row) => key(row.doctorId, row.patientId, row.status)));
  let created = 0;
  for (const appointment of wanted) {
    const doctor = doctorOf.get(userIds.get(appointment.doctorEmail) ?? "");
    const patient = patientOf.get(userIds.get(appointment.patientEmail) ?? "");
    if (!doctor || !patient || present.has(key(doctor.id, patient.id, appointment.status))) continue;
    if (await book(deps, audit, doctor, patient, appointment)) {
      present.add(key(doctor.id, patient.id, appointment.status));
      created += 1;
    }
  }
  return created;
}
