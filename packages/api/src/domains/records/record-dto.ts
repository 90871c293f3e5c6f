import type { Executor } from "@medical/db";
import {
  doctors,
  MEDICAL_RECORD_KINDS,
  type MedicalRecord,
  type MedicalRecordVersion,
  medicalRecords,
  patients,
  users,
} from "@medical/db/schema";
import { type AnyColumn, eq, getTableColumns, sql } from "drizzle-orm";
import { alias, type PgSelect, type WithSubqueryWithSelection } from "drizzle-orm/pg-core";
import { z } from "zod";
import { ROLES } from "#platform/auth/roles.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";
import { openContent, openDeletionReason, RECORD_CONTENT, VERSION_CONTENT } from "./record-content.ts";

export const ZMedicalRecordKind = z.enum(MEDICAL_RECORD_KINDS).meta({
  id: "MedicalRecordKind",
  description:
    "CLINICAL: written by a doctor; PATIENT_REPORTED: a history note the patient wrote (never editable by a doctor)",
});

const ZDiagnosis = z
  .object({
    code: z.string().nullable().meta({ description: "An ICD-10 code (`J45.9`), when one was given" }),
    description: z.string(),
  })
  .meta({ id: "Diagnosis", description: "A diagnosis: its description, and its ICD-10 code when given" });

const ZPrescription = z
  .object({
    medication: z.string(),
    dosage: z.string(),
    route: z.string().meta({ description: "How it is taken: oral, IV, topical…" }),
    frequency: z.string(),
    duration: z.string().nullable(),
    instructions: z.string().nullable(),
  })
  .meta({ id: "Prescription", description: "One prescribed medication" });

const ZParty = z
  .object({ id: z.uuid(), firstName: z.string(), lastName: z.string() })
  .meta({ id: "MedicalRecordParty", description: "The patient, or the author doctor, of a record" });

const ZRecordActor = z
  .object({ userId: z.uuid(), role: z.enum(ROLES) })
  .meta({ id: "MedicalRecordActor", description: "Who acted: their account and their role at the time" });

const ZDeletion = z
  .object({
    by: ZRecordActor,
    at: ZTimestamp,
    reason: z.string().meta({ description: "Why it was deleted (encrypted at rest)" }),
  })
  .meta({
    id: "MedicalRecordDeletion",
    description: "A deleted record's deletion: who, when and why (only ADMIN sees deleted records)",
  });

/** What a version holds: every field a PATCH can change. Clinical text is PHI, encrypted at rest. */
const content = {
  appointmentId: z.uuid().nullable().meta({
    description: "The appointment of the author with the patient the record is about (CLINICAL only)",
  }),
  diagnoses: z.array(ZDiagnosis),
  treatmentPlan: z.string().nullable(),
  prescriptions: z.array(ZPrescription),
  clinicalNotes: z.string().nullable(),
  followUpDate: z.iso.date().nullable().meta({ description: "A calendar date, `YYYY-MM-DD`" }),
  note: z.string().nullable().meta({
    description: "The patient's own text (PATIENT_REPORTED only; null on a CLINICAL record)",
  }),
};

export type MedicalRecordDto = z.infer<typeof ZMedicalRecordDto>;
export type MedicalRecordVersionDto = z.infer<typeof ZMedicalRecordVersionDto>;

const contentExample = {
  appointmentId: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73",
  diagnoses: [{ code: "J45.9", description: "Asthme, sans précision" }],
  treatmentPlan: "Traitement de fond inhalé, contrôle dans trois mois",
  prescriptions: [
    {
      medication: "Salbutamol 100 µg",
      dosage: "2 bouffées",
      route: "inhalée",
      frequency: "en cas de gêne, jusqu'à 4 fois par jour",
      duration: "3 mois",
      instructions: "Rincer la bouche après usage",
    },
  ],
  clinicalNotes: "Dyspnée d'effort depuis deux semaines, sibilants à l'auscultation.",
  followUpDate: "2027-03-01",
  note: null,
};

