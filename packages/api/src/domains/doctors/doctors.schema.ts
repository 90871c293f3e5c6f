import { z } from "zod";
import { ZCountry, ZEmail, ZLocale, ZName, ZPhone, ZTimeZone } from "#platform/fields/fields.ts";
import { ZMoney } from "#platform/fields/money.ts";
import type { Meta } from "#platform/meta.ts";
import { ZOrder, ZPageInput } from "#platform/pagination.ts";
import { ZDoctorDto } from "./doctor-dto.ts";
import { DOCTOR_SORTS } from "./search.service.ts";

const tags = ["doctors"];
const openapi = (
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: `/${string}`,
  summary: string,
  extra: object = {},
) => ({
  method,
  path,
  tags,
  summary,
  ...extra,
});

export const specialtiesListMeta = {
  openapi: openapi("GET", "/doctors/specialties", "All specialties, by name", { protect: false }),
} satisfies Meta;
export const specialtyCreateMeta = {
  openapi: openapi("POST", "/doctors/specialties", "Add a specialty (admin)", { errorResponses: [409] }),
  successStatus: 201,
  successMessage: "Specialty created",
} satisfies Meta;
export const specialtyUpdateMeta = {
  openapi: openapi("PATCH", "/doctors/specialties/{id}", "Rename or describe a specialty (admin)", {
    errorResponses: [404, 409],
  }),
  successMessage: "Specialty updated",
} satisfies Meta;
export const specialtyDeleteMeta = {
  openapi: openapi("DELETE", "/doctors/specialties/{id}", "Delete a specialty no doctor has (admin)", {
    errorResponses: [404, 409],
  }),
  successMessage: "Specialty deleted",
} satisfies Meta;
export const myProfileMeta = {
  openapi: openapi("GET", "/doctors/me/profile", "The calling doctor's profile", { errorResponses: [404] }),
} satisfies Meta;
export const createMyProfileMeta = {
  openapi: openapi("POST", "/doctors/me/profile", "Create the calling doctor's profile", {
    errorResponses: [409],
  }),
  successStatus: 201,
  successMessage: "Profile created",
} satisfies Meta;
export const updateMyProfileMeta = {
  openapi: openapi("PATCH", "/doctors/me/profile", "Change the calling doctor's profile", {
    errorResponses: [404],
  }),
  successMessage: "Profile updated",
} satisfies Meta;
export const searchMeta = {
  openapi: openapi("GET", "/doctors", "Search doctors", {
    protect: false,
    description:
      "Public. `q` matches names and clinic (accent- and case-insensitive; under 3 characters, the start of a word). " +
      "`total` is exact up to 1,000 matches; beyond, `totalExact` is false and `total` a lower bound.",
    errorResponses: [429],
  }),
} satisfies Meta;
export const createMeta = {
  openapi: openapi(
    "POST",
    "/doctors",
    "Create a doctor profile, with a new invited account or for an existing one (admin)",
    {
      errorResponses: [409],
    },
  ),
  successStatus: 201,
  successMessage: "Doctor created",
} satisfies Meta;
export const getMeta = {
  openapi: openapi("GET", "/doctors/{id}", "One doctor (public)", {
    protect: false,
    errorResponses: [404, 429],
  }),
} satisfies Meta;
export const updateMeta = {
  openapi: openapi("PATCH", "/doctors/{id}", "Change a doctor's profile (admin)", { errorResponses: [404] }),
  successMessage: "Doctor updated",
} satisfies Meta;
export const deleteMeta = {
  openapi: openapi("DELETE", "/doctors/{id}", "Deactivate a doctor profile (admin)", {
    errorResponses: [404],
  }),
  successMessage: "Doctor deactivated",
} satisfies Meta;

export const ZSpecialtyName = z.string().trim().min(2).max(100);
export const ZCreateSpecialtyInput = z.strictObject({
  name: ZSpecialtyName,
  description: z.string().max(500).nullable().optional(),
});
export const ZUpdateSpecialtyInput = z.strictObject({
  id: z.uuid(),
  name: ZSpecialtyName.optional(),
  description: z.string().max(500).nullable().optional(),
});
export const ZIdInput = z.object({ id: z.uuid() });

