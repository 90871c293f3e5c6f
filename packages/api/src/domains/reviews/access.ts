import { patients, reviews } from "@medical/db/schema";
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import { adminProcedure, resourceProcedure } from "#platform/trpc.ts";

/** Reviews anyone sees on a doctor's page: those moderation has not hidden. */
export function publicReviewVisible(): SQL {
  return isNull(reviews.hiddenAt);
}

/**
 * Reviews an actor may see: admins every one (moderation), a patient also their own (hidden or
 * not), everybody else the visible ones.
 */
export function reviewVisibleTo(actor: Pick<Actor, "userId" | "role">): SQL {
  switch (actor.role) {
    case "ADMIN":
      return sql`true`;
    case "PATIENT":
      return sql`(${publicReviewVisible()} or ${reviews.patientId} in (select ${patients.id} from ${patients} where ${patients.userId} = ${actor.userId}))`;
    case "DOCTOR":
    case "STAFF":
      return publicReviewVisible();
  }
}

/** `/doctors/admin/reviews/{id}` (moderation): the review's id and doctor on `ctx.resource`. */
export const reviewResource = resourceProcedure(adminProcedure, "Review not found", async (ctx, id) => {
  const [row] = await ctx.deps.db
    .select({ id: reviews.id, doctorId: reviews.doctorId, patientId: reviews.patientId })
    .from(reviews)
    .where(and(eq(reviews.id, id), reviewVisibleTo(ctx.actor)))
    .limit(1);
  return row;
});
