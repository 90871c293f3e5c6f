import { z } from "zod";
import { accessLogExportPart } from "#domains/audit/public.ts";
import { billingExportPart } from "#domains/billing/public.ts";
import { favoritesExportPart } from "#domains/favorites/public.ts";
import { accountExportPart } from "#domains/identity/public.ts";
import { notificationsExportPart } from "#domains/notifications/public.ts";
import { patientExportPart } from "#domains/patients/public.ts";
import { medicalRecordsExportPart } from "#domains/records/public.ts";
import { reviewsExportPart } from "#domains/reviews/public.ts";
import { appointmentsExportPart } from "#domains/scheduling/public.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

/**
 * The document's version: raised when a section changes in a way a reader of older documents would
 * misread (a field renamed or removed, a meaning changed); a new section or field keeps it.
 */
export const EXPORT_SCHEMA_VERSION = 1;

/**
 * The sections of the export, in the document's order, each a domain's part (its `public.ts`).
 * A later domain (chat) adds its part here and touches no other domain; the
 * document's schema and the export service follow this table.
 */
export const exportParts = {
  account: accountExportPart,
  patient: patientExportPart,
  appointments: appointmentsExportPart,
  medicalRecords: medicalRecordsExportPart,
  billing: billingExportPart,
  reviews: reviewsExportPart,
  favorites: favoritesExportPart,
  accessLog: accessLogExportPart,
  notifications: notificationsExportPart,
};

const route = routeMeta(["patients"]);

/** The REST answer's download header (the tRPC answer is the same document, without it). */
const attachment = z.object({
  "Content-Disposition": z.string().meta({
    description: 'Saves the answer as a file: `attachment; filename="patient-export-<patient id>.json"`',
    example: 'attachment; filename="patient-export-3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05.json"',
  }),
});

const exported =
  "One JSON document (`PatientExport`), in the envelope like every answer, with `Content-Disposition: attachment` so a browser saves it: the account (email, names, phone, locale, role; never a password hash or a token), the profile with its clinical fields, every appointment with its reason and history, every medical record with all its versions (deleted ones included, marked), billing entries, insurance policies and claims, the reviews the patient wrote (hidden ones included), their favourite doctors, the access log and their notifications — decrypted, read from one consistent snapshot. The export is audited as one `patient.export` event (with the number of items per section), and listed in the patient's access log.";
const limited =
  "Exports are heavy: each user gets a few in a window (`RATE_LIMIT_EXPORT`, default 5 in 10 minutes), then 429 RATE_LIMITED with `Retry-After`.";

/** The REST routes: literal `/patients/me/export` comes before `/patients/{id}/export` (root.ts). */
export const exportRoutes = {
  exportMe: route("GET", "/patients/me/export", "Everything the clinic holds about the caller (PATIENT)", {
    description: `${exported} ${limited} 404 until the caller has a patient profile.`,
    errors: ["NOT_FOUND", "RATE_LIMITED"],
    responseHeaders: attachment,
    successMessage: "Your data export",
  }),
  exportPatient: route(
    "GET",
    "/patients/{id}/export",
    "Everything the clinic holds about a patient (ADMIN)",
    {
      description: `${exported} ${limited} Any other role gets 403 (the patient exports their own at \`/patients/me/export\`), an unknown id 404.`,
      errors: ["NOT_FOUND", "RATE_LIMITED"],
      successMessage: "Patient data export",
    },
  ),
};

export const ZExportPatientInput = z.strictObject({ id: z.uuid() });

export const ZPatientExport = named(
  z.object({
    schemaVersion: z.literal(EXPORT_SCHEMA_VERSION).meta({
      description: "The document's format: a reader checks it before reading the sections",
    }),
    exportedAt: ZTimestamp.meta({ description: "The instant of the snapshot the document was read from" }),
    account: exportParts.account.schema,
    patient: exportParts.patient.schema,
    appointments: exportParts.appointments.schema,
    medicalRecords: exportParts.medicalRecords.schema,
    billing: exportParts.billing.schema,
    reviews: exportParts.reviews.schema,
    favorites: exportParts.favorites.schema,
    accessLog: exportParts.accessLog.schema,
    notifications: exportParts.notifications.schema,
  }),
  "PatientExport",
  {
    description:
      "Everything the clinic holds about one patient, as the API answers each part, decrypted; every list oldest first",
    example: {
      schemaVersion: EXPORT_SCHEMA_VERSION,
      exportedAt: new Date("2026-12-02T10:00:00.000Z"),
      account: exportParts.account.example,
      patient: exportParts.patient.example,
      appointments: exportParts.appointments.example,
      medicalRecords: exportParts.medicalRecords.example,
      billing: exportParts.billing.example,
      reviews: exportParts.reviews.example,
      favorites: exportParts.favorites.example,
      accessLog: exportParts.accessLog.example,
      notifications: exportParts.notifications.example,
    },
  },
);
export type PatientExport = z.infer<typeof ZPatientExport>;