const profileFields = {
  bio: z.string().trim().max(2000).nullable().optional(),
  yearsOfExperience: z.number().int().min(0).max(70).optional(),
  clinicName: z.string().trim().max(200).nullable().optional(),
  clinicAddress: z.string().trim().max(300).nullable().optional(),
  city: z.string().trim().min(1).max(100).optional(),
  country: ZCountry.optional(),
  fee: ZMoney.optional(),
  languages: z.array(ZLocale).max(10).optional(),
  timezone: ZTimeZone.optional(),
  appointmentMinutes: z.number().int().min(5).max(240).optional(),
  clinicPhone: ZPhone.nullable().optional(),
  specialtyIds: z.array(z.uuid()).min(1).max(5).optional(),
};
const required = {
  city: profileFields.city.unwrap(),
  fee: ZMoney,
  specialtyIds: z.array(z.uuid()).min(1).max(5),
};

export const ZUpdateProfileInput = z.strictObject(profileFields);
export const ZCreateProfileInput = z.strictObject({ ...profileFields, ...required });
export const ZAdminUpdateInput = z.strictObject({ id: z.uuid(), ...profileFields });
export const ZAdminCreateInput = z
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

export const ZSearchInput = ZPageInput.extend({
  q: z.string().trim().min(1).max(100).optional(),
  specialtyId: z.uuid().optional(),
  specialty: z.string().trim().min(2).max(100).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  minRating: z.coerce.number().min(0).max(5).optional(),
  language: z.string().min(2).max(35).optional(),
  maxFee: z.coerce.number().int().min(0).optional(),
  sort: z.enum(Object.keys(DOCTOR_SORTS) as [keyof typeof DOCTOR_SORTS]).default("rating"),
  order: ZOrder.default("desc"),
});

export const ZDoctorPage = z.object({
  items: z.array(ZDoctorDto),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
  totalExact: z.boolean(),
});

export const addFavoriteMeta = {
  openapi: openapi("POST", "/doctors/{id}/favorite", "Add a doctor to the caller's favourites (idempotent)", {
    errorResponses: [404, 409],
  }),
  successMessage: "Added to favourites",
} satisfies Meta;
export const removeFavoriteMeta = {
  openapi: openapi(
    "DELETE",
    "/doctors/{id}/favorite",
    "Remove a doctor from the caller's favourites (idempotent)",
    {
      errorResponses: [409],
    },
  ),
  successMessage: "Removed from favourites",
} satisfies Meta;
export const favoritesMeta = {
  openapi: openapi("GET", "/doctors/me/favorites", "The calling patient's favourite doctors, newest first", {
    errorResponses: [409],
  }),
} satisfies Meta;
export const reviewsMeta = {
  openapi: openapi("GET", "/doctors/{id}/reviews", "A doctor's visible reviews, newest first (public)", {
    protect: false,
    errorResponses: [404, 429],
  }),
} satisfies Meta;
export const saveReviewMeta = {
  openapi: openapi(
    "POST",
    "/doctors/{id}/reviews",
    "Review a doctor (a patient's second POST replaces their review)",
    {
      errorResponses: [404, 409],
    },
  ),
  successStatus: 201,
  successMessage: "Review saved",
} satisfies Meta;
export const moderationListMeta = {
  openapi: openapi("GET", "/doctors/admin/reviews", "Every review, hidden ones too, for moderation (admin)"),
} satisfies Meta;
export const hideReviewMeta = {
  openapi: openapi(
    "DELETE",
    "/doctors/admin/reviews/{id}",
    "Hide a review with a reason; the rating is recomputed (admin)",
    {
      errorResponses: [404],
    },
  ),
  successMessage: "Review hidden",
} satisfies Meta;

export const ZSaveReviewInput = z.strictObject({
  id: z.uuid(),
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).nullable().optional(),
});
export const ZReviewsInput = ZPageInput.extend({ id: z.uuid() });
export const ZModerationInput = ZPageInput.extend({
  doctorId: z.uuid().optional(),
  patientId: z.uuid().optional(),
  hidden: z.stringbool().optional(),
  maxRating: z.coerce.number().int().min(1).max(5).optional(),
});
export const ZHideReviewInput = z.object({ id: z.uuid(), reason: z.string().trim().min(3).max(500) });
