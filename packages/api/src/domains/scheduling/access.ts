import type { Executor } from "@medical/db";
import { appointments, doctors, patients } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Actor, ActorRef } from "#platform/auth/actor.ts";
import { type AppointmentRow, selectAppointmentRows } from "./appointment-dto.ts";

export const APPOINTMENT_NOT_FOUND = "Appointment not found";

/**
 * Appointments the actor may see: its patient's, its doctor's, and every one for STAFF (the front
 * desk books, moves and cancels for patients) and ADMIN. Every appointment query MUST AND this in;
 * a row outside it answers NOT_FOUND, never FORBIDDEN. Security-sensitive: every change comes
 * with a row in the cross-tenant table (access.cases.ts). The owner is a scalar subquery on a
 * unique column, so a list keeps walking `appointments_patient_start` / `…_doctor_start`.
 */
export function appointmentVisibleTo(actor: ActorRef): SQL {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
      return sql`true`;
    case "DOCTOR":
      return sql`${appointments.doctorId} = (select ${doctors.id} from ${doctors} where ${eq(doctors.userId, actor.userId)})`;
    case "PATIENT":
      return sql`${appointments.patientId} = (select ${patients.id} from ${patients} where ${eq(patients.userId, actor.userId)})`;
  }
}

/**
 * One appointment with both parties' names if the actor may see it, else undefined (the caller
 * answers NOT_FOUND). `lock` takes the row for a change inside the caller's transaction.
 */
export async function findVisibleAppointment(
  db: Executor,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
  options: { lock?: boolean } = {},
): Promise<AppointmentRow | undefined> {
  const query = selectAppointmentRows(db)
    .where(and(eq(appointments.id, id), appointmentVisibleTo(actor)))
    .limit(1);
  const [row] = options.lock ? await query.for("update", { of: appointments }) : await query;
  return row;
}
