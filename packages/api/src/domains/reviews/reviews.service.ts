import type { Executor } from "@medical/db";
import { doctors, type Patient, patients, type Review, reviews, users } from "@medical/db/schema";
import { and, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { requireActiveDoctor } from "#domains/favorites/favorites.service.ts";
import { requirePatientProfile } from "#domains/patients/public.ts";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { dateSortValue, type KeysetSort, keyset, parseDateSortValue } from "#platform/pagination.ts";

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

interface ReviewRow {
  id: string;
  review: Review;
  showName: boolean;
  firstName: string;
  lastName: string;
}

function toReviewDto({ review, showName, firstName, lastName }: ReviewRow): ReviewDto {
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

const toModeratedDto = (row: ReviewRow): ModeratedReviewDto => ({
  ...toReviewDto(row),
  patientId: row.review.patientId,
  hidden: row.review.hiddenAt ? { at: row.review.hiddenAt, reason: row.review.hiddenReason } : null,
});

/**
 * Who may review a doctor. Today every patient with a profile; once scheduling exists, only
 * after a completed appointment with that doctor — the scheduling work changes this one function.
 */
export async function mayReview(
  _deps: Pick<Deps, "db">,
  _patient: Patient,
  _doctorId: string,
): Promise<boolean> {
  return true;
}

/**
 * Recomputes a doctor's rating from its visible reviews. The caller holds the doctor's row lock,
 * so concurrent reviews are applied one after another and the average stays exact.
 */
async function recomputeRating(tx: Executor, doctorId: string): Promise<void> {
  await tx.execute(sql`
    update ${doctors} set
      rating_count = stats.n,
      rating_average = stats.average
    from (
      select count(*)::int as n, coalesce(round(avg(rating)::numeric, 2), 0) as average
      from ${reviews} where doctor_id = ${doctorId} and hidden_at is null
    ) as stats
    where ${doctors.id} = ${doctorId}`);
}

const lockDoctor = (tx: Executor, doctorId: string) =>
  tx.select({ id: doctors.id }).from(doctors).where(eq(doctors.id, doctorId)).for("update");

/** One review per patient and doctor: a second POST replaces the rating and comment. */
export async function saveReview(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  doctorId: string,
  input: { rating: number; comment?: string | null },
): Promise<ReviewDto> {
  const patient = await requirePatientProfile(deps, actor);
  await requireActiveDoctor(deps, doctorId);
  if (!(await mayReview(deps, patient, doctorId))) {
    throw new DomainError("FORBIDDEN", "You can review a doctor after a completed appointment");
  }
  const id = await deps.db.transaction(async (tx) => {
    await lockDoctor(tx, doctorId);
    const now = deps.clock.now();
    const [saved] = await tx
      .insert(reviews)
      .values({
        doctorId,
        patientId: patient.id,
        rating: input.rating,
        comment: input.comment ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [reviews.doctorId, reviews.patientId],
        set: { rating: input.rating, comment: input.comment ?? null, updatedAt: now },
      })
      .returning({ id: reviews.id });
    if (!saved) throw new Error("review upsert returned no row");
    await recomputeRating(tx, doctorId);
    await recordAudit(tx, audit, {
      action: "review.saved",
      outcome: "SUCCESS",
      targetType: "review",
      targetId: saved.id,
    });
    return saved.id;
  });
  const [row] = (await reviewRows(deps.db, eq(reviews.id, id), { limit: 1 })).items;
  if (!row) throw new Error("saved review not found");
  return toReviewDto(row);
}

const byTime: KeysetSort<ReviewRow> = {
  name: "createdAt",
  column: reviews.createdAt,
  valueOf: (row) => dateSortValue(row.review.createdAt),
  parse: parseDateSortValue,
};

function reviewRows(db: Executor, where: SQL | undefined, input: { limit: number; cursor?: string }) {
  const page = keyset<string, ReviewRow>(byTime, { column: reviews.id, schema: z.uuid() }, "desc", input);
  return db
    .select({
      id: reviews.id,
      review: reviews,
      showName: patients.showNameOnReviews,
      firstName: users.firstName,
      lastName: users.lastName,
    })
    .from(reviews)
    .innerJoin(patients, eq(patients.id, reviews.patientId))
    .innerJoin(users, eq(users.id, patients.userId))
    .where(and(where, page.where))
    .orderBy(...page.orderBy)
    .limit(page.take)
    .then((rows) => page.page(rows));
}

/** Public: a doctor's visible reviews, newest first. */
export async function listDoctorReviews(
  deps: Deps,
  doctorId: string,
  input: { limit: number; cursor?: string },
) {
  await requireActiveDoctor(deps, doctorId);
  const { items, nextCursor } = await reviewRows(
    deps.db,
    and(eq(reviews.doctorId, doctorId), isNull(reviews.hiddenAt)),
    input,
  );
  return { items: items.map(toReviewDto), nextCursor };
}

export interface ModerationFilters {
  doctorId?: string;
  patientId?: string;
  hidden?: boolean;
  maxRating?: number;
  limit: number;
  cursor?: string;
}

/** ADMIN: every review, hidden ones included, with filters. */
export async function listReviewsForModeration(deps: Deps, input: ModerationFilters) {
  const filters = and(
    input.doctorId ? eq(reviews.doctorId, input.doctorId) : undefined,
    input.patientId ? eq(reviews.patientId, input.patientId) : undefined,
    input.hidden === undefined
      ? undefined
      : input.hidden
        ? isNotNull(reviews.hiddenAt)
        : isNull(reviews.hiddenAt),
    input.maxRating === undefined ? undefined : sql`${reviews.rating} <= ${input.maxRating}`,
  );
  const { items, nextCursor } = await reviewRows(deps.db, filters, input);
  return { items: items.map(toModeratedDto), nextCursor };
}

/** Moderation hides with a reason (never deletes) and recomputes the doctor's rating. */
export async function hideReview(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  id: string,
  reason: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [review] = await tx
      .select({ doctorId: reviews.doctorId })
      .from(reviews)
      .where(eq(reviews.id, id))
      .limit(1);
    if (!review) throw new DomainError("NOT_FOUND", "Review not found");
    await lockDoctor(tx, review.doctorId);
    await tx
      .update(reviews)
      .set({ hiddenAt: deps.clock.now(), hiddenReason: reason, hiddenBy: actor.userId })
      .where(eq(reviews.id, id));
    await recomputeRating(tx, review.doctorId);
    await recordAudit(tx, audit, {
      action: "review.hidden",
      outcome: "SUCCESS",
      targetType: "review",
      targetId: id,
      details: { reason },
    });
  });
}
