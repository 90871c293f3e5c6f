import type { Executor } from "@medical/db";
import { doctors, medicalRecords, patients } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { doctorTreatsPatientSql } from "#domains/scheduling/public.ts";
import { auditAttempt } from "#platform/audit/audit.ts";
import type { ActorRef } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { authedProcedure } from "#platform/trpc.ts";
import { type RecordAction, type RecordRefusal, recordEvent } from "./record-audit.ts";
import { type RecordRow, selectRecordRows } from "./record-dto.ts";

export const MEDICAL_RECORD_NOT_FOUND = "Medical record not found";

type Who = ActorRef;

/** The caller's own patient profile id, as a scalar subquery (null without a profile). */
const ownPatientId = (actor: Who) =>
  sql`(select ${patients.id} from ${patients} where ${eq(patients.userId, actor.userId)})`;
/** The caller's own doctor profile id, as a scalar subquery (null without a profile). */
const ownDoctorId = (actor: Who) =>
  sql`(select ${doctors.id} from ${doctors} where ${eq(doctors.userId, actor.userId)})`;

/**
 * Medical records the actor may read. Every record query MUST AND this in; a row outside it
 * answers NOT_FOUND, never FORBIDDEN. Security-sensitive: every change comes with a row in the
 * cross-tenant table (access.cases.ts).
 *
 * - ADMIN: every record, deleted ones too (shown with their deletion).
 * - PATIENT: their own file, deleted entries hidden.
 * - DOCTOR: the records of the patients they treat (scheduling's care relationship), and the
 *   records they wrote even once the care relationship has ended (docs/decisions/0025); deleted
 *   entries hidden.
 * - STAFF: none (the front desk never reads clinical data).
 *
 * `perRow` phrases a doctor's care relationship as a probe per row (doctorTreatsPatientSql): the
 * same rows, for a walk that stops at a page's end (lists.service.ts).
 */
export function medicalRecordVisibleTo(actor: Who, options: { perRow?: boolean } = {}): SQL {
  switch (actor.role) {
    case "ADMIN":
      return sql`true`;
    case "STAFF":
      return sql`false`;
    case "PATIENT":
      return sql`(${medicalRecords.deletedAt} is null and ${medicalRecords.patientId} = ${ownPatientId(actor)})`;
    case "DOCTOR":
      return sql`(${medicalRecords.deletedAt} is null and (${authoredByDoctor(actor)} or ${doctorTreatsPatientSql(actor, medicalRecords.patientId, options)}))`;
  }
}

/** Records the DOCTOR `actor` wrote (false for any other role). */
export function authoredByDoctor(actor: Who): SQL {
  return actor.role === "DOCTOR" ? sql`${medicalRecords.doctorId} = ${ownDoctorId(actor)}` : sql`false`;
}

/** Records `actor` is the author of: a doctor's clinical entries, a patient's own notes. */
function authoredBy(actor: Who): SQL {
  switch (actor.role) {
    case "DOCTOR":
      return authoredByDoctor(actor);
    case "PATIENT":
      return sql`${medicalRecords.kind} = 'PATIENT_REPORTED' and ${medicalRecords.patientId} = ${ownPatientId(actor)}`;
    case "ADMIN":
    case "STAFF":
      return sql`false`;
  }
}

/**
 * One record with its patient's and author's names if the actor may read it, else undefined (the
 * caller answers NOT_FOUND). `lock` takes the row for a change inside the caller's transaction.
 */
export async function findVisibleRecord(
  db: Executor,
  actor: Who,
  id: string,
  options: { lock?: boolean } = {},
): Promise<RecordRow | undefined> {
  const query = selectRecordRows(db)
    .where(and(eq(medicalRecords.id, id), medicalRecordVisibleTo(actor)))
    .limit(1);
  const [row] = options.lock ? await query.for("update", { of: medicalRecords }) : await query;
  return row;
}

/** How the actor stands to a record it can read: its author or not, and whether it treats its patient. */
export interface RecordRelation {
  authored: boolean;
  treats: boolean;
}

export async function relationTo(db: Executor, actor: Who, id: string): Promise<RecordRelation> {
  const [row] = await db
    .select({
      authored: sql<boolean>`coalesce(${authoredBy(actor)}, false)`,
      treats: sql<boolean>`coalesce(${doctorTreatsPatientSql(actor, medicalRecords.patientId)}, false)`,
    })
    .from(medicalRecords)
    .where(eq(medicalRecords.id, id));
  return { authored: row?.authored === true, treats: row?.treats === true };
}

/**
 * Why the actor may not change (edit or delete) a record it can read, or undefined when it may:
 * ADMIN any; a patient their own notes (never a clinical entry); a doctor their own clinical
 * entries, while they treat the patient (never a patient's note, never another doctor's entry).
 */
export function changeRefusal(actor: Who, relation: RecordRelation): RecordRefusal | undefined {
  switch (actor.role) {
    case "ADMIN":
      return undefined;
    case "STAFF":
      return "role";
    case "PATIENT":
      return relation.authored ? undefined : "not_author";
    case "DOCTOR":
      if (!relation.authored) return "not_author";
      return relation.treats ? undefined : "not_treated";
  }
}

/**
 * Who reads a record's versions: its author, its patient and ADMIN. A doctor who reads the record
 * because they treat the patient, but did not write it, does not (NOT_FOUND: the versions are rows
 * out of their reach).
 */
export function mayReadVersions(actor: Who, relation: RecordRelation): boolean {
  return actor.role === "ADMIN" || actor.role === "PATIENT" || relation.authored;
}

/**
 * A records procedure for `allowed` roles only: any other signed-in caller (STAFF above all) is
 * refused with 403, and the refusal is audited as a DENIED `action` — a denied attempt at PHI.
 */
export function recordsProcedure(action: RecordAction, ...allowed: [Role, ...Role[]]) {
  return authedProcedure.use(async function requireRecordRole({ ctx, next }) {
    if (allowed.includes(ctx.actor.role)) return next();
    await auditAttempt(ctx.deps, ctx.audit, recordEvent(action, "DENIED", { reason: "role" }));
    throw new DomainError("FORBIDDEN", "Your role has no access to medical records here");
  });
}
