import type { Review } from "@medical/db/schema";
import { z } from "zod";

export const ZReviewDto = z.object({
  id: z.uuid(),
  doctorId: z.uuid(),
  rating: z.number().int().min(1).max(5),
  comment: z.string().nullable(),
  /** "Verified patient", or "Amina B." when the patient chose to show their name. */
  reviewer: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const ZModeratedReviewDto = ZReviewDto.extend({
  patientId: z.uuid(),
  hidden: z.object({ at: z.date(), reason: z.string().nullable() }).nullable(),
});
export type ReviewDto = z.infer<typeof ZReviewDto>;
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
