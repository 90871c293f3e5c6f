import { type Patient, SEXES, type User } from "@medical/db/schema";
import { z } from "zod";
import type { Actor } from "#platform/auth/actor.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";

export const BLOOD_TYPES = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"] as const;
export type BloodType = (typeof BLOOD_TYPES)[number];

/** PHI: present in an answer only for the patient, a treating doctor and ADMIN. */
export const ZClinicalDto = z
  .object({
    bloodType: z.enum(BLOOD_TYPES).nullable(),
    allergies: z.array(z.string()),
    chronicConditions: z.array(z.string()),
    currentMedications: z.array(z.string()),
  })
  .meta({
    id: "Clinical",
    description: "Clinical fields: for the patient, a treating doctor and ADMIN only",
  });
export type ClinicalDto = z.infer<typeof ZClinicalDto>;

export const ZEmergencyContactDto = z
  .object({
    name: z.string().nullable(),
    relation: z.string().nullable(),
    phone: z.string().nullable(),
  })
  .meta({ id: "EmergencyContact", description: "Whom to call for the patient" });

const ZPatient = z.object({
  id: z.uuid(),
  userId: z
    .uuid()
    .optional()
    .describe("The patient's account (the users id): for ADMIN, STAFF and the patient; absent for doctors"),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().nullable(),
  dateOfBirth: z.iso.date(),
  sex: z.enum(SEXES),
  addressLine: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().meta({ description: "ISO 3166-1 alpha-2" }),
  emergencyContact: ZEmergencyContactDto.nullable(),
  showNameOnReviews: z.boolean(),
  isActive: z.boolean(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
  clinical: ZClinicalDto.optional(),
});

/** The document's example profile as its owner reads it: the account id and clinical fields shown. */
export const patientExample: z.infer<typeof ZPatient> & { userId: string; clinical: ClinicalDto } = {
  id: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05",
  userId: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37",
  firstName: "Yacine",
  lastName: "Haddad",
  phone: "+213551234567",
  dateOfBirth: "1988-04-17",
  sex: "MALE",
  addressLine: "3, rue Larbi Ben M'hidi",
  city: "Oran",
  country: "DZ",
  emergencyContact: { name: "Nadia Haddad", relation: "Sœur", phone: "+213661234567" },
  showNameOnReviews: false,
  isActive: true,
  createdAt: new Date("2026-11-02T09:20:00.000Z"),
  updatedAt: new Date("2026-11-18T14:05:00.000Z"),
  clinical: {
    bloodType: "O+",
    allergies: ["Pénicilline"],
    chronicConditions: [],
    currentMedications: [],
  },
};

/**
 * A patient profile with the account's names and phone. `clinical` is omitted (the key is absent,
 * not null) unless the caller may see clinical fields; lists never carry it.
 */
export const ZPatientDto = named(ZPatient, "Patient", {
  description:
    "A patient profile with the account's names and phone. `clinical` is absent unless the caller may see it; lists never carry it",
  example: patientExample,
});
export type PatientDto = z.infer<typeof ZPatientDto>;

/** A patients row with the account fields its DTO shows (see `patientRowColumns`). */
export type PatientRow = Patient & Pick<User, "firstName" | "lastName" | "phone">;

/**
 * Staff and admins need the account to manage it (sessions, deactivation); the patient sees their
 * own. A doctor treats the profile and has no use for the account id.
 */
function seesAccount(actor: Pick<Actor, "role">): boolean {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
    case "PATIENT":
      return true;
    case "DOCTOR":
      return false;
  }
}

export function toPatientDto(
  row: PatientRow,
  actor: Pick<Actor, "role">,
  clinical?: ClinicalDto,
): PatientDto {
  const hasContact = row.emergencyContactName ?? row.emergencyContactRelation ?? row.emergencyContactPhone;
  return {
    id: row.id,
    ...(seesAccount(actor) ? { userId: row.userId } : {}),
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    addressLine: row.addressLine,
    city: row.city,
    country: row.country,
    emergencyContact:
      hasContact === null
        ? null
        : {
            name: row.emergencyContactName,
            relation: row.emergencyContactRelation,
            phone: row.emergencyContactPhone,
          },
    showNameOnReviews: row.showNameOnReviews,
    isActive: row.isActive,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(clinical ? { clinical } : {}),
  };
}
