import { z } from "zod";
import type { CipherContext, FieldCipher } from "#platform/crypto/field-cipher.ts";

/**
 * The free text of a medical record: a clinical entry's diagnoses, treatment plan, prescriptions
 * and clinical notes, or the note a patient wrote. PHI, stored as one AES-256-GCM document per row
 * (the record's current version, each version's own, and a deletion's reason), bound to the
 * table, column and row: a value copied to another record or version does not decrypt.
 */
export interface Diagnosis {
  code: string | null;
  description: string;
}

export interface Prescription {
  medication: string;
  dosage: string;
  route: string;
  frequency: string;
  duration: string | null;
  instructions: string | null;
}

export interface RecordContent {
  diagnoses: Diagnosis[];
  treatmentPlan: string | null;
  prescriptions: Prescription[];
  clinicalNotes: string | null;
  /** A PATIENT_REPORTED record's text; null on a CLINICAL one. */
  note: string | null;
}

export const EMPTY_CONTENT: RecordContent = {
  diagnoses: [],
  treatmentPlan: null,
  prescriptions: [],
  clinicalNotes: null,
  note: null,
};

/** The stored document, versioned so its shape can change without guessing. */
const ZContentDocument = z.object({
  v: z.literal(1),
  diagnoses: z.array(z.object({ code: z.string().nullable(), description: z.string() })),
  treatmentPlan: z.string().nullable(),
  prescriptions: z.array(
    z.object({
      medication: z.string(),
      dosage: z.string(),
      route: z.string(),
      frequency: z.string(),
      duration: z.string().nullable(),
      instructions: z.string().nullable(),
    }),
  ),
  clinicalNotes: z.string().nullable(),
  note: z.string().nullable(),
});

/** The encrypted columns of the two tables: what each ciphertext is bound to, with its row's id. */
export type SealedColumn =
  | { table: "medical_records"; column: "content" | "deletion_reason" }
  | { table: "medical_record_versions"; column: "content" };

export const RECORD_CONTENT: SealedColumn = { table: "medical_records", column: "content" };
export const DELETION_REASON: SealedColumn = { table: "medical_records", column: "deletion_reason" };
export const VERSION_CONTENT: SealedColumn = { table: "medical_record_versions", column: "content" };

export const sealedContext = (where: SealedColumn, rowId: string): CipherContext => ({ ...where, rowId });

export function sealContent(cipher: FieldCipher, where: SealedColumn, rowId: string, content: RecordContent) {
  const document: z.infer<typeof ZContentDocument> = { v: 1, ...content };
  return cipher.encrypt(JSON.stringify(document), sealedContext(where, rowId));
}

/**
 * A record's or a version's text as the service seals it, for the bulk load (packages/seed), which
 * writes generated records with set-based SQL: the document format and its binding stay here.
 */
export function sealRecordText(
  cipher: FieldCipher,
  table: "medical_records" | "medical_record_versions",
  rowId: string,
  content: RecordContent,
): string {
  return sealContent(cipher, table === "medical_records" ? RECORD_CONTENT : VERSION_CONTENT, rowId, content);
}

export function sealDeletionReason(cipher: FieldCipher, recordId: string, reason: string): string {
  return cipher.encrypt(reason, sealedContext(DELETION_REASON, recordId));
}

/**
 * Record text that does not decrypt for its row: a wrong or missing key, tampering, or a value
 * copied from another record. A generic 500 for the client and a FAILURE audit event; the ids are
 * for that event, never for the client.
 */
export class RecordTextUnreadable extends Error {
  override readonly name = "RecordTextUnreadable";
  constructor(
    readonly recordId: string,
    readonly patientId: string,
    options?: ErrorOptions,
  ) {
    super("medical record text does not decrypt for its row", options);
  }
}

/** The row whose text is being opened: its own id (the context) and its record's, for the audit. */
export interface SealedRow {
  rowId: string;
  recordId: string;
  patientId: string;
}

/** The plaintext document of a stored value; throws RecordTextUnreadable. */
export function openContent(
  cipher: FieldCipher,
  where: SealedColumn,
  row: SealedRow,
  stored: string,
): RecordContent {
  try {
    const { v: _version, ...content } = ZContentDocument.parse(
      JSON.parse(cipher.decrypt(stored, sealedContext(where, row.rowId))),
    );
    return content;
  } catch (error) {
    throw new RecordTextUnreadable(row.recordId, row.patientId, { cause: error });
  }
}

/** A deletion's reason (null stays null); throws RecordTextUnreadable. */
export function openDeletionReason(
  cipher: FieldCipher,
  row: { id: string; patientId: string },
  stored: string | null,
): string | null {
  if (stored === null) return null;
  try {
    return cipher.decrypt(stored, sealedContext(DELETION_REASON, row.id));
  } catch (error) {
    throw new RecordTextUnreadable(row.id, row.patientId, { cause: error });
  }
}
