import type { AuditOutcome } from "@medical/db/schema";
import { type AuditEntry, type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import type { CipherContext, FieldCipher } from "#platform/crypto/field-cipher.ts";
import type { Deps } from "#platform/deps.ts";

/**
 * The free text of an appointment is PHI written by people: the reason for the visit and the
 * reason for a cancellation. Both are AES-256-GCM encrypted with the field cipher, bound to the
 * table, column and row (a value copied to another appointment does not decrypt), and readable by
 * whoever sees the appointment (STAFF too: the front desk takes the reason for a visit).
 */
export type AppointmentTextColumn = "reason" | "cancellation_reason";

export const appointmentTextContext = (
  appointmentId: string,
  column: AppointmentTextColumn,
): CipherContext => ({
  table: "appointments",
  column,
  rowId: appointmentId,
});

export function sealAppointmentText(
  cipher: FieldCipher,
  appointmentId: string,
  column: AppointmentTextColumn,
  text: string | null | undefined,
): string | null {
  return text ? cipher.encrypt(text, appointmentTextContext(appointmentId, column)) : null;
}

/**
 * Appointment text that does not decrypt for its row: a wrong or missing key, tampering, or a value
 * copied from another appointment. A generic 500 for the client and a FAILURE audit event; the ids
 * are for that event, never for the client.
 */
export class AppointmentTextUnreadable extends Error {
  override readonly name = "AppointmentTextUnreadable";
  constructor(
    readonly appointmentId: string,
    readonly patientId: string,
    options?: ErrorOptions,
  ) {
    super("appointment text does not decrypt for its row", options);
  }
}

/** The plaintext of a stored value (null stays null); throws AppointmentTextUnreadable. */
export function openAppointmentText(
  cipher: FieldCipher,
  row: { id: string; patientId: string },
  column: AppointmentTextColumn,
  stored: string | null,
): string | null {
  if (stored === null) return null;
  try {
    return cipher.decrypt(stored, appointmentTextContext(row.id, column));
  } catch (error) {
    throw new AppointmentTextUnreadable(row.id, row.patientId, { cause: error });
  }
}

/**
 * The audit event of a read of an appointment's text (its reason, or a cancellation's), or of a
 * refused or failed attempt at one. Details never carry the text.
 */
export function appointmentReadEvent(
  appointment: { id: string; patientId: string | null },
  outcome: AuditOutcome,
  reason?: "not_visible" | "undecryptable",
): AuditEntry {
  return {
    action: "appointment.read",
    outcome,
    targetType: "appointment",
    targetId: appointment.id,
    patientId: appointment.patientId,
    details: { fieldGroup: "reason", ...(reason ? { reason } : {}) },
  };
}

/**
 * Runs work that decrypts an appointment's text: a value that does not decrypt aborts it and is
 * audited as a FAILURE in a transaction of its own, then rethrown (a generic 500 for the client).
 */
export async function auditingUnreadable<T>(
  deps: Pick<Deps, "db">,
  audit: AuditMeta,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppointmentTextUnreadable)
      await auditAttempt(
        deps,
        audit,
        appointmentReadEvent(
          { id: error.appointmentId, patientId: error.patientId },
          "FAILURE",
          "undecryptable",
        ),
      );
    throw error;
  }
}
