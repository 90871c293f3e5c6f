import { z } from "zod";
import { text } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { reviewList } from "./reviews.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each procedure. */
export const reviewRoutes = {
  list: route("GET", "/doctors/{id}/reviews", "A doctor's visible reviews, newest first (public)", {
    protect: false,
    errors: ["NOT_FOUND", "RATE_LIMITED"],
  }),
  save: route(
    "POST",
    "/doctors/{id}/reviews",
    "Review a doctor after a completed visit (a patient's second POST replaces their review)",
    {
      errors: ["NOT_FOUND", "PROFILE_REQUIRED", "REVIEW_REQUIRES_VISIT"],
      successStatus: 201,
      successMessage: "Review saved",
    },
  ),
  moderationList: route(
    "GET",
    "/doctors/admin/reviews",
    "Every review, hidden ones too, for moderation (admin)",
  ),
  hide: route(
    "DELETE",
    "/doctors/admin/reviews/{id}",
    "Hide a review with a reason; the rating is recomputed (admin)",
    { errors: ["NOT_FOUND"], successMessage: "Review hidden" },
  ),
};

/** `id` is the doctor's. */
export const ZListReviewsInput = reviewList.input.extend({ id: z.uuid() });
export const ZSaveReviewInput = named(
  z.strictObject({
    id: z.uuid(),
    rating: z.number().int().min(1).max(5),
    comment: text(2000).nullable().optional(),
  }),
  "SaveReviewInput",
  {
    description: "A rating from 1 to 5 and an optional comment",
    example: {
      id: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60",
      rating: 5,
      comment: "Très à l'écoute, explications claires.",
    },
  },
);
// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZModerationListInput = reviewList.input.extend({
  doctorId: z.uuid().meta({ description: "Reviews of this doctor" }).optional(),
  patientId: z.uuid().meta({ description: "Reviews by this patient profile" }).optional(),
  hidden: z.boolean().meta({ description: "Hidden (true) or visible (false) reviews only" }).optional(),
  maxRating: z
    .number()
    .int()
    .min(1)
    .max(5)
    .meta({ description: "Reviews rated at most this (1 to 5)" })
    .optional(),
});
export const ZHideReviewInput = z.strictObject({
  id: z.uuid(),
  reason: text(500, { min: 3 }).meta({ description: "Why the review is hidden (a DELETE has no body)" }),
});