const ZRecord = z.object({
  id: z.uuid(),
  kind: ZMedicalRecordKind,
  patient: ZParty,
  doctor: ZParty.nullable().meta({ description: "The author of a CLINICAL record; null otherwise" }),
  ...content,
  version: z
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .meta({ description: "The current version: send it back with a PATCH" }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
  deletion: ZDeletion.nullable().meta({
    description: "Null unless deleted (ADMIN only sees deleted records)",
  }),
});

const ZVersion = z.object({
  id: z.uuid(),
  recordId: z.uuid(),
  version: z.number().int().min(1).max(2_147_483_647),
  ...content,
  editedBy: ZRecordActor,
  editedAt: ZTimestamp,
});

/** The document's example record (at its version 2) and its first version. */
export const recordExample: z.infer<typeof ZRecord> = {
  id: "9d2e4f6a-1b3c-4d5e-8f7a-2b4c6d8e0f13",
  kind: "CLINICAL",
  patient: { id: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05", firstName: "Yacine", lastName: "Haddad" },
  doctor: { id: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60", firstName: "Amina", lastName: "Benali" },
  ...contentExample,
  version: 2,
  createdAt: new Date("2026-12-01T09:05:00.000Z"),
  updatedAt: new Date("2026-12-01T09:40:00.000Z"),
  deletion: null,
};
export const versionExample: z.infer<typeof ZVersion> = {
  id: "0b7c9e1f-4a2d-4c6e-9b8a-3d5f7e9a1c24",
  recordId: "9d2e4f6a-1b3c-4d5e-8f7a-2b4c6d8e0f13",
  version: 1,
  ...contentExample,
  editedBy: { userId: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37", role: "DOCTOR" },
  editedAt: new Date("2026-12-01T09:05:00.000Z"),
};

export const ZMedicalRecordDto = named(ZRecord, "MedicalRecord", {
  description:
    "An entry of a patient's medical file, as of its current `version`: clinical text is PHI (encrypted at rest, every read audited)",
  example: recordExample,
});

export const ZMedicalRecordVersionDto = named(ZVersion, "MedicalRecordVersion", {
  description: "One version of a record as it was written: by whom (account and role at the time) and when",
  example: versionExample,
});

const patientUsers = alias(users, "record_patient_users");
const doctorUsers = alias(users, "record_doctor_users");

/** Both parties' names, aliased apart (two tables have a first_name); a patient's note has no doctor. */
const parties = {
  patientFirstName: sql<string>`${patientUsers.firstName}`.as("patient_first_name"),
  patientLastName: sql<string>`${patientUsers.lastName}`.as("patient_last_name"),
  doctorFirstName: sql<string | null>`${doctorUsers.firstName}`.as("doctor_first_name"),
  doctorLastName: sql<string | null>`${doctorUsers.lastName}`.as("doctor_last_name"),
};

const names = {
  patient: { firstName: parties.patientFirstName, lastName: parties.patientLastName },
  doctor: { firstName: parties.doctorFirstName, lastName: parties.doctorLastName },
};

/** Both parties' names joined to rows of records, whose patient and author are `on`'s columns. */
function joinParties<T extends PgSelect>(query: T, on: { patientId: AnyColumn; doctorId: AnyColumn }) {
  return query
    .innerJoin(patients, eq(patients.id, on.patientId))
    .innerJoin(patientUsers, eq(patientUsers.id, patients.userId))
    .leftJoin(doctors, eq(doctors.id, on.doctorId))
    .leftJoin(doctorUsers, eq(doctorUsers.id, doctors.userId));
}

/**
 * Records with their patient's and author doctor's names, in one query. Callers add their WHERE
 * (with `medicalRecordVisibleTo`), ORDER BY and LIMIT.
 */
export const selectRecordRows = (db: Executor) =>
  joinParties(
    db
      .select({ record: getTableColumns(medicalRecords), ...names })
      .from(medicalRecords)
      .$dynamic(),
    medicalRecords,
  );

/**
 * The same rows for a list's page: `page` is a CTE of records (`{ record }`, lists.service.ts)
 * whose rows alone are joined to the names, after the page is cut.
 */
export function selectPageRows(
  query: Pick<Executor, "select">,
  page: WithSubqueryWithSelection<{ record: typeof medicalRecords._.columns }, "page">,
) {
  return joinParties(
    query
      .select({ record: page.record, ...names })
      .from(page)
      .$dynamic(),
    page.record,
  );
}

export interface RecordRow {
  record: MedicalRecord;
  patient: { firstName: string; lastName: string };
  /** Null names for a patient's note, which has no doctor. */
  doctor: { firstName: string | null; lastName: string | null };
}

/**
 * The DTO of a row, its text decrypted: a PHI read the caller audits in its transaction. Throws
 * RecordTextUnreadable for a value that does not decrypt.
 */
export function toRecordDto(
  cipher: FieldCipher,
  { record: r, patient, doctor }: RecordRow,
): MedicalRecordDto {
  const text = openContent(
    cipher,
    RECORD_CONTENT,
    { rowId: r.id, recordId: r.id, patientId: r.patientId },
    r.content,
  );
  const reason = openDeletionReason(cipher, r, r.deletionReason);
  return {
    id: r.id,
    kind: r.kind,
    patient: { id: r.patientId, ...patient },
    doctor:
      r.doctorId && doctor.firstName !== null && doctor.lastName !== null
        ? { id: r.doctorId, firstName: doctor.firstName, lastName: doctor.lastName }
        : null,
    appointmentId: r.appointmentId,
    ...text,
    followUpDate: r.followUpDate,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    deletion:
      r.deletedAt && r.deletedBy && r.deletedByRole && reason !== null
        ? { by: { userId: r.deletedBy, role: r.deletedByRole }, at: r.deletedAt, reason }
        : null,
  };
}

export function toVersionDto(
  cipher: FieldCipher,
  record: { id: string; patientId: string },
  v: MedicalRecordVersion,
): MedicalRecordVersionDto {
  const text = openContent(
    cipher,
    VERSION_CONTENT,
    { rowId: v.id, recordId: record.id, patientId: record.patientId },
    v.content,
  );
  return {
    id: v.id,
    recordId: v.recordId,
    version: v.version,
    appointmentId: v.appointmentId,
    ...text,
    followUpDate: v.followUpDate,
    editedBy: { userId: v.editedBy, role: v.editedByRole },
    editedAt: v.editedAt,
  };
}
