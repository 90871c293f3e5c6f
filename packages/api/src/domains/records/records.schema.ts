import { MEDICAL_RECORD_KINDS } from "@medical/db/schema";
import { z } from "zod";
import { INT4_MAX, requireAChange, text } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { recordList, versionList } from "./lists.service.ts";
import { ZMedicalRecordDto, ZMedicalRecordVersionDto } from "./record-dto.ts";

const route = routeMeta(["medical-records"]);

const audited = "Every read is audited with the ids it returned, refused attempts too.";
const listed = `Keyset pages, newest first by default (\`sort=createdAt|updatedAt\`, \`order\`; \`nextCursor\` for the next page). Items carry the full record (PHI). Deleted records are not listed. ${audited}`;
const readers =
  "Its patient, the doctors who treat the patient (scheduling's care relationship: a SCHEDULED, COMPLETED or NO_SHOW appointment), the doctor who wrote it even after the care relationship ended, and ADMIN; anyone else gets NOT_FOUND, as for a record that does not exist. STAFF: 403. A deleted record is NOT_FOUND for all but ADMIN, who sees its `deletion`.";
const changers =
  "Its author (a doctor their own clinical entry while they treat the patient, else 403; a patient their own history note, never a clinical entry: 403), or ADMIN; a doctor never changes a patient's note nor another doctor's entry (403).";

/** The REST route of each procedure. Literal paths come before `/medical-records/{id}`. */
export const recordRoutes = {
  mine: route("GET", "/medical-records/me", "The caller's medical file (PATIENT)", {
    description: `Clinical entries and the caller's own history notes. Empty until the caller has a patient profile. ${listed}`,
  }),
  addMine: route(
    "POST",
    "/medical-records/me",
    "Add a history note to the caller's file (PATIENT), marked as patient-reported",
    {
      description:
        "The note is a PATIENT_REPORTED record: always marked so, never editable by a doctor; the patient may edit (with versions) or delete it. 409 PROFILE_REQUIRED without a patient profile.",
      errors: ["PROFILE_REQUIRED"],
      successStatus: 201,
      successMessage: "History note added",
    },
  ),
  doctorMine: route(
    "GET",
    "/medical-records/doctor/me",
    "Records of the patients the caller treats, and those they wrote (DOCTOR)",
    {
      description: `\`authoredByMe=true\` narrows to the caller's own entries (those of former patients included), \`false\` to the others'; \`patientId\` to one patient's file. ${listed}`,
    },
  ),
  create: route(
    "POST",
    "/medical-records",
    "Write a clinical record for a patient the caller treats (DOCTOR)",
    {
      description:
        "The patient must be one the doctor treats (else NOT_FOUND). `appointmentId`, when given, must be an appointment of the doctor with that patient that is not cancelled (else 400 naming `appointmentId`). At least one of `diagnoses`, `treatmentPlan`, `prescriptions`, `clinicalNotes`. Clinical text is encrypted at rest; the write is audited and published as `medical_record.created`.",
      errors: ["NOT_FOUND", "PROFILE_REQUIRED"],
      successStatus: 201,
      successMessage: "Medical record created",
    },
  ),
  get: route("GET", "/medical-records/{id}", "One medical record", {
    description: `${readers} ${audited}`,
    errors: ["NOT_FOUND"],
  }),
  update: route("PATCH", "/medical-records/{id}", "Edit a medical record: a new version", {
    description: `${changers} Send the \`version\` you read: if the record changed since, 409 STALE_VERSION and nothing is written (two editors never overwrite each other silently). A field absent is kept; every edit keeps the previous version (\`GET /medical-records/{id}/versions\`). Clinical fields on a patient's note, or \`note\` on a clinical entry, are 400. A deleted record cannot change (409 CONFLICT for ADMIN, NOT_FOUND for the others).`,
    errors: ["NOT_FOUND", "STALE_VERSION", "CONFLICT"],
    successMessage: "Medical record updated",
  }),
  delete: route("DELETE", "/medical-records/{id}", "Delete a medical record, with a reason (kept, hidden)", {
    description: `${changers} A soft delete: the record and its versions stay in the database with who deleted it, when and why (\`reason\`, encrypted), hidden from everyone but ADMIN. Deleting it again: 409 CONFLICT (ADMIN).`,
    errors: ["NOT_FOUND", "CONFLICT"],
    successMessage: "Medical record deleted",
  }),
  versions: route("GET", "/medical-records/{id}/versions", "Every version of a record, newest first", {
    description: `Its author, its patient and ADMIN; a doctor who reads the record without having written it gets NOT_FOUND, like anyone who cannot read the record. Keyset pages by version. ${audited}`,
    errors: ["NOT_FOUND"],
  }),
};

