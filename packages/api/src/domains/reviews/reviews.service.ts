import type { Executor } from "@medical/db";
import { doctors, type Patient, patients, reviews, users } from "@medical/db/schema";
import { and, eq, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { requireActiveDoctor } from "#domains/doctors/public.ts";
import { requirePatientProfile } from "#domains/patients/public.ts";
import { hasCompletedVisit } from "#domains/scheduling/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { publicReviewVisible, reviewVisibleTo } from "./access.ts";
import {
  type ModeratedReviewDto,
  type ReviewDto,
  type ReviewRow,
  toModeratedReviewDto,
  toReviewDto,
} from "./review-dto.ts";

/** Newest first by default; `reviews_doctor_time` and `reviews_time` end with the id. */
export const reviewList = defineList({
  sorts: { createdAt: { column: reviews.createdAt, valueOf: (row: ReviewRow) => row.review.createdAt } },
  id: { column: reviews.id, valueOf: (row) => row.review.id },
  defaultSort: "createdAt",
  defaultOrder: "desc",
});
type ReviewListInput = ListInput<"createdAt">;

/**
 * Reviews with their reviewer's names; callers add the WHERE (with a visibility predicate, but for
 * the patient data export, which reads the subject's own).
 */
export function selectReviewRows(db: Executor) {
  return db
    .select({
      review: reviews,
      showName: patients.showNameOnReviews,
      firstName: users.firstName,
      lastName: users.lastName,
    })
    .from(reviews)
    .innerJoin(patients, eq(patients.id, reviews.patientId))
    .innerJoin(users, eq(users.id, patients.userId));
}

/** One page of the reviews `filters` select. */
function reviewPage(db: Executor, filters: SQL | undefined, input: ReviewListInput) {
  return reviewList.page(input, ({ where, orderBy, limit }) =>
    selectReviewRows(db)
      .where(and(filters, where))
      .orderBy(...orderBy)
      .limit(limit),
  );
}

/**
 * Who may review a doctor: a patient with an active profile (PROFILE_REQUIRED otherwise; FORBIDDEN
 * for other roles) about a doctor the public sees (NOT_FOUND otherwise), after a COMPLETED
 * appointment with that doctor (REVIEW_REQUIRES_VISIT otherwise: a booked, cancelled or missed
 * visit is no experience to rate). Every path that saves a review passes here, the seed included.
 * Returns the reviewing patient.
 */
async function requireReviewer(
  deps: Pick<Deps, "db">,
  actor: Pick<Actor, "userId" | "role">,
  doctorId: string,
): Promise<Patient> {
  const patient = await requirePatientProfile(deps, actor);
  await requireActiveDoctor(deps, doctorId);
  if (!(await hasCompletedVisit(deps.db, doctorId, patient.id)))
    throw new DomainError("REVIEW_REQUIRES_VISIT");
  return patient;
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

/**
 * One review per patient and doctor: a second POST replaces the rating and comment. Needs no
 * session: the demo seed saves its reviews here as their patients, dated by `deps.clock`.
 */
export async function saveReview(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  doctorId: string,
  input: { rating: number; comment?: string | null },
): Promise<ReviewDto> {
  const patient = await requireReviewer(deps, actor, doctorId);
  const id = await auditedTransaction(deps, audit, async (tx, record) => {
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
    record.audit({
      action: "review.saved",
      outcome: "SUCCESS",
      targetType: "review",
      targetId: saved.id,
      patientId: patient.id,
    });
    return saved.id;
  });
  const [row] = await selectReviewRows(deps.db)
    .where(and(eq(reviews.id, id), reviewVisibleTo(actor)))
    .limit(1);
  if (!row) throw new Error("saved review not found");
  return toReviewDto(row);
}

/** Public: a doctor's visible reviews, newest first. */
export async function listDoctorReviews(
  deps: Pick<Deps, "db">,
  doctorId: string,
  input: ReviewListInput,
): Promise<Page<ReviewDto>> {
  await requireActiveDoctor(deps, doctorId);
  const page = await reviewPage(deps.db, and(eq(reviews.doctorId, doctorId), publicReviewVisible()), input);
  return { items: page.items.map(toReviewDto), nextCursor: page.nextCursor };
}

export interface ModerationFilters extends ReviewListInput {
  doctorId?: string;
  patientId?: string;
  hidden?: boolean;
  maxRating?: number;
}

/** Moderation: every review the admin may see (hidden ones included), with filters. */
export async function listReviewsForModeration(
  deps: Pick<Deps, "db">,
  actor: Actor,
  input: ModerationFilters,
): Promise<Page<ModeratedReviewDto>> {
  const filters = and(
    reviewVisibleTo(actor),
    input.doctorId ? eq(reviews.doctorId, input.doctorId) : undefined,
    input.patientId ? eq(reviews.patientId, input.patientId) : undefined,
    input.hidden === undefined
      ? undefined
      : input.hidden
        ? isNotNull(reviews.hiddenAt)
        : isNull(reviews.hiddenAt),
    input.maxRating === undefined ? undefined : lte(reviews.rating, input.maxRating),
  );
  const page = await reviewPage(deps.db, filters, input);
  return { items: page.items.map(toModeratedReviewDto), nextCursor: page.nextCursor };
}

/** Moderation hides with a reason (never deletes) and recomputes the doctor's rating. */
export function hideReview(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  review: { id: string; doctorId: string; patientId: string },
  reason: string,
): Promise<void> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    await lockDoctor(tx, review.doctorId);
    await tx
      .update(reviews)
      .set({ hiddenAt: deps.clock.now(), hiddenReason: reason, hiddenBy: actor.userId })
      .where(eq(reviews.id, review.id));
    await recomputeRating(tx, review.doctorId);
    record.audit({
      action: "review.hidden",
      outcome: "SUCCESS",
      targetType: "review",
      targetId: review.id,
      patientId: review.patientId,
      details: { reason },
    });
  });
}
