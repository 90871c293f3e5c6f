import { z } from "zod";
import { requireAChange, text, ZCountry, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { ZMoney } from "#platform/fields/money.ts";
import { ZTimeZone } from "#platform/fields/time-zone.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import {
  doctorExample,
  ZAppointmentMinutes,
  ZBookingHorizonDays,
  ZMinNoticeMinutes,
  ZYearsOfExperience,
} from "./doctor-dto.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each profile procedure. */
export const profileRoutes = {
  myProfile: route("GET", "/doctors/me/profile", "The calling doctor's profile", { errors: ["NOT_FOUND"] }),
  createMyProfile: route("POST", "/doctors/me/profile", "Create the calling doctor's profile", {
    errors: ["CONFLICT"],
    successStatus: 201,
    successMessage: "Profile created",
  }),
  updateMyProfile: route("PATCH", "/doctors/me/profile", "Change the calling doctor's profile", {
    errors: ["NOT_FOUND"],
    successMessage: "Profile updated",
  }),
  create: route(
    "POST",
    "/doctors",
    "Create a doctor profile, with a new invited account or for an existing one (admin)",
    { errors: ["EMAIL_TAKEN", "CONFLICT"], successStatus: 201, successMessage: "Doctor created" },
  ),
  update: route("PATCH", "/doctors/{id}", "Change a doctor's profile (admin)", {
    errors: ["NOT_FOUND"],
    successMessage: "Doctor updated",
  }),
  delete: route("DELETE", "/doctors/{id}", "Deactivate a doctor profile (admin)", {
    errors: ["NOT_FOUND"],
    successMessage: "Doctor deactivated",
  }),
};

const profileFields = {
  bio: text(2000).nullable().optional(),
  yearsOfExperience: ZYearsOfExperience.optional(),
  clinicName: text(200).nullable().optional(),
  clinicAddress: text(300).nullable().optional(),
  city: text(100, { min: 1 }).optional(),
  country: ZCountry.optional(),
  fee: ZMoney.optional(),
  languages: z.array(ZLocale).max(10).optional(),
  timezone: ZTimeZone.optional(),
  appointmentMinutes: ZAppointmentMinutes.optional(),
  minNoticeMinutes: ZMinNoticeMinutes.optional(),
  bookingHorizonDays: ZBookingHorizonDays.optional(),
  clinicPhone: ZPhone.nullable().optional(),
  specialtyIds: z.array(z.uuid()).min(1).max(5).optional(),
};
const required = {
  city: profileFields.city.unwrap(),
  fee: ZMoney,
  specialtyIds: z.array(z.uuid()).min(1).max(5),
};

/** The document's examples of a profile write: what wrote the example doctor. */
const { id: doctorId, firstName, lastName, specialties, rating: _rating, ...written } = doctorExample;
const profileExample = { ...written, specialtyIds: specialties.map((specialty) => specialty.id) };
const changeExample = {
  fee: { amountMinor: 350_000, currency: "DZD" },
  appointmentMinutes: 20,
  minNoticeMinutes: 120,
};

export const ZUpdateMyProfileInput = named(
  requireAChange(z.strictObject(profileFields)),
  "UpdateMyDoctorProfileInput",
  { description: "The fields to change (at least one)", example: changeExample },
);
export const ZCreateMyProfileInput = named(
  z.strictObject({ ...profileFields, ...required }),
  "CreateMyDoctorProfileInput",
  { description: "The calling doctor's profile", example: profileExample },
);
export const ZUpdateDoctorInput = named(
  requireAChange(z.strictObject({ id: z.uuid(), ...profileFields }), "id"),
  "UpdateDoctorInput",
  { description: "The fields to change (at least one)", example: { id: doctorId, ...changeExample } },
);
const ZCreateDoctor = z
  .strictObject({
    ...profileFields,
    ...required,
    userId: z.uuid().optional(),
    email: ZEmail.optional(),
    firstName: ZName.optional(),
    lastName: ZName.optional(),
    phone: ZPhone.optional(),
    locale: ZLocale.optional(),
  })
  .refine((input) => (input.userId === undefined) !== (input.email === undefined), {
    message: "Give either userId (an existing DOCTOR account) or email with names (a new invited account)",
    path: ["userId"],
  })
  .refine((input) => input.email === undefined || (input.firstName && input.lastName), {
    message: "A new account needs firstName and lastName",
    path: ["firstName"],
  });
export const ZCreateDoctorInput = named(ZCreateDoctor, "CreateDoctorInput", {
  description:
    "A profile with either `userId` (an existing DOCTOR account without one) or `email` and names (a new invited account)",
  example: {
    ...profileExample,
    email: "amina.benali@example.dz",
    firstName,
    lastName,
    locale: "fr",
  },
});
