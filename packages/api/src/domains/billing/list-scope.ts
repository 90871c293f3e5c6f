import type { Executor } from "@medical/db";
import type { ChangeRecorder } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
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
 * page), a patient the actor sees (a refused, audited NOT_FOUND otherwise), or a filter of
 * STAFF and ADMIN's list (`null`: everybody the predicate lets through).
 */
export async function patientOfScope(
  tx: Executor,
  record: ChangeRecorder,
  actor: Pick<Actor, "userId" | "role">,
  scope: PatientScope,
  action: string,
): Promise<string | null | "none"> {
  switch (scope.view) {
    case "mine":
      return (await findOwnPatient(tx, actor)) ?? "none";
    case "patient": {
      const patientId = await findBillablePatient(tx, actor, scope.patientId);
      if (!patientId)
        return record.refuse(
          notVisible(action, "patient", scope.patientId),
          new DomainError("NOT_FOUND", PATIENT_NOT_FOUND),
        );
      return patientId;
    }
    case "all":
      return scope.patientId ?? null;
  }
}
