import type { Executor } from "@medical/db";
import { type AppointmentStatus, appointments, doctors } from "@medical/db/schema";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type AnyPgColumn, alias } from "drizzle-orm/pg-core";
import type { ActorRef } from "#platform/auth/actor.ts";

/**
 * The statuses that make a care relationship: a visit booked, held, or missed by the patient.
 * A cancelled appointment alone does not (the visit never happened and is not going to).
 */
export const CARE_STATUSES = [
  "SCHEDULED",
  "COMPLETED",
  "NO_SHOW",
] as const satisfies readonly AppointmentStatus[];

// Aliased: the predicate is ANDed into queries that may read appointments or doctors themselves.
const careAppointments = alias(appointments, "care_appointments");
const careDoctors = alias(doctors, "care_doctors");

/** The condition on `careAppointments` that makes its patient one the DOCTOR `actor` treats. */
function careOf(actor: Pick<ActorRef, "userId">): SQL {
  const doctorOfActor = sql`(select ${careDoctors.id} from ${doctors} as ${careDoctors} where ${careDoctors.userId} = ${actor.userId})`;
  return sql`${careAppointments.doctorId} = ${doctorOfActor} and ${inArray(careAppointments.status, [...CARE_STATUSES])}`;
}

/**
 * The care relationship, defined once for every domain that guards patient data (patients,
 * records, billing, chat): true where the DOCTOR `actor` has a SCHEDULED, COMPLETED or NO_SHOW
 * appointment with the patient whose profile id is `patientId` (a column of the outer query, such
 * as `patients.id` or `medicalRecords.patientId`). False for every other role: what ADMIN, STAFF
 * and patients see is each domain's own rule. One row's check is a probe of
 * appointments_doctor_patient (drizzle/0010).
 *
 * Over many rows PostgreSQL may run the EXISTS as a hash of every patient of the doctor, built
 * first: the right plan for a query that reads all its rows. `{ perRow: true }` phrases the same
 * relationship as a scalar probe, which is never hashed: for a walk that stops at a page's end
 * after a few dozen rows, where building that hash for a doctor with 12,000 patients costs 20×
 * the walk (docs/decisions/0029).
 */
export function doctorTreatsPatientSql(
  actor: ActorRef,
  patientId: AnyPgColumn | SQL,
  options: { perRow?: boolean } = {},
): SQL {
  if (actor.role !== "DOCTOR") return sql`false`;
  const probe = sql`from ${appointments} as ${careAppointments} where ${careOf(actor)} and ${careAppointments.patientId} = ${patientId}`;
  return options.perRow
    ? sql`coalesce((select true ${probe} limit 1), false)`
    : sql`exists (select 1 ${probe})`;
}

/**
 * The same relationship as a set: `<patientId> = any(<the patient ids the doctor treats>)`, for a
 * DOCTOR's list, ANDed beside `doctorTreatsPatientSql`. The planner cannot know at plan time how
 * many patients a doctor has, and with the EXISTS alone it walks the whole patients table in the
 * list's order probing each row (~200 ms at 50k patients on PostgreSQL 15 for a doctor with one
 * patient, growing with the table); the array is built first from appointments_doctor_patient, so
 * the list costs what the doctor's own patients do (0.2 ms for one, ~65 ms for 10,000). False for
 * every other role, like the predicate.
 */
export function treatedByDoctorSql(actor: ActorRef, patientId: AnyPgColumn | SQL): SQL {
  if (actor.role !== "DOCTOR") return sql`false`;
  return sql`${patientId} = any(array(select ${careAppointments.patientId} from ${appointments} as ${careAppointments} where ${careOf(actor)}))`;
}

/**
 * A one-row query whose `beyond` says whether the DOCTOR `actor` has more than `threshold` care
 * appointments: the size of a practice, for a list of their patients' rows to choose how to read
 * them (records: docs/decisions/0029). It reads at most `threshold + 1` entries of
 * appointments_doctor_patient, so a doctor with thousands of patients costs what one with
 * `threshold` does. False for every other role (no care appointments).
 */
export function careAppointmentsBeyond(db: Executor, actor: ActorRef, threshold: number) {
  const sample = db
    .select({ one: sql`1`.as("one") })
    .from(careAppointments)
    .where(actor.role === "DOCTOR" ? careOf(actor) : sql`false`)
    .limit(threshold + 1)
    .as("care_sample");
  return db.select({ beyond: sql<boolean>`count(*) > ${threshold}`.as("beyond") }).from(sample);
}

/** Whether the patient has had a COMPLETED appointment with the doctor (profile ids): reviews need one. */
export async function hasCompletedVisit(db: Executor, doctorId: string, patientId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: appointments.id })
    .from(appointments)
    .where(
      and(
        eq(appointments.doctorId, doctorId),
        eq(appointments.patientId, patientId),
        eq(appointments.status, "COMPLETED"),
      ),
    )
    .limit(1);
  return row !== undefined;
}
