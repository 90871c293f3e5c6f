import { patients } from "@medical/db/schema";
import { eq, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";

/**
 * The care relationship: does the doctor `actor` treat the patient row in scope? An EXISTS over
 * the doctor's appointments once scheduling lands; until then no doctor treats anyone, so a
 * doctor sees no patient (pinned by the cross-tenant test in routers/patients.int.test.ts).
 */
export function doctorTreatsPatientSql(_actor: Actor): SQL {
  // The scheduling issue replaces this with
  // exists (select 1 from appointments a join doctors d on d.id = a.doctor_id
  //         where d.user_id = <actor.userId> and a.patient_id = patients.id)
  return sql`false`;
}

/**
 * Patient profiles the actor may see. Every patient query MUST include this predicate; a row
 * outside it answers NOT_FOUND, never FORBIDDEN. Security-sensitive: every change comes with a
 * row in the cross-tenant table (routers/patients.int.test.ts).
 */
export function patientVisibleTo(actor: Actor): SQL {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
      return sql`true`;
    case "PATIENT":
      return eq(patients.userId, actor.userId);
    case "DOCTOR":
      return doctorTreatsPatientSql(actor);
  }
}

/**
 * What an actor may do with a patient profile it can already see (`patientVisibleTo`): "own" for
 * a patient and "treated" for a doctor are the predicate's job, so these grants carry no scope.
 * Clinical fields: the patient, treating doctors (read) and ADMIN; STAFF never, and never DELETE.
 */
export type PatientPermission = "read:clinical" | "write:clinical" | "write:demographics" | "delete:patient";

const grants = {
  ADMIN: ["read:clinical", "write:clinical", "write:demographics", "delete:patient"],
  STAFF: ["write:demographics"],
  DOCTOR: ["read:clinical"],
  PATIENT: ["read:clinical", "write:clinical", "write:demographics"],
} as const satisfies Record<Role, readonly PatientPermission[]>;

/** Fails closed: a permission not listed for the role is refused. */
export function can(actor: Pick<Actor, "role">, permission: PatientPermission): boolean {
  const granted: readonly PatientPermission[] = grants[actor.role];
  return granted.includes(permission);
}
