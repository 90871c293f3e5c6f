import { type Patient, SEXES, type User } from "@medical/db/schema";
import { z } from "zod";
import type { Actor } from "#platform/auth/actor.ts";

export const BLOOD_TYPES = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"] as const;
export type BloodType = (typeof BLOOD_TYPES)[number];

/** PHI: present in an answer only for the patient, a treating doctor and ADMIN. */
export const ZClinicalDto = z.object({
  bloodType: z.enum(BLOOD_TYPES).nullable(),
  allergies: z.array(z.string()),
  chronicConditions: z.array(z.string()),
  currentMedications: z.array(z.string()),
});
export type ClinicalDto = z.infer<typeof ZClinicalDto>;

export const ZEmergencyContactDto = z.object({
  name: z.string().nullable(),
  relation: z.string().nullable(),
  phone: z.string().nullable(),
});

/**
 * A patient profile with the account's names and phone. `clinical` is omitted (the key is absent,
 * not null) unless the caller may see clinical fields; lists never carry it.
 */
export const ZPatientDto = z.object({
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
  country: z.string(),
  emergencyContact: ZEmergencyContactDto.nullable(),
  showNameOnReviews: z.boolean(),
  isActive: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
  clinical: ZClinicalDto.optional(),
});
export type PatientDto = z.infer<typeof ZPatientDto>;

/** A patients row with the account fields its DTO shows (see `patientRowColumns`). */
export type PatientRow = Patient & Pick<User, "firstName" | "lastName" | "phone">;

/**
 * Staff and admins need the account to manage it (sessions, deactivation); the patient sees their
 * own. A doctor treats the profile and has no use for the account id.
 */
function seesAccount(actor: Actor): boolean {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
    case "PATIENT":
      return true;
    case "DOCTOR":
      return false;
  }
}

export function toPatientDto(row: PatientRow, actor: Actor, clinical?: ClinicalDto): PatientDto {
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
