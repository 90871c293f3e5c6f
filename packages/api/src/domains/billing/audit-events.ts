import type { AuditEntry, AuditTargetType } from "#platform/audit/audit.ts";

/** The audit actions of billing, per kind of row (issue 17's PHI trail). */
export const BILLING_ACTIONS = {
  entry: {
    list: "billing_entry.list",
    read: "billing_entry.read",
    create: "billing_entry.created",
    update: "billing_entry.updated",
  },
  policy: {
    list: "insurance_policy.list",
    create: "insurance_policy.created",
    update: "insurance_policy.updated",
    deactivate: "insurance_policy.deactivated",
  },
  claim: {
    list: "insurance_claim.list",
    create: "insurance_claim.created",
    status: "insurance_claim.status_changed",
  },
} as const;

/**
 * A refused attempt on a row the actor does not see (or that does not exist): no patient, since
 * the actor is not shown whose it is, and the id asked for.
 */
export function notVisible(action: string, targetType: AuditTargetType, id: string): AuditEntry {
  return { action, outcome: "DENIED", targetType, targetId: id, details: { reason: "not_visible" } };
}

/** A refused change of a row the actor sees: its patient, and why. */
export function refusedChange(
  action: string,
  targetType: AuditTargetType,
  row: { id: string; patientId: string },
  details: NonNullable<AuditEntry["details"]>,
): AuditEntry {
  return { action, outcome: "DENIED", targetType, targetId: row.id, patientId: row.patientId, details };
}
