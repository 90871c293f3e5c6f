import type { Executor } from "@medical/db";
import { type Patient, patients } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { doctorTreatsPatientSql } from "#domains/scheduling/public.ts";
import { auditAttempt } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { type AuthedContext, adminProcedure, authedProcedure, resourceProcedure } from "#platform/trpc.ts";
import { clinicalEvent } from "./clinical.ts";
import type { PatientRow } from "./patient-dto.ts";
import { selectPatientRows } from "./patient-rows.ts";

/**
 * Patient profiles the actor may see. Every patient query MUST include this predicate; a row
 * outside it answers NOT_FOUND, never FORBIDDEN. Security-sensitive: every change comes with a
 * row in the cross-tenant table (access.cases.ts).
 */
export function patientVisibleTo(actor: Pick<Actor, "userId" | "role">): SQL {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
      return sql`true`;
    case "PATIENT":
      return eq(patients.userId, actor.userId);
    case "DOCTOR":
      // The patients they treat: scheduling's care relationship, the one records and billing use too.
      return doctorTreatsPatientSql(actor, patients.id);
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

/**
 * The profile `id` if the actor may see it, else undefined (the caller answers NOT_FOUND).
 * `lock` takes a row lock for a read-modify-write inside the caller's transaction.
 */
export async function findVisiblePatient(
  db: Executor,
  actor: Actor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<PatientRow | undefined> {
  const query = selectPatientRows(db)
    .where(and(eq(patients.id, id), patientVisibleTo(actor)))
    .limit(1);
  const [row] = options.lock ? await query.for("update", { of: patients }) : await query;
  return row;
}

/** The caller's own profile (a PATIENT's), through the same predicate as every other read. */
export async function findOwnPatient(
  db: Executor,
  actor: Actor,
  options: { lock?: boolean } = {},
): Promise<PatientRow | undefined> {
  const query = selectPatientRows(db)
    .where(and(eq(patients.userId, actor.userId), patientVisibleTo(actor)))
    .limit(1);
  const [row] = options.lock ? await query.for("update", { of: patients }) : await query;
  return row;
}

/**
 * For patient actions that need a profile (favourites, reviews, booking): the caller's active
 * profile, or 409 PROFILE_REQUIRED. Other roles are refused with FORBIDDEN.
 */
export async function requirePatientProfile(
  deps: Pick<Deps, "db">,
  actor: Pick<Actor, "userId" | "role">,
): Promise<Patient> {
  if (actor.role !== "PATIENT") throw new DomainError("FORBIDDEN", "Only patients can do this");
  const [row] = await deps.db
    .select()
    .from(patients)
    .where(and(eq(patients.userId, actor.userId), patientVisibleTo(actor)))
    .limit(1);
  if (!row) throw new DomainError("PROFILE_REQUIRED");
  if (!row.isActive)
    throw new DomainError("PROFILE_REQUIRED", "Your patient profile is deactivated; contact the clinic");
  return row;
}

export const PATIENT_NOT_FOUND = "Patient not found";

const loadPatient = (ctx: AuthedContext, id: string) => findVisiblePatient(ctx.deps.db, ctx.actor, id);

/**
 * `/patients/{id}` reads and changes, whose answers carry clinical fields for the roles that may
 * read them: a refused look-up by such a role is audited as a denied clinical read (in its own
 * transaction: nothing else happens).
 */
export const patientResource = resourceProcedure(authedProcedure, PATIENT_NOT_FOUND, async (ctx, id) => {
  const row = await loadPatient(ctx, id);
  if (!row && can(ctx.actor, "read:clinical"))
    await auditAttempt(ctx.deps, ctx.audit, clinicalEvent(id, "read", "DENIED", "not_visible"));
  return row;
});

/** ADMIN's procedures on one profile (deactivation): the role is checked before the row is looked up. */
export const adminPatientResource = resourceProcedure(adminProcedure, PATIENT_NOT_FOUND, loadPatient);
