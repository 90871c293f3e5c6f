import type { Executor } from "@medical/db";
import { type Patient, patients, users } from "@medical/db/schema";
import { and, eq, getTableColumns, type SQL } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { patientVisibleTo } from "./access.ts";
import type { PatientRow } from "./patient-dto.ts";

/** The columns of a PatientRow: the profile and the account's names and phone. */
export const patientRowColumns = {
  ...getTableColumns(patients),
  firstName: users.firstName,
  lastName: users.lastName,
  phone: users.phone,
};

/** Patient rows joined to their accounts; callers add the visibility predicate. */
export const selectPatientRows = (db: Executor) =>
  db.select(patientRowColumns).from(patients).innerJoin(users, eq(users.id, patients.userId));

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
  const where: SQL | undefined = and(eq(patients.userId, actor.userId), patientVisibleTo(actor));
  const query = selectPatientRows(db).where(where).limit(1);
  const [row] = options.lock ? await query.for("update", { of: patients }) : await query;
  return row;
}

/**
 * For patient actions that need a profile (favourites, reviews, booking): the caller's active
 * profile, or 409 PROFILE_REQUIRED. Other roles are refused with FORBIDDEN.
 */
export async function requirePatientProfile(deps: Pick<Deps, "db">, actor: Actor): Promise<Patient> {
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
