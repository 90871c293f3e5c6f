import { z } from "zod";
import { ZDoctorDto } from "#domains/doctors/public.ts";
import { ZIdInput } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { patientProcedure, router } from "#platform/trpc.ts";
import { favoriteRoutes, ZListFavoritesInput } from "./favorites.schema.ts";
import { addFavorite, listFavorites, removeFavorite } from "./favorites.service.ts";

export const favoritesRouter = router({
  list: patientProcedure
    .meta(favoriteRoutes.list)
    .input(ZListFavoritesInput)
    .output(pageOf(ZDoctorDto, "FavoriteDoctorPage"))
    .query(({ ctx, input }) => listFavorites(ctx.deps, ctx.actor, input)),
  add: patientProcedure
    .meta(favoriteRoutes.add)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await addFavorite(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
  remove: patientProcedure
    .meta(favoriteRoutes.remove)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await removeFavorite(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
});
