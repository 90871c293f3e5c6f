import { z } from "zod";
import { pageOf } from "#platform/list.ts";
import { adminProcedure, patientProcedure, publicReadProcedure, router } from "#platform/trpc.ts";
import { reviewResource } from "./access.ts";
import { ZModeratedReviewDto, ZReviewDto } from "./review-dto.ts";
import {
  reviewRoutes,
  ZHideReviewInput,
  ZListReviewsInput,
  ZModerationListInput,
  ZSaveReviewInput,
} from "./reviews.schema.ts";
import { hideReview, listDoctorReviews, listReviewsForModeration, saveReview } from "./reviews.service.ts";

/** `/doctors/admin/reviews` comes before `/doctors/{id}/reviews`, which would match it. */
export const reviewsRouter = router({
  moderationList: adminProcedure
    .meta(reviewRoutes.moderationList)
    .input(ZModerationListInput)
    .output(pageOf(ZModeratedReviewDto, "ModeratedReviewPage"))
    .query(({ ctx, input }) => listReviewsForModeration(ctx.deps, ctx.actor, input)),
  hide: reviewResource
    .meta(reviewRoutes.hide)
    .input(ZHideReviewInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await hideReview(ctx.deps, ctx.audit, ctx.actor, ctx.resource, input.reason);
      return null;
    }),
  list: publicReadProcedure
    .meta(reviewRoutes.list)
    .input(ZListReviewsInput)
    .output(pageOf(ZReviewDto, "ReviewPage"))
    .query(({ ctx, input: { id, ...page } }) => listDoctorReviews(ctx.deps, id, page)),
  save: patientProcedure
    .meta(reviewRoutes.save)
    .input(ZSaveReviewInput)
    .output(ZReviewDto)
    .mutation(({ ctx, input: { id, ...review } }) => saveReview(ctx.deps, ctx.audit, ctx.actor, id, review)),
});
