import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import {
  doctors,
  type MedicalRecord,
  medicalRecords,
  medicalRecordVersions,
  type NewMedicalRecord,
  patients,
  type Role,
} from "@medical/db/schema";
import { eq } from "drizzle-orm";
import {
  EMPTY_CONTENT,
  RECORD_CONTENT,
  type RecordContent,
  sealContent,
  VERSION_CONTENT,
} from "#domains/records/record-content.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";

export interface MakeMedicalRecordInput
  extends Partial<Omit<NewMedicalRecord, "patientId" | "content" | "version" | "kind">> {
  patientId: string;
  /** The author of a CLINICAL record (the default kind); without one the record is PATIENT_REPORTED. */
  doctorId?: string | null;
  /** The text, as plaintext: sealed with `cipher` under the row's id as the service does. */
  content?: Partial<RecordContent>;
  cipher: FieldCipher;
}

/**
 * A record with its first version, written straight to the tables without the service's rules
 * (care relationship, appointment check, audit, events): for tests of what reads records. A
 * CLINICAL record by `doctorId` with a diagnosis and notes by default, or, without a doctor, a
 * PATIENT_REPORTED note; its version 1 is written by the author's account. Other columns can be
 * given (a deletion's, for instance: the reason is stored as given).
 */
export async function makeMedicalRecord(db: Database, input: MakeMedicalRecordInput): Promise<MedicalRecord> {
  const { patientId, doctorId, content: text, cipher, ...columns } = input;
  const id = columns.id ?? randomUUID();
  const clinical = Boolean(doctorId);
  const content: RecordContent = {
    ...EMPTY_CONTENT,
    ...(clinical
      ? { diagnoses: [{ code: "J45.9", description: "Asthme" }], clinicalNotes: "Examen clinique" }
      : { note: "Antécédents familiaux" }),
    ...text,
  };
  const author = await authorOf(db, doctorId ?? null, patientId);
  const [row] = await db
    .insert(medicalRecords)
    .values({
      ...columns,
      id,
      patientId,
      kind: clinical ? "CLINICAL" : "PATIENT_REPORTED",
      doctorId: doctorId ?? null,
      version: 1,
      content: sealContent(cipher, RECORD_CONTENT, id, content),
    })
    .returning();
  if (!row) throw new Error("makeMedicalRecord inserted nothing");
  const versionId = randomUUID();
  await db.insert(medicalRecordVersions).values({
    id: versionId,
    recordId: id,
    version: 1,
    content: sealContent(cipher, VERSION_CONTENT, versionId, content),
    followUpDate: row.followUpDate,
    appointmentId: row.appointmentId,
    editedBy: author.userId,
    editedByRole: author.role,
    editedAt: row.createdAt,
  });
  return row;
}

async function authorOf(
  db: Database,
  doctorId: string | null,
  patientId: string,
): Promise<{ userId: string; role: Role }> {
  const [row] = doctorId
    ? await db.select({ userId: doctors.userId }).from(doctors).where(eq(doctors.id, doctorId)).limit(1)
    : await db.select({ userId: patients.userId }).from(patients).where(eq(patients.id, patientId)).limit(1);
  if (!row)
    throw new Error(`makeMedicalRecord: no ${doctorId ? `doctor ${doctorId}` : `patient ${patientId}`}`);
  return { userId: row.userId, role: doctorId ? "DOCTOR" : "PATIENT" };
}
