import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { PatientDto } from "./patient-dto.ts";
import { findOwnPatient } from "./patient-rows.ts";
import {
  auditingUnreadable,
  insertProfile,
  type NewProfile,
  type ProfileChanges,
  profileAnswer,
  updateProfile,
} from "./profiles.service.ts";

/** A PATIENT's own profile (`POST /patients/me`): one per account, a second one is a CONFLICT. */
export async function createOwnProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  profile: NewProfile,
): Promise<PatientDto> {
  const row = await deps.db.transaction(async (tx) => {
    if (await findOwnPatient(tx, actor))
      throw new DomainError("CONFLICT", "Your patient profile already exists");
    return insertProfile(deps, tx, audit, actor.userId, profile);
  });
  return profileAnswer(deps, audit, actor, row, { wroteClinical: profile.clinical !== undefined });
}

/** `GET /patients/me`: NOT_FOUND until the profile is created. */
export async function getOwnProfile(deps: Deps, audit: AuditMeta, actor: Actor): Promise<PatientDto> {
  const row = await findOwnPatient(deps.db, actor);
  if (!row) throw new DomainError("NOT_FOUND", "Create your patient profile first (POST /patients/me)");
  return profileAnswer(deps, audit, actor, row);
}

/** `PATCH /patients/me`: demographics, contact, the review-name choice and clinical fields. */
export async function updateOwnProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  changes: ProfileChanges,
): Promise<PatientDto> {
  const row = await auditingUnreadable(deps, audit, "write", () =>
    deps.db.transaction(async (tx) => {
      const current = await findOwnPatient(tx, actor, { lock: true });
      if (!current)
        throw new DomainError("NOT_FOUND", "Create your patient profile first (POST /patients/me)");
      return updateProfile(deps, tx, audit, current, changes);
    }),
  );
  return profileAnswer(deps, audit, actor, row, { wroteClinical: changes.clinical !== undefined });
}
