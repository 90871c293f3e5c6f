import { SEXES } from "@medical/db/schema";
import { z } from "zod";
import { invalidField } from "#platform/errors/errors.ts";
import { requireAChange, text, ZCountry, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { patientList } from "./list.service.ts";
import type { CreatePatientInput } from "./manage.service.ts";
import { BLOOD_TYPES, ZPatientDto } from "./patient-dto.ts";

const route = routeMeta(["patients"]);

/** The REST route of each procedure. */
export const patientRoutes = {
  me: route("GET", "/patients/me", "The caller's patient profile (PATIENT); 404 until it is created", {
    errors: ["NOT_FOUND"],
  }),
  createMe: route("POST", "/patients/me", "Create the caller's patient profile (PATIENT, once)", {
    errors: ["CONFLICT"],
    successStatus: 201,
    successMessage: "Patient profile created",
  }),
  updateMe: route("PATCH", "/patients/me", "Change the caller's patient profile (PATIENT)", {
    description: "A field absent from the body is kept; inside `clinical`, each field present replaces it.",
    errors: ["NOT_FOUND"],
    successMessage: "Patient profile updated",
  }),
  list: route("GET", "/patients", "List patients (ADMIN, STAFF; a DOCTOR the patients they treat)", {
    description:
      "Items never carry clinical fields. Deactivated profiles are listed only with `isActive=false`.",
  }),
  create: route("POST", "/patients", "Create a patient profile (ADMIN, STAFF)", {
    description:
      "Either `userId` (a PATIENT account without a profile) or `email`, `firstName` and `lastName` " +
      "(creates the account too, and mails an invitation). Clinical fields: ADMIN only.",
    errors: ["EMAIL_TAKEN", "CONFLICT"],
    successStatus: 201,
    successMessage: "Patient profile created",
  }),
  get: route(
    "GET",
    "/patients/{id}",
    "One patient profile; clinical fields for the patient, a treating doctor and ADMIN",
    { errors: ["NOT_FOUND"] },
  ),
  update: route(
    "PATCH",
    "/patients/{id}",
    "Change a patient profile (STAFF: demographics and contact only; ADMIN; the patient)",
    { errors: ["NOT_FOUND"], successMessage: "Patient profile updated" },
  ),
  delete: route("DELETE", "/patients/{id}", "Deactivate a patient profile; the account stays (ADMIN)", {
    errors: ["NOT_FOUND"],
    successMessage: "Patient profile deactivated",
  }),
};

/** The latest calendar date anywhere (UTC+14), so nobody born "today" in their zone is refused. */
const latestDateToday = () => new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10);

export const ZDateOfBirth = z.iso
  .date()
  .refine((date) => date >= "1900-01-01", "Expected a date of birth after 1900-01-01")
  .refine((date) => date <= latestDateToday(), "A date of birth cannot be in the future");

const ZShortList = z.array(text(200, { min: 1 })).max(50);
const ZOptionalText = (max: number) => text(max, { min: 1 }).nullable();

export const ZClinicalInput = z.strictObject({
  bloodType: z.enum(BLOOD_TYPES).nullable().optional(),
  allergies: ZShortList.optional(),
  chronicConditions: ZShortList.optional(),
  currentMedications: ZShortList.optional(),
});

const ZEmergencyContactInput = z.strictObject({
  name: text(200, { min: 1 }),
  relation: text(50, { min: 1 }),
  phone: ZPhone,
});

/** Demographics and contact of the profile itself (STAFF may write these). */
const demographics = {
  dateOfBirth: ZDateOfBirth,
  sex: z.enum(SEXES).optional(),
  addressLine: ZOptionalText(200).optional(),
  city: ZOptionalText(100).optional(),
  country: ZCountry.optional(),
  emergencyContact: ZEmergencyContactInput.nullable().optional(),
};
const partialDemographics = { ...demographics, dateOfBirth: ZDateOfBirth.optional() };
const clinical = { clinical: ZClinicalInput.optional() };
/** The account's names and phone, which front desk and ADMIN correct through the profile. */
const accountFields = {
  firstName: ZName.optional(),
  lastName: ZName.optional(),
  phone: ZPhone.nullable().optional(),
};

