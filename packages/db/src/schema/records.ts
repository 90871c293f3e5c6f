import { sql } from "drizzle-orm";
import { check, index, pgTable, uniqueIndex } from "drizzle-orm/pg-core";
import { appointments } from "./appointments.ts";
import { id, ref, timestamptz } from "./columns.ts";
import { doctors } from "./doctors.ts";
import { patients } from "./patients.ts";
import { type Role, users } from "./users.ts";

export const MEDICAL_RECORD_KINDS = ["CLINICAL", "PATIENT_REPORTED"] as const;
export type MedicalRecordKind = (typeof MEDICAL_RECORD_KINDS)[number];

/**
 * One entry of a patient's medical file: CLINICAL (written by the doctor `doctor_id`, possibly
 * about one of their appointments with the patient) or PATIENT_REPORTED (a history note the
 * patient wrote; no doctor). The current version of the entry: `content` is its free text
 * (diagnoses, treatment plan, prescriptions, clinical notes, or the patient's note) as one
 * AES-256-GCM document bound to this table, column and row, like the patients' clinical data;
 * `follow_up_date` is structured and stays clear. Every version, this one included, is also a row
 * of `medical_record_versions`.
 *
 * Never deleted (drizzle/0012 refuses DELETE and TRUNCATE): a deletion is `deleted_at` with who,
 * and why (`deletion_reason`, encrypted like the content).
 */
export const medicalRecords = pgTable(
  "medical_records",
  (t) => ({
    id: id(),
    patientId: ref(() => patients.id),
    kind: t.varchar({ length: 20 }).notNull().$type<MedicalRecordKind>(),
    /** The author of a CLINICAL record; null for a PATIENT_REPORTED one (its author is the patient). */
    doctorId: t.uuid().references(() => doctors.id),
    appointmentId: t.uuid().references(() => appointments.id),
    /** 1 at creation, one more at each edit: a PATCH names the version it read. */
    version: t.integer().notNull().default(1),
    content: t.text().notNull(),
    followUpDate: t.date({ mode: "string" }),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
    deletedAt: timestamptz(),
    deletedBy: t.uuid().references(() => users.id),
    /** The deleter's role at the time. */
    deletedByRole: t.varchar({ length: 20 }).$type<Role>(),
    deletionReason: t.text(),
  }),
  (t) => [
    // Keyset pages (newest first by default) of a patient's file and of a doctor's own entries.
    index("medical_records_patient_created").on(t.patientId, t.createdAt, t.id),
    index("medical_records_patient_updated").on(t.patientId, t.updatedAt, t.id),
    index("medical_records_doctor_created").on(t.doctorId, t.createdAt, t.id),
    index("medical_records_doctor_updated").on(t.doctorId, t.updatedAt, t.id),
    // Every record in the list's order: a large practice's view walks it (docs/decisions/0029).
    index("medical_records_created").on(t.createdAt, t.id),
    index("medical_records_updated").on(t.updatedAt, t.id),
    check("medical_records_kind", sql`${t.kind} in ('CLINICAL', 'PATIENT_REPORTED')`),
    check(
      "medical_records_author",
      sql`(${t.kind} = 'CLINICAL') = (${t.doctorId} is not null) and (${t.appointmentId} is null or ${t.kind} = 'CLINICAL')`,
    ),
    check("medical_records_version", sql`${t.version} >= 1`),
    check(
      "medical_records_deletion",
      sql`(${t.deletedAt} is null) = (${t.deletedBy} is null and ${t.deletedByRole} is null and ${t.deletionReason} is null)`,
    ),
  ],
);

/**
 * Every version of every record, the current one included, as it was written: its content
 * (encrypted, bound to this table, column and row), follow-up date and appointment, who wrote it
 * (account and role at the time) and when. Append-only (drizzle/0012): only `content` may be
 * rewritten, by a key rotation.
 */
export const medicalRecordVersions = pgTable(
  "medical_record_versions",
  (t) => ({
    id: id(),
    recordId: ref(() => medicalRecords.id),
    version: t.integer().notNull(),
    content: t.text().notNull(),
    followUpDate: t.date({ mode: "string" }),
    appointmentId: t.uuid().references(() => appointments.id),
    editedBy: ref(() => users.id),
    editedByRole: t.varchar({ length: 20 }).notNull().$type<Role>(),
    editedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    uniqueIndex("medical_record_versions_record_version").on(t.recordId, t.version),
    check("medical_record_versions_version", sql`${t.version} >= 1`),
  ],
);

export type MedicalRecord = typeof medicalRecords.$inferSelect;
export type NewMedicalRecord = typeof medicalRecords.$inferInsert;
export type MedicalRecordVersion = typeof medicalRecordVersions.$inferSelect;
