import { reviews } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { ExportPart } from "#platform/export-part.ts";
import {
  type ModeratedReviewDto,
  moderatedReviewExample,
  toModeratedReviewDto,
  ZModeratedReviewDto,
} from "./review-dto.ts";
import { reviewList, selectReviewRows } from "./reviews.service.ts";

/**
 * The reviews section of a patient's data export: every review the patient wrote, oldest first,
 * as moderation reads it — hidden ones included, with when and why they were hidden: a
 * moderator's reason is something the clinic holds about the patient. Keyset pages of `reviews_patient_time`;
 * reads by patient, without the access predicate (the export service decides who exports whose
 * file), so no other patient's review can be in it.
 */
export const reviewsExportPart: ExportPart<ModeratedReviewDto[]> = {
  schema: z.array(ZModeratedReviewDto).meta({
    description: "Every review the patient wrote, hidden ones included, oldest first",
  }),
  example: [moderatedReviewExample],
  async read(tx, subject) {
    const items: ModeratedReviewDto[] = [];
    const pages = reviewList.pages({ sort: "createdAt", order: "asc" }, ({ where, orderBy, limit }) =>
      selectReviewRows(tx)
        .where(and(eq(reviews.patientId, subject.patientId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) items.push(...rows.map(toModeratedReviewDto));
    return items;
  },
  counts: (section) => ({ reviews: section.length }),
  // Reviews hold no encrypted text.
  isUnreadable: () => false,
};
