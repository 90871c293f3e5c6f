import { z } from "zod";
import { auditMetaOf } from "../../audit/meta.ts";
import { ZDoctorDto, ZSpecialtyDto } from "../../services/doctors/doctor-dto.ts";
import {
  createDoctor,
  createMyDoctorProfile,
  deactivateDoctor,
  getMyDoctorProfile,
  getPublicDoctor,
  updateDoctor,
  updateMyDoctorProfile,
} from "../../services/doctors/profiles.ts";
import { searchDoctors } from "../../services/doctors/search.ts";
import {
  createSpecialty,
  deleteSpecialty,
  listSpecialties,
  updateSpecialty,
} from "../../services/doctors/specialties.ts";
import { adminProcedure, publicProcedure, publicReadProcedure, roleProcedure, router } from "../../trpc.ts";
import {
  createMeta,
  createMyProfileMeta,
  deleteMeta,
  getMeta,
  myProfileMeta,
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
  ZIdInput,
  ZSearchInput,
  ZUpdateProfileInput,
  ZUpdateSpecialtyInput,
} from "./doctors.schema.ts";

const doctorProcedure = roleProcedure("DOCTOR");

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
    .mutation(({ ctx, input }) => createSpecialty(ctx.deps, auditMetaOf(ctx), input)),
  updateSpecialty: adminProcedure
    .meta(specialtyUpdateMeta)
    .input(ZUpdateSpecialtyInput)
    .output(ZSpecialtyDto)
    .mutation(({ ctx, input: { id, ...changes } }) =>
      updateSpecialty(ctx.deps, auditMetaOf(ctx), id, changes),
    ),
  deleteSpecialty: adminProcedure
    .meta(specialtyDeleteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deleteSpecialty(ctx.deps, auditMetaOf(ctx), input.id);
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
    .mutation(({ ctx, input }) => createMyDoctorProfile(ctx.deps, auditMetaOf(ctx), ctx.actor, input)),
  updateMyProfile: doctorProcedure
    .meta(updateMyProfileMeta)
    .input(ZUpdateProfileInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => updateMyDoctorProfile(ctx.deps, auditMetaOf(ctx), ctx.actor, input)),
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
        auditMetaOf(ctx),
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
  update: adminProcedure
    .meta(updateMeta)
    .input(ZAdminUpdateInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input: { id, ...changes } }) => updateDoctor(ctx.deps, auditMetaOf(ctx), id, changes)),
  delete: adminProcedure
    .meta(deleteMeta)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deactivateDoctor(ctx.deps, auditMetaOf(ctx), input.id);
      return null;
    }),
});
