import {
  type AuditEntry,
  type AuditMeta,
  type AuditTargetType,
  auditAttempt,
} from "#platform/audit/audit.ts";
import type { CipherContext, FieldCipher } from "#platform/crypto/field-cipher.ts";
import type { Deps } from "#platform/deps.ts";

/**
 * The encrypted texts of billing (decision record 0027): an entry's description (what was done for
 * the patient), a policy's number (it identifies the person's cover) and a claim's reason (why it
 * was rejected, approved or paid). AES-256-GCM with the field cipher, bound to the table, column
 * and row, so a value copied to another row does not decrypt; `pnpm keys:rotate` re-encrypts them.
 */
export const BILLING_TEXTS = {
  description: { table: "billing_entries", column: "description", targetType: "billing_entry" },
  policyNumber: { table: "insurance_policies", column: "policy_number", targetType: "insurance_policy" },
  claimReason: { table: "insurance_claims", column: "reason", targetType: "insurance_claim" },
} as const satisfies Record<string, { table: string; column: string; targetType: AuditTargetType }>;

export type BillingText = keyof typeof BILLING_TEXTS;

export function billingTextContext(text: BillingText, rowId: string): CipherContext {
  const { table, column } = BILLING_TEXTS[text];
  return { table, column, rowId };
}

export function sealBillingText(
  cipher: FieldCipher,
  text: BillingText,
  rowId: string,
  value: string,
): string {
  return cipher.encrypt(value, billingTextContext(text, rowId));
}

/**
 * A billing text that does not decrypt for its row: a wrong or missing key, tampering, or a value
 * copied from another row. A generic 500 for the client and a FAILURE audit event; the ids are
 * for that event, never for the client.
 */
export class BillingTextUnreadable extends Error {
  override readonly name = "BillingTextUnreadable";
  constructor(
    readonly text: BillingText,
    readonly rowId: string,
    readonly patientId: string,
    options?: ErrorOptions,
  ) {
    super("billing text does not decrypt for its row", options);
  }
}

/** The plaintext of a stored value (null stays null); throws BillingTextUnreadable. */
export function openBillingText(
  cipher: FieldCipher,
  text: BillingText,
  row: { id: string; patientId: string },
  stored: string,
): string;
export function openBillingText(
  cipher: FieldCipher,
  text: BillingText,
  row: { id: string; patientId: string },
  stored: string | null,
): string | null;
export function openBillingText(
  cipher: FieldCipher,
  text: BillingText,
  row: { id: string; patientId: string },
  stored: string | null,
): string | null {
  if (stored === null) return null;
  try {
    return cipher.decrypt(stored, billingTextContext(text, row.id));
  } catch (error) {
    throw new BillingTextUnreadable(text, row.id, row.patientId, { cause: error });
  }
}

/**
 * Runs work that decrypts billing text: a value that does not decrypt aborts it and is audited as
 * a FAILURE in a transaction of its own, then rethrown (a generic 500 for the client).
 */
export async function auditingUnreadable<T>(
  deps: Pick<Deps, "db">,
  audit: AuditMeta,
  action: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BillingTextUnreadable) {
      const entry: AuditEntry = {
        action,
        outcome: "FAILURE",
        targetType: BILLING_TEXTS[error.text].targetType,
        targetId: error.rowId,
        patientId: error.patientId,
        details: { reason: "undecryptable", field: error.text },
      };
      await auditAttempt(deps, audit, entry);
    }
    throw error;
  }
}
