import { patients } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { createProfileWithAccount, type ProfileOwner } from "#domains/identity/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { can, findVisiblePatient, PATIENT_NOT_FOUND, patientVisibleTo } from "./access.ts";
import type { PatientDto, PatientRow } from "./patient-dto.ts";
import {
  assertMayWrite,
  changeProfile,
  insertPatientProfile,
  type NewProfile,
  type ProfileChanges,
  readProfile,
} from "./profiles.service.ts";

/** `POST /patients` (ADMIN, STAFF): for an existing PATIENT account, or a new invited one. */
export interface CreatePatientInput {
  owner: ProfileOwner;
  profile: NewProfile;
}

export async function createPatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  { owner, profile }: CreatePatientInput,
): Promise<PatientDto> {
  await assertMayWrite(deps, audit, actor, null, profile);
  return createProfileWithAccount(
    deps,
    audit,
    "PATIENT",
    owner,
    insertPatientProfile(deps, actor, profile),
    "This account already has a patient profile",
  );
}

/** `GET /patients/{id}` of a row the resource procedure loaded through the access predicate. */
export function getPatient(deps: Deps, audit: AuditMeta, actor: Actor, row: PatientRow): Promise<PatientDto> {
  return readProfile(deps, audit, actor, async () => row);
}

/**
 * `PATCH /patients/{id}` of a row the actor can see: FORBIDDEN for fields the role may not write,
 * else the row is locked (through the predicate again) and changed.
 */
export async function updatePatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  row: PatientRow,
  changes: ProfileChanges,
): Promise<PatientDto> {
  await assertMayWrite(deps, audit, actor, row.id, changes);
  return changeProfile(
    deps,
    audit,
    actor,
    (tx) => findVisiblePatient(tx, actor, row.id, { lock: true }),
    changes,
    PATIENT_NOT_FOUND,
  );
}

/** `DELETE /patients/{id}` (ADMIN): deactivates the profile; the account and records stay. */
export async function deactivatePatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  row: PatientRow,
): Promise<void> {
  if (!can(actor, "delete:patient")) throw new DomainError("FORBIDDEN");
  await auditedTransaction(deps, audit, async (tx, record) => {
    const [deactivated] = await tx
      .update(patients)
      .set({ isActive: false, updatedAt: deps.clock.now() })
      .where(and(eq(patients.id, row.id), patientVisibleTo(actor)))
      .returning({ id: patients.id });
    if (!deactivated) throw new DomainError("NOT_FOUND", PATIENT_NOT_FOUND);
    record.audit({
      action: "patient.deactivated",
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: row.id,
      patientId: row.id,
    });
  });
}
