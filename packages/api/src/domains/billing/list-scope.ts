import { type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { findBillablePatient, findOwnPatient, PATIENT_NOT_FOUND } from "./access.ts";
import { notVisible } from "./audit-events.ts";

/** Whose rows a list reads: the caller's own (`/me`), one patient's (`/patient/{patientId}`), or anyone's. */
export type PatientScope =
  | { view: "mine" }
  | { view: "patient"; patientId: string }
  | { view: "all"; patientId?: string | undefined };

/**
 * The patient a list is about: the caller's own profile (`none` before it exists: an empty
 * page), a patient the actor sees (NOT_FOUND otherwise, the refusal audited), or a filter of
 * the whole list (`null`: everybody the predicate lets through).
 */
export async function patientOfScope(
  deps: Pick<Deps, "db">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  scope: PatientScope,
  action: string,
): Promise<string | null | "none"> {
  switch (scope.view) {
    case "mine":
      return (await findOwnPatient(deps.db, actor)) ?? "none";
    case "patient": {
      const patientId = await findBillablePatient(deps.db, actor, scope.patientId);
      if (patientId) return patientId;
      await auditAttempt(deps, audit, notVisible(action, "patient", scope.patientId));
      throw new DomainError("NOT_FOUND", PATIENT_NOT_FOUND);
    }
    case "all":
      return scope.patientId ?? null;
  }
}
