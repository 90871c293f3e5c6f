import { z } from "zod";
import { addFavorite, listFavorites, removeFavorite } from "#domains/favorites/favorites.service.ts";
import {
  hideReview,
  listDoctorReviews,
  listReviewsForModeration,
  saveReview,
  ZModeratedReviewDto,
  ZReviewDto,
} from "#domains/reviews/reviews.service.ts";
import {
  createSpecialty,
  deleteSpecialty,
  listSpecialties,
  updateSpecialty,
} from "#domains/specialties/specialties.service.ts";
import { pageOf, ZPageInput } from "#platform/pagination.ts";
import {
  adminProcedure,
  publicProcedure,
  publicReadProcedure,
  roleProcedure,
  router,
} from "#platform/trpc.ts";
import { ZDoctorDto, ZSpecialtyDto } from "./doctor-dto.ts";
import {
  addFavoriteMeta,
  createMeta,
  createMyProfileMeta,
  deleteMeta,
  favoritesMeta,
  getMeta,
  hideReviewMeta,
  moderationListMeta,
  myProfileMeta,
  removeFavoriteMeta,
  reviewsMeta,
  saveReviewMeta,
  searchMeta,
  specialtiesListMeta,
  specialtyCreateMeta,
  specialtyDeleteMeta,
  specialtyUpdateMeta,
  updateMeta,
  updateMyProfileMeta,
  ZAdminCreateInput,
  ZAdminUpdateInput,
  ZCreateProfileInput,
  ZCreateSpecialtyInput,
  ZDoctorPage,
  ZHideReviewInput,
  ZIdInput,
  ZModerationInput,
  ZReviewsInput,
  ZSaveReviewInput,
  ZSearchInput,
  ZUpdateProfileInput,
  ZUpdateSpecialtyInput,
} from "./doctors.schema.ts";
import {
  createDoctor,
  createMyDoctorProfile,
  deactivateDoctor,
  getMyDoctorProfile,
  getPublicDoctor,
  updateDoctor,
  updateMyDoctorProfile,
} from "./profiles.service.ts";
import { searchDoctors } from "./search.service.ts";

const doctorProcedure = roleProcedure("DOCTOR");
const patientProcedure = roleProcedure("PATIENT");

/** Literal paths (/doctors/specialties, /doctors/me/…) come before /doctors/{id}. */
export const doctorsRouter = router({
  specialties: publicProcedure
    .meta(specialtiesListMeta)
    .input(z.void())
    .output(z.array(ZSpecialtyDto))
    .query(({ ctx }) => listSpecialties(ctx.deps)),
  createSpecialty: adminProcedure
    .meta(specialtyCreateMeta)
    .input(ZCreateSpecialtyInput)
    .output(ZSpecialtyDto)
    .mutation(({ ctx, input }) => createSpecialty(ctx.deps, ctx.audit, input)),
  updateSpecialty: adminProcedure
    .meta(specialtyUpdateMeta)
    .input(ZUpdateSpecialtyInput)
    .output(ZSpecialtyDto)
    .mutation(({ ctx, input: { id, ...changes } }) => updateSpecialty(ctx.deps, ctx.audit, id, changes)),
  deleteSpecialty: adminProcedure
    .meta(specialtyDeleteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deleteSpecialty(ctx.deps, ctx.audit, input.id);
      return null;
    }),
  myProfile: doctorProcedure
    .meta(myProfileMeta)
    .input(z.void())
    .output(ZDoctorDto)
    .query(({ ctx }) => getMyDoctorProfile(ctx.deps, ctx.actor)),
  createMyProfile: doctorProcedure
    .meta(createMyProfileMeta)
    .input(ZCreateProfileInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => createMyDoctorProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  updateMyProfile: doctorProcedure
    .meta(updateMyProfileMeta)
    .input(ZUpdateProfileInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => updateMyDoctorProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  myFavorites: patientProcedure
    .meta(favoritesMeta)
    .input(ZPageInput)
    .output(pageOf(ZDoctorDto))
    .query(({ ctx, input }) => listFavorites(ctx.deps, ctx.actor, input)),
  moderationList: adminProcedure
    .meta(moderationListMeta)
    .input(ZModerationInput)
    .output(pageOf(ZModeratedReviewDto))
    .query(({ ctx, input }) => listReviewsForModeration(ctx.deps, input)),
  hideReview: adminProcedure
    .meta(hideReviewMeta)
    .input(ZHideReviewInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await hideReview(ctx.deps, ctx.audit, ctx.actor, input.id, input.reason);
      return null;
    }),
  search: publicReadProcedure
    .meta(searchMeta)
    .input(ZSearchInput)
    .output(ZDoctorPage)
    .query(({ ctx, input }) => searchDoctors(ctx.deps, input)),
  create: adminProcedure
    .meta(createMeta)
    .input(ZAdminCreateInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => {
      const { userId, email, firstName, lastName, phone, locale, ...profile } = input;
      return createDoctor(
        ctx.deps,
        ctx.audit,
        userId
          ? { ...profile, userId }
          : {
              ...profile,
              email: email ?? "",
              firstName: firstName ?? "",
              lastName: lastName ?? "",
              phone,
              locale,
            },
      );
    }),
  get: publicReadProcedure
    .meta(getMeta)
    .input(ZIdInput)
    .output(ZDoctorDto)
    .query(({ ctx, input }) => getPublicDoctor(ctx.deps, input.id)),
  addFavorite: patientProcedure
    .meta(addFavoriteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await addFavorite(ctx.deps, ctx.actor, input.id);
      return null;
    }),
  removeFavorite: patientProcedure
    .meta(removeFavoriteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await removeFavorite(ctx.deps, ctx.actor, input.id);
      return null;
    }),
  reviews: publicReadProcedure
    .meta(reviewsMeta)
    .input(ZReviewsInput)
    .output(pageOf(ZReviewDto))
    .query(({ ctx, input: { id, ...page } }) => listDoctorReviews(ctx.deps, id, page)),
  saveReview: patientProcedure
    .meta(saveReviewMeta)
    .input(ZSaveReviewInput)
    .output(ZReviewDto)
    .mutation(({ ctx, input: { id, ...review } }) => saveReview(ctx.deps, ctx.audit, ctx.actor, id, review)),
  update: adminProcedure
    .meta(updateMeta)
    .input(ZAdminUpdateInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input: { id, ...changes } }) => updateDoctor(ctx.deps, ctx.audit, id, changes)),
  delete: adminProcedure
    .meta(deleteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deactivateDoctor(ctx.deps, ctx.audit, input.id);
      return null;
    }),
});
