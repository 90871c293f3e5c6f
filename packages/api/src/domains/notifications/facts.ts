import type { Executor } from "@medical/db";
import { announcements, appointments, doctors, patients, type Role, users } from "@medical/db/schema";
import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

/**
 * What the consumer reads to word a notification. Unsafe, all of them: the consumer acts for no
 * caller — the event names the rows, the derivation decides who is told — and it reads no clinical
 * text (no reason, no content): times, names and who holds which account.
 */

const doctorUsers = alias(users, "doctor_users");
const patientUsers = alias(users, "patient_users");
const actorUsers = alias(users, "actor_users");

/** The acting account's role and family name (a doctor is named by it), if it still exists. */
export interface ActingAccount {
  id: string;
  role: Role;
  lastName: string;
}

const actingColumns = { id: actorUsers.id, role: actorUsers.role, lastName: actorUsers.lastName };

/** An appointment's time and parties, and who acted on it. */
export async function unsafeAppointmentFacts(db: Executor, appointmentId: string, actorId: string | null) {
  const [row] = await db
    .select({
      startsAt: appointments.startsAt,
      status: appointments.status,
      doctorUserId: doctors.userId,
      doctorLastName: doctorUsers.lastName,
      patientUserId: patients.userId,
      patientFirstName: patientUsers.firstName,
      patientLastName: patientUsers.lastName,
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(doctorUsers, eq(doctorUsers.id, doctors.userId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(patientUsers, eq(patientUsers.id, patients.userId))
    .where(eq(appointments.id, appointmentId))
    .limit(1);
  return row && { ...row, actor: await unsafeActingAccount(db, actorId) };
}

/** The account that acted, or undefined for a job or an account that no longer exists. */
export async function unsafeActingAccount(
  db: Executor,
  actorId: string | null,
): Promise<ActingAccount | undefined> {
  if (!actorId) return undefined;
  const [row] = await db.select(actingColumns).from(actorUsers).where(eq(actorUsers.id, actorId)).limit(1);
  return row;
}

/** The account of a patient profile. */
export async function unsafePatientAccount(db: Executor, patientId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: patients.userId })
    .from(patients)
    .where(eq(patients.id, patientId))
    .limit(1);
  return row?.userId;
}

export async function unsafeFindAnnouncement(db: Executor, id: string) {
  const [row] = await db.select().from(announcements).where(eq(announcements.id, id)).limit(1);
  return row;
}

/** The active accounts of a role, in id order: an announcement's audience. */
export async function unsafeActiveAccountsOfRole(db: Executor, role: Role): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, role), eq(users.isActive, true)))
    .orderBy(asc(users.id));
  return rows.map((row) => row.id);
}