/** What the document's examples of a profile write carry. */
const demographicsExample = {
  dateOfBirth: "1988-04-17",
  sex: "MALE",
  addressLine: "3, rue Larbi Ben M'hidi",
  city: "Oran",
  country: "DZ",
  emergencyContact: { name: "Nadia Haddad", relation: "Sœur", phone: "+213661234567" },
} as const;
const changeExample = { city: "Alger", clinical: { allergies: ["Pénicilline"] } };

export const ZCreateMeInput = named(
  z.strictObject({
    ...demographics,
    showNameOnReviews: z.boolean().optional(),
    ...clinical,
  }),
  "CreateMyPatientProfileInput",
  {
    description: "The calling patient's profile",
    example: { ...demographicsExample, showNameOnReviews: false, clinical: { bloodType: "O+" } },
  },
);
export const ZUpdateMeInput = named(
  requireAChange(
    z.strictObject({
      ...partialDemographics,
      showNameOnReviews: z.boolean().optional(),
      ...clinical,
    }),
  ),
  "UpdateMyPatientProfileInput",
  { description: "The fields to change (at least one)", example: changeExample },
);

const ZCreatePatient = z
  .strictObject({
    userId: z.uuid().optional(),
    email: ZEmail.optional(),
    ...accountFields,
    locale: ZLocale.optional(),
    ...demographics,
    ...clinical,
  })
  .superRefine((input, ctx) => {
    const newAccount = [input.email, input.firstName, input.lastName, input.phone, input.locale];
    if (input.userId !== undefined && newAccount.some((value) => value !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["userId"],
        message: "Give either userId or the new account's email and names, not both",
      });
    } else if (input.userId === undefined && (!input.email || !input.firstName || !input.lastName)) {
      ctx.addIssue({
        code: "custom",
        path: ["email"],
        message: "Give userId, or email, firstName and lastName for a new account",
      });
    }
  });
export const ZCreatePatientInput = named(ZCreatePatient, "CreatePatientInput", {
  description:
    "A profile with either `userId` (a PATIENT account without one) or `email` and names (a new invited account)",
  example: {
    email: "yacine.haddad@example.dz",
    firstName: "Yacine",
    lastName: "Haddad",
    phone: "+213551234567",
    ...demographicsExample,
  },
});
export type TCreatePatientInput = z.infer<typeof ZCreatePatientInput>;

/** The validated body as the service's owner and profile (the refinement above guarantees one owner). */
export function toCreatePatientInput(input: TCreatePatientInput): CreatePatientInput {
  const { userId, email, firstName, lastName, phone, locale, ...profile } = input;
  if (userId !== undefined) return { owner: { userId }, profile };
  if (email === undefined || firstName === undefined || lastName === undefined)
    throw invalidField(["email"], "email, firstName and lastName are required");
  return { owner: { email, firstName, lastName, phone, locale }, profile };
}

export const ZUpdatePatientInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      ...accountFields,
      ...partialDemographics,
      ...clinical,
    }),
    "id",
  ),
  "UpdatePatientInput",
  {
    description: "The fields to change (at least one); STAFF may not send `clinical`",
    example: { id: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05", phone: "+213551234568", city: "Alger" },
  },
);

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZListPatientsInput = patientList.input.extend({
  q: text(100, { min: 1 })
    .meta({ description: "Text within the names or email, accent- and case-insensitive" })
    .optional(),
  city: text(100, { min: 1 })
    .meta({ description: "The whole city name, accent- and case-insensitive" })
    .optional(),
  isActive: z
    .boolean()
    .meta({ description: "Deactivated profiles (false) instead of active ones (default)" })
    .optional(),
});

export const ZPatientPage = pageOf(ZPatientDto, "PatientPage");
