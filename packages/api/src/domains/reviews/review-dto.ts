import type { Review } from "@medical/db/schema";
import { z } from "zod";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";

const ZReview = z.object({
  id: z.uuid(),
  doctorId: z.uuid(),
  rating: z.number().int().min(1).max(5),
  comment: z.string().nullable(),
  reviewer: z
    .string()
    .meta({ description: '"Verified patient", or "Amina B." when the patient chose to show their name' }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type ReviewDto = z.infer<typeof ZReview>;

const reviewExample: ReviewDto = {
  id: "9e2a7c4f-1b6d-4e8a-b3f5-4c9d2a7e1f68",
  doctorId: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60",
  rating: 5,
  comment: "Très à l'écoute, explications claires.",
  reviewer: "Verified patient",
  createdAt: new Date("2026-11-20T17:45:00.000Z"),
  updatedAt: new Date("2026-11-20T17:45:00.000Z"),
};

export const ZReviewDto = named(ZReview, "Review", {
  description: "A patient's review of a doctor, as the public sees it",
  example: reviewExample,
});
/** The document's example of a review with its moderation facts (hidden, here). */
export const moderatedReviewExample = {
  ...reviewExample,
  patientId: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05",
  hidden: { at: new Date("2026-11-21T10:00:00.000Z"), reason: "Names another patient" },
};

export const ZModeratedReviewDto = named(
  ZReview.extend({
    patientId: z.uuid(),
    hidden: z
      .object({ at: ZTimestamp, reason: z.string().nullable() })
      .nullable()
      .meta({ description: "When and why a moderator hid it; null while it is visible" }),
  }),
  "ModeratedReview",
  {
    description: "A review with what moderation needs: its patient and whether it is hidden",
    example: moderatedReviewExample,
  },
);
export type ModeratedReviewDto = z.infer<typeof ZModeratedReviewDto>;

/** A review with what its reviewer line needs of the patient. */
export interface ReviewRow {
  review: Review;
  showName: boolean;
  firstName: string;
  lastName: string;
}

export function toReviewDto({ review, showName, firstName, lastName }: ReviewRow): ReviewDto {
  return {
    id: review.id,
    doctorId: review.doctorId,
    rating: review.rating,
    comment: review.comment,
    reviewer: showName ? `${firstName} ${lastName.slice(0, 1)}.` : "Verified patient",
    createdAt: review.createdAt,
    updatedAt: review.updatedAt,
  };
}

export const toModeratedReviewDto = (row: ReviewRow): ModeratedReviewDto => ({
  ...toReviewDto(row),
  patientId: row.review.patientId,
  hidden: row.review.hiddenAt ? { at: row.review.hiddenAt, reason: row.review.hiddenReason } : null,
});
