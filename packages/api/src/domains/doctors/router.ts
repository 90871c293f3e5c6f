import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { adminProcedure, doctorProcedure, publicReadProcedure, router } from "#platform/trpc.ts";
import { doctorResource } from "./access.ts";
import { ZDoctorDto } from "./doctor-dto.ts";
import {
  profileRoutes,
  ZCreateDoctorInput,
  ZCreateMyProfileInput,
  ZUpdateDoctorInput,
  ZUpdateMyProfileInput,
} from "./profiles.schema.ts";
import {
  createDoctor,
  createMyDoctorProfile,
  deactivateDoctor,
  getMyDoctorProfile,
  getPublicDoctor,
  updateDoctor,
  updateMyDoctorProfile,
} from "./profiles.service.ts";
import { searchRoutes, ZDoctorPage, ZSearchInput } from "./search.schema.ts";
import { searchDoctors } from "./search.service.ts";

/**
 * `/doctors/{id}` would shadow the literal paths of specialties, favourites and reviews
 * (`/doctors/specialties`, `/doctors/me/…`, `/doctors/admin/…`): root.ts registers those first.
 */
export const doctorsRouter = router({
  search: publicReadProcedure
    .meta(searchRoutes.search)
    .input(ZSearchInput)
    .output(ZDoctorPage)
    .query(({ ctx, input }) => searchDoctors(ctx.deps, input)),
  get: publicReadProcedure
    .meta(searchRoutes.get)
    .input(ZIdInput)
    .output(ZDoctorDto)
    .query(({ ctx, input }) => getPublicDoctor(ctx.deps, input.id)),
  myProfile: doctorProcedure
    .meta(profileRoutes.myProfile)
    .input(z.void())
    .output(ZDoctorDto)
    .query(({ ctx }) => getMyDoctorProfile(ctx.deps, ctx.actor)),
  createMyProfile: doctorProcedure
    .meta(profileRoutes.createMyProfile)
    .input(ZCreateMyProfileInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => createMyDoctorProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  updateMyProfile: doctorProcedure
    .meta(profileRoutes.updateMyProfile)
    .input(ZUpdateMyProfileInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => updateMyDoctorProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  create: adminProcedure
    .meta(profileRoutes.create)
    .input(ZCreateDoctorInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input }) => createDoctor(ctx.deps, ctx.audit, ctx.actor, input)),
  update: doctorResource
    .meta(profileRoutes.update)
    .input(ZUpdateDoctorInput)
    .output(ZDoctorDto)
    .mutation(({ ctx, input: { id: _id, ...changes } }) =>
      updateDoctor(ctx.deps, ctx.audit, ctx.actor, ctx.resource.id, changes),
    ),
  delete: doctorResource
    .meta(profileRoutes.delete)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deactivateDoctor(ctx.deps, ctx.audit, ctx.resource.id);
      return null;
    }),
});
