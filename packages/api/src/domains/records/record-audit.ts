import type { AuditOutcome } from "@medical/db/schema";
import { type AuditEntry, type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { RecordTextUnreadable } from "./record-content.ts";

/** What an audit event of the records says was done (or attempted): one action per route. */
export type RecordAction =
  | "medical_record.list"
  | "medical_record.read"
  | "medical_record.created"
  | "medical_record.updated"
  | "medical_record.deleted"
  | "medical_record.versions";

/** Why an attempt was refused or failed: never a text of the record. */
export type RecordRefusal =
  | "role"
  | "not_visible"
  | "not_treated"
  | "not_author"
  | "deleted"
  | "stale_version"
  | "bad_appointment"
  | "invalid_change"
  | "undecryptable";

export interface RecordEventFacts {
  recordId?: string | null;
  /** The patient whose file this touched; null on a refusal of a record the actor does not see. */
  patientId?: string | null;
  /** The ids a list returned (records, or a record's versions). */
  resourceIds?: string[];
  reason?: RecordRefusal;
  details?: AuditEntry["details"];
}

/** One audit event of the records: small facts only (ids, a reason, a version), never PHI. */
export function recordEvent(
  action: RecordAction,
  outcome: AuditOutcome,
  facts: RecordEventFacts = {},
): AuditEntry {
  const details = { ...facts.details, ...(facts.reason ? { reason: facts.reason } : {}) };
  return {
    action,
    outcome,
    targetType: "medical_record",
    targetId: facts.recordId ?? null,
    patientId: facts.patientId ?? null,
    ...(facts.resourceIds ? { resourceIds: facts.resourceIds } : {}),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/**
 * Runs work that decrypts record text as `action`: a value that does not decrypt aborts it (its
 * transaction rolls back) and is audited as a FAILURE in a transaction of its own, then rethrown
 * (a generic 500 for the client).
 */
export async function auditingUnreadable<T>(
  deps: Pick<Deps, "db">,
  audit: AuditMeta,
  action: RecordAction,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RecordTextUnreadable)
      await auditAttempt(
        deps,
        audit,
        recordEvent(action, "FAILURE", {
          recordId: error.recordId,
          patientId: error.patientId,
          reason: "undecryptable",
        }),
      );
    throw error;
  }
}