/** An ICD-10 code's shape: a letter, two characters, then up to four after a dot (`J45`, `J45.909`, `S52.521A`). */
const ZIcd10 = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, "Expected an ICD-10 code such as J45.9");

const ZDiagnosisInput = z.strictObject({
  code: ZIcd10.nullable().optional(),
  description: text(500, { min: 1 }),
});

const ZPrescriptionInput = z.strictObject({
  medication: text(200, { min: 1 }),
  dosage: text(100, { min: 1 }),
  route: text(50, { min: 1 }),
  frequency: text(100, { min: 1 }),
  duration: text(100, { min: 1 }).nullable().optional(),
  instructions: text(1000, { min: 1 }).nullable().optional(),
});

export const MAX_DIAGNOSES = 20;
export const MAX_PRESCRIPTIONS = 30;

/** What a clinical record holds, all optional: a create needs one of the texts, a PATCH any field. */
const clinicalFields = {
  appointmentId: z.uuid().nullable().optional(),
  diagnoses: z.array(ZDiagnosisInput).max(MAX_DIAGNOSES).optional(),
  treatmentPlan: text(5000, { min: 1 }).nullable().optional(),
  prescriptions: z.array(ZPrescriptionInput).max(MAX_PRESCRIPTIONS).optional(),
  clinicalNotes: text(10_000, { min: 1 }).nullable().optional(),
  followUpDate: z.iso.date().nullable().optional(),
};
export type ClinicalChanges = z.infer<z.ZodObject<typeof clinicalFields>>;

const ZNote = text(5000, { min: 1 }).meta({
  description: "The patient's own words (PHI: encrypted at rest)",
});

const clinicalExample = {
  patientId: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05",
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
};

export const ZCreateRecordInput = named(
  z
    .strictObject({ patientId: z.uuid(), ...clinicalFields })
    .refine(
      (input) =>
        Boolean(
          input.diagnoses?.length ||
            input.treatmentPlan ||
            input.prescriptions?.length ||
            input.clinicalNotes,
        ),
      "Write at least one of diagnoses, treatmentPlan, prescriptions or clinicalNotes",
    ),
  "CreateMedicalRecordInput",
  {
    description:
      "A clinical record for a patient the doctor treats: diagnoses (ICD-10 codes checked for shape), treatment plan, prescriptions, clinical notes, follow-up date",
    example: clinicalExample,
  },
);
export type CreateRecordInput = z.infer<typeof ZCreateRecordInput>;

export const ZAddNoteInput = named(z.strictObject({ note: ZNote }), "AddHistoryNoteInput", {
  description: "A history note in the patient's own words",
  example: { note: "Appendicectomie en 2012 ; allergie à la pénicilline depuis l'enfance." },
});

export const ZUpdateRecordInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      version: z
        .number()
        .int()
        .min(1)
        .max(INT4_MAX)
        .meta({ description: "The version you read (409 STALE_VERSION if the record changed since)" }),
      ...clinicalFields,
      note: ZNote.optional(),
    }),
    "id",
    "version",
  ),
  "UpdateMedicalRecordInput",
  {
    description:
      "The `version` read and the fields to change (at least one): clinical fields on a CLINICAL record, `note` on a PATIENT_REPORTED one",
    example: {
      id: "9d2e4f6a-1b3c-4d5e-8f7a-2b4c6d8e0f13",
      version: 1,
      treatmentPlan: "Traitement de fond inhalé renforcé, contrôle dans six semaines",
      followUpDate: "2027-01-15",
    },
  },
);
export type UpdateRecordInput = z.infer<typeof ZUpdateRecordInput>;

export const ZDeleteRecordInput = z.strictObject({
  id: z.uuid(),
  reason: text(500, { min: 3 }).meta({
    description: "Why the record is deleted (a DELETE has no body; encrypted at rest)",
  }),
});

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
const filters = {
  kind: z
    .enum(MEDICAL_RECORD_KINDS)
    .meta({ description: "Clinical entries only, or the patient's own notes only" })
    .optional(),
  appointmentId: z.uuid().meta({ description: "The records about one appointment" }).optional(),
};

export const ZMyRecordsInput = recordList.input.extend(filters);

export const ZDoctorRecordsInput = recordList.input.extend({
  ...filters,
  patientId: z.uuid().meta({ description: "One patient's records" }).optional(),
  authoredByMe: z
    .boolean()
    .meta({ description: "`true`: only the records the caller wrote; `false`: only the others'" })
    .optional(),
});

export const ZVersionsInput = versionList.input.extend({ id: z.uuid() });

export const ZMedicalRecordPage = pageOf(ZMedicalRecordDto, "MedicalRecordPage");
export const ZMedicalRecordVersionPage = pageOf(ZMedicalRecordVersionDto, "MedicalRecordVersionPage");
