import { randomUUID } from "node:crypto";
import { type Executor, pgErrorFacts, type Transaction } from "@medical/db";
import { type NewPatient, patients, type Sex, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { can } from "./access.ts";
import {
  auditClinical,
  type ClinicalChanges,
  ClinicalDataUnreadable,
  EMPTY_CLINICAL,
  mergeClinical,
  openClinical,
  sealClinical,
} from "./clinical.ts";
import { type PatientDto, type PatientRow, toPatientDto } from "./patient-dto.ts";
import { selectPatientRows } from "./patient-rows.ts";

const UNIQUE_VIOLATION = "23505";

export interface EmergencyContact {
  name: string;
  relation: string;
  phone: string;
}

/** Demographics and contact: what STAFF may write. Names and phone live on the account. */
export interface DemographicsChanges {
  dateOfBirth?: string;
  sex?: Sex;
  addressLine?: string | null;
  city?: string | null;
  country?: string;
  emergencyContact?: EmergencyContact | null;
  firstName?: string;
  lastName?: string;
  phone?: string | null;
}

export interface ProfileChanges extends DemographicsChanges {
  /** The patient's own choice (reviews show "Amina B." instead of "Verified patient"). */
  showNameOnReviews?: boolean;
  clinical?: ClinicalChanges;
}

export interface NewProfile extends Omit<ProfileChanges, "firstName" | "lastName" | "phone"> {
  dateOfBirth: string;
}

export type WriteRefusal = "not_visible" | "not_permitted";

/** Why a write is refused before it touches a row; clinical attempts are audited by the caller. */
export function writeRefusal(actor: Actor, changes: ProfileChanges): WriteRefusal | undefined {
  const { clinical, showNameOnReviews: _choice, ...demographics } = changes;
  if (clinical !== undefined && !can(actor, "write:clinical")) return "not_permitted";
  const touchesDemographics = Object.values(demographics).some((value) => value !== undefined);
  if (touchesDemographics && !can(actor, "write:demographics")) return "not_permitted";
  return undefined;
}

/** Audits a refused clinical write (when the body had clinical fields), then throws. */
export async function refuseWrite(
  deps: Deps,
  audit: AuditMeta,
  patientId: string | null,
  changes: ProfileChanges,
  reason: WriteRefusal,
): Promise<never> {
  if (changes.clinical !== undefined)
    await auditClinical(deps.db, audit, patientId, "write", "DENIED", reason);
  if (reason === "not_visible") throw new DomainError("NOT_FOUND", "Patient not found");
  throw new DomainError("FORBIDDEN", "You may not change these fields of a patient profile");
}

function profileColumns(changes: ProfileChanges): Partial<NewPatient> {
  const { emergencyContact: contact } = changes;
  return {
    dateOfBirth: changes.dateOfBirth,
    sex: changes.sex,
    addressLine: changes.addressLine,
    city: changes.city,
    country: changes.country,
    showNameOnReviews: changes.showNameOnReviews,
    ...(contact === undefined
      ? {}
      : {
          emergencyContactName: contact?.name ?? null,
          emergencyContactRelation: contact?.relation ?? null,
          emergencyContactPhone: contact?.phone ?? null,
        }),
  };
}

const changedFields = (changes: object) =>
  Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .join(",");

async function rowById(db: Executor, id: string): Promise<PatientRow> {
  const [row] = await selectPatientRows(db).where(eq(patients.id, id)).limit(1);
  if (!row) throw new Error("patient row vanished inside its transaction");
  return row;
}

/**
 * Inserts the profile of account `userId` in `tx`, with its clinical fields encrypted under the
 * row's own id, and audits both. A second profile for the account is a CONFLICT.
 */
export async function insertProfile(
  deps: Deps,
  tx: Transaction,
  audit: AuditMeta,
  userId: string,
  profile: NewProfile,
): Promise<PatientRow> {
  const id = randomUUID();
  const clinicalData =
    profile.clinical === undefined
      ? null
      : sealClinical(deps.fieldCipher, id, mergeClinical(EMPTY_CLINICAL, profile.clinical));
  const now = deps.clock.now();
  await tx
    .insert(patients)
    .values({
      ...profileColumns(profile),
      id,
      userId,
      dateOfBirth: profile.dateOfBirth,
      clinicalData,
      createdAt: now,
      updatedAt: now,
    })
    .catch((error: unknown) => {
      if (pgErrorFacts(error)?.code === UNIQUE_VIOLATION)
        throw new DomainError("CONFLICT", "This account already has a patient profile");
      throw error;
    });
  await recordAudit(tx, audit, {
    action: "patient.profile_created",
    outcome: "SUCCESS",
    targetType: "patient",
    targetId: id,
  });
  if (profile.clinical !== undefined) await auditClinical(tx, audit, id, "write", "SUCCESS");
  return rowById(tx, id);
}

/**
 * Applies permitted changes to a row locked by the caller's transaction: profile columns, the
 * account's names and phone, and clinical fields (decrypted, merged, re-encrypted). Audited.
 */
export async function updateProfile(
  deps: Deps,
  tx: Transaction,
  audit: AuditMeta,
  current: PatientRow,
  changes: ProfileChanges,
): Promise<PatientRow> {
  const { clinical, firstName, lastName, phone, ...profile } = changes;
  const now = deps.clock.now();
  const clinicalData =
    clinical === undefined
      ? undefined
      : sealClinical(
          deps.fieldCipher,
          current.id,
          mergeClinical(openClinical(deps.fieldCipher, current), clinical),
        );
  await tx
    .update(patients)
    .set({ ...profileColumns(profile), clinicalData, updatedAt: now })
    .where(eq(patients.id, current.id));
  const account = { firstName, lastName, phone };
  if (changedFields(account)) {
    await tx
      .update(users)
      .set({ ...account, updatedAt: now })
      .where(eq(users.id, current.userId));
  }
  const fields = changedFields({ ...profile, ...account });
  if (fields) {
    await recordAudit(tx, audit, {
      action: "patient.profile_updated",
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: current.id,
      details: { fields },
    });
  }
  if (clinical !== undefined) await auditClinical(tx, audit, current.id, "write", "SUCCESS");
  return rowById(tx, current.id);
}

/**
 * Runs work that decrypts clinical fields, outside any transaction: a value that does not decrypt
 * is audited as a FAILURE and rethrown (a generic 500 for the client, an error in the log).
 */
export async function auditingUnreadable<T>(
  deps: Deps,
  audit: AuditMeta,
  operation: "read" | "write",
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClinicalDataUnreadable)
      await auditClinical(deps.db, audit, error.patientId, operation, "FAILURE", "undecryptable");
    throw error;
  }
}

/**
 * The answer for a profile the actor can see: clinical fields only for those allowed, decrypted
 * and audited as a read unless this very call wrote them (its write event covers the answer).
 */
export async function profileAnswer(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  row: PatientRow,
  options: { wroteClinical?: boolean } = {},
): Promise<PatientDto> {
  if (!can(actor, "read:clinical")) return toPatientDto(row);
  const clinical = await auditingUnreadable(deps, audit, "read", async () =>
    openClinical(deps.fieldCipher, row),
  );
  if (!options.wroteClinical) await auditClinical(deps.db, audit, row.id, "read", "SUCCESS");
  return toPatientDto(row, clinical);
}
