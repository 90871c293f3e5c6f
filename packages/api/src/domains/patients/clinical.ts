import type { AuditOutcome } from "@medical/db/schema";
import { z } from "zod";
import type { AuditEntry } from "#platform/audit/audit.ts";
import type { CipherContext, FieldCipher } from "#platform/crypto/field-cipher.ts";
import { BLOOD_TYPES, type ClinicalDto } from "./patient-dto.ts";

/** Where clinical data lives: bound into every ciphertext, so a value cannot move to another row. */
export const clinicalContext = (patientId: string): CipherContext => ({
  table: "patients",
  column: "clinical_data",
  rowId: patientId,
});

/** The encrypted document, versioned so its shape can change without guessing. */
const ZClinicalDocument = z.object({
  v: z.literal(1),
  bloodType: z.enum(BLOOD_TYPES).nullable(),
  allergies: z.array(z.string()),
  chronicConditions: z.array(z.string()),
  currentMedications: z.array(z.string()),
});

export const EMPTY_CLINICAL: ClinicalDto = {
  bloodType: null,
  allergies: [],
  chronicConditions: [],
  currentMedications: [],
};

/** A change of clinical fields: a key present replaces that field, a key absent keeps it. */
export type ClinicalChanges = Partial<ClinicalDto>;

export function sealClinical(cipher: FieldCipher, patientId: string, clinical: ClinicalDto): string {
  const document: z.infer<typeof ZClinicalDocument> = { v: 1, ...clinical };
  return cipher.encrypt(JSON.stringify(document), clinicalContext(patientId));
}

/**
 * Clinical data that does not decrypt for its row: a wrong or missing key, tampering, or a value
 * copied from another patient. It becomes a generic 500 (an integrity failure, not the client's
 * fault) and a FAILURE audit event; `patientId` is for that event, never for the client.
 */
export class ClinicalDataUnreadable extends Error {
  override readonly name = "ClinicalDataUnreadable";
  constructor(
    readonly patientId: string,
    options?: ErrorOptions,
  ) {
    super("clinical data does not decrypt for its row", options);
  }
}

/** The clinical fields of a row (empty when never written); throws ClinicalDataUnreadable. */
export function openClinical(
  cipher: FieldCipher,
  row: { id: string; clinicalData: string | null },
): ClinicalDto {
  if (row.clinicalData === null) return EMPTY_CLINICAL;
  try {
    const { v: _version, ...clinical } = ZClinicalDocument.parse(
      JSON.parse(cipher.decrypt(row.clinicalData, clinicalContext(row.id))),
    );
    return clinical;
  } catch (error) {
    throw new ClinicalDataUnreadable(row.id, { cause: error });
  }
}

export function mergeClinical(current: ClinicalDto, changes: ClinicalChanges): ClinicalDto {
  return {
    bloodType: changes.bloodType === undefined ? current.bloodType : changes.bloodType,
    allergies: changes.allergies ?? current.allergies,
    chronicConditions: changes.chronicConditions ?? current.chronicConditions,
    currentMedications: changes.currentMedications ?? current.currentMedications,
  };
}

/**
 * The audit event of a read or write of a patient's clinical fields, or of an attempt at one
 * (`patientId` null: a refused creation, before any profile exists). Details name the field group
 * only: never a value.
 */
export function clinicalEvent(
  patientId: string | null,
  operation: "read" | "write",
  outcome: AuditOutcome,
  reason?: "not_visible" | "not_permitted" | "undecryptable",
): AuditEntry {
  return {
    action: `patient.clinical.${operation}`,
    outcome,
    targetType: "patient",
    targetId: patientId,
    patientId,
    details: { fieldGroup: "clinical", ...(reason ? { reason } : {}) },
  };
}
