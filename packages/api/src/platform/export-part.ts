import type { Executor } from "@medical/db";
import type { z } from "zod";
import type { FieldCipher } from "./crypto/field-cipher.ts";

/** Whose file a patient data export holds (docs/decisions/0028). */
export interface ExportSubject {
  /** The patient profile. */
  patientId: string;
  /** The patient's own account: who "self" is in a section that names who acted. */
  userId: string;
}

/**
 * One domain's section of a patient's data export (`GET /patients/me/export`), offered in the
 * domain's `public.ts`; the export slice composes the sections in one transaction and writes the
 * one audit event. A new domain with data about patients (chat) adds a part and its
 * line in the export slice, and touches no other domain.
 */
export interface ExportPart<T> {
  /** The section's schema in the export document: the DTOs the domain's routes answer with. */
  schema: z.ZodType<T>;
  /** The section in the document's example. */
  example: T;
  /**
   * The subject's whole section, decrypted, read through `tx` (the export's snapshot) by keyset
   * pages. It reads by patient, without the domain's access predicate: the export decides who may
   * export whose file. It writes nothing and audits nothing (the export's event covers it).
   */
  read(tx: Executor, subject: ExportSubject, cipher: FieldCipher): Promise<T>;
  /** What the export's audit event records of the section: how many items of each kind, never a value. */
  counts(section: T): Record<string, number>;
  /** The domain's own error for a stored text that does not decrypt for its row (audited as a FAILURE). */
  isUnreadable(error: unknown): boolean;
}
