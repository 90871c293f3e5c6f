import { randomUUID } from "node:crypto";
import type { Executor, Transaction } from "@medical/db";
import { type NewPatient, type Patient, patients, type Sex, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import type { InsertProfile } from "#domains/identity/public.ts";
import {
  type AuditMeta,
  auditAttempt,
  auditedTransaction,
  type ChangeRecorder,
  namedFields,
} from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { can } from "./access.ts";
import {
  type ClinicalChanges,
  ClinicalDataUnreadable,
  clinicalEvent,
  EMPTY_CLINICAL,
  mergeClinical,
  openClinical,
  sealClinical,
} from "./clinical.ts";
import { type PatientDto, type PatientRow, toPatientDto } from "./patient-dto.ts";

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

/**
 * Refuses, before anything is written, fields the role may not write (STAFF sending clinical
 * fields is refused, never silently dropped); a refused clinical write is audited as DENIED.
 */
export async function assertMayWrite(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  patientId: string | null,
  changes: ProfileChanges,
): Promise<void> {
  const { clinical, showNameOnReviews: _choice, ...demographics } = changes;
  const touchesDemographics = Object.values(demographics).some((value) => value !== undefined);
  const refusedClinical = clinical !== undefined && !can(actor, "write:clinical");
  const refusedDemographics = touchesDemographics && !can(actor, "write:demographics");
  if (refusedClinical)
    await auditAttempt(deps, audit, clinicalEvent(patientId, "write", "DENIED", "not_permitted"));
  if (refusedClinical || refusedDemographics)
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

/**
 * The answer for a profile the actor can see, built inside the transaction that read or wrote it:
 * clinical fields only for those allowed, decrypted there and audited as a read unless this very
 * transaction wrote them (its write event covers the answer). The answer leaves only once that
 * event is committed.
 */
function profileAnswer(
  deps: Pick<Deps, "fieldCipher">,
  record: ChangeRecorder,
  actor: Actor,
  row: PatientRow,
  options: { wroteClinical?: boolean } = {},
): PatientDto {
  if (!can(actor, "read:clinical")) return toPatientDto(row, actor);
  const clinical = openClinical(deps.fieldCipher, row);
  if (!options.wroteClinical) record.audit(clinicalEvent(row.id, "read", "SUCCESS"));
  return toPatientDto(row, actor, clinical);
}

/**
 * Runs work that decrypts clinical fields: a value that does not decrypt aborts it and is audited
 * as a FAILURE in a transaction of its own, then rethrown (a generic 500 for the client, an error
 * in the log).
 */
async function auditingUnreadable<T>(
  deps: Deps,
  audit: AuditMeta,
  operation: "read" | "write",
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClinicalDataUnreadable)
      await auditAttempt(deps, audit, clinicalEvent(error.patientId, operation, "FAILURE", "undecryptable"));
    throw error;
  }
}

/** A profile's demographics: what the demo seed writes (it holds no clinical fields). */
export type NewDemographics = Omit<NewProfile, "clinical">;

/**
 * Writes the profile row for the account identity's flow hands over (`createProfileWithAccount`)
 * and audits its creation. `seal` encrypts clinical fields under the new row's own id (none by
 * default). A second profile for the account meets the unique index: identity maps it to CONFLICT.
 */
export function writePatientProfile(
  deps: Pick<Deps, "clock">,
  profile: NewDemographics,
  seal: (patientId: string) => string | null = () => null,
): InsertProfile<Patient> {
  return async (tx, record, user) => {
    const id = randomUUID();
    const now = deps.clock.now();
    const [patient] = await tx
      .insert(patients)
      .values({
        ...profileColumns(profile),
        id,
        userId: user.id,
        dateOfBirth: profile.dateOfBirth,
        clinicalData: seal(id),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!patient) throw new Error("insert returned no row");
    record.audit({
      action: "patient.profile_created",
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: id,
      patientId: id,
    });
    return patient;
  };
}

/** The profile with its clinical fields encrypted and audited, answered as the actor may see it. */
export function insertPatientProfile(
  deps: Deps,
  actor: Actor,
  profile: NewProfile,
): InsertProfile<PatientDto> {
  const { clinical, ...demographics } = profile;
  const seal =
    clinical === undefined
      ? undefined
      : (id: string) => sealClinical(deps.fieldCipher, id, mergeClinical(EMPTY_CLINICAL, clinical));
  const write = writePatientProfile(deps, demographics, seal);
  return async (tx, record, user) => {
    const patient = await write(tx, record, user);
    const wroteClinical = clinical !== undefined;
    if (wroteClinical) record.audit(clinicalEvent(patient.id, "write", "SUCCESS"));
    const row: PatientRow = {
      ...patient,
      firstName: user.firstName,
      lastName: user.lastName,
      phone: user.phone,
    };
    return profileAnswer(deps, record, actor, row, { wroteClinical });
  };
}

/**
 * Applies permitted changes to a row locked by `tx`: profile columns, the account's names and
 * phone, and clinical fields (decrypted, merged, re-encrypted). Audited.
 */
async function updateProfile(
  deps: Deps,
  tx: Transaction,
  record: ChangeRecorder,
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
  const [patient] = await tx
    .update(patients)
    .set({ ...profileColumns(profile), clinicalData, updatedAt: now })
    .where(eq(patients.id, current.id))
    .returning();
  if (!patient) throw new Error("a locked patient row vanished inside its transaction");
  let account = { firstName: current.firstName, lastName: current.lastName, phone: current.phone };
  const accountChanges = { firstName, lastName, phone };
  if (namedFields(accountChanges)) {
    const [changed] = await tx
      .update(users)
      .set({ ...accountChanges, updatedAt: now })
      .where(eq(users.id, current.userId))
      .returning({ firstName: users.firstName, lastName: users.lastName, phone: users.phone });
    if (!changed) throw new Error("a patient's account vanished inside its transaction");
    account = changed;
  }
  const fields = namedFields({ ...profile, ...accountChanges });
  if (fields) {
    record.audit({
      action: "patient.profile_updated",
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: current.id,
      patientId: current.id,
      details: { fields },
    });
  }
  if (clinical !== undefined) record.audit(clinicalEvent(current.id, "write", "SUCCESS"));
  return { ...patient, ...account };
}

/**
 * A read of one profile: `find` runs in the audited transaction that also records the clinical
 * read, so the read and its audit event commit together.
 */
export function readProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  find: (tx: Executor) => Promise<PatientRow>,
): Promise<PatientDto> {
  return auditingUnreadable(deps, audit, "read", () =>
    auditedTransaction(deps, audit, async (tx, record) => profileAnswer(deps, record, actor, await find(tx))),
  );
}

/**
 * A change of one profile: `lock` finds and locks the row through the access predicate (undefined
 * ⇒ NOT_FOUND `notFound`); the change, its audit events and the answer are one transaction.
 */
export function changeProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  lock: (tx: Transaction) => Promise<PatientRow | undefined>,
  changes: ProfileChanges,
  notFound: string,
): Promise<PatientDto> {
  const wroteClinical = changes.clinical !== undefined;
  // Without clinical changes only the answer decrypts: an unreadable value fails the read.
  return auditingUnreadable(deps, audit, wroteClinical ? "write" : "read", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const current = await lock(tx);
      if (!current) throw new DomainError("NOT_FOUND", notFound);
      const row = await updateProfile(deps, tx, record, current, changes);
      return profileAnswer(deps, record, actor, row, { wroteClinical });
    }),
  );
}
