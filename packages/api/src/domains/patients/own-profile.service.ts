import { createProfileWithAccount } from "#domains/identity/public.ts";
import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { findOwnPatient } from "./access.ts";
import type { PatientDto } from "./patient-dto.ts";
import {
  changeProfile,
  insertPatientProfile,
  type NewProfile,
  type ProfileChanges,
  readProfile,
} from "./profiles.service.ts";

const CREATE_FIRST = "Create your patient profile first (POST /patients/me)";

/**
 * A PATIENT's own profile (`POST /patients/me`): one per account. Identity's flow locks the
 * account, so a second profile, concurrent ones included, is a CONFLICT.
 */
export function createOwnProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  profile: NewProfile,
): Promise<PatientDto> {
  return createProfileWithAccount(
    deps,
    audit,
    "PATIENT",
    { userId: actor.userId },
    insertPatientProfile(deps, actor, profile),
    "Your patient profile already exists",
  );
}

/** `GET /patients/me`: NOT_FOUND until the profile is created. */
export function getOwnProfile(deps: Deps, audit: AuditMeta, actor: Actor): Promise<PatientDto> {
  return readProfile(deps, audit, actor, async (tx) => {
    const row = await findOwnPatient(tx, actor);
    if (!row) throw new DomainError("NOT_FOUND", CREATE_FIRST);
    return row;
  });
}

/** `PATCH /patients/me`: demographics, contact, the review-name choice and clinical fields. */
export function updateOwnProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  changes: ProfileChanges,
): Promise<PatientDto> {
  return changeProfile(
    deps,
    audit,
    actor,
    (tx) => findOwnPatient(tx, actor, { lock: true }),
    changes,
    CREATE_FIRST,
  );
}
