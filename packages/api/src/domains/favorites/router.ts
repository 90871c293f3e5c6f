import { z } from "zod";
import { ZDoctorDto } from "#domains/doctors/public.ts";
import { pageOf } from "#platform/list.ts";
import { roleProcedure, router } from "#platform/trpc.ts";
import { favoriteRoutes, ZFavoriteInput, ZListFavoritesInput } from "./favorites.schema.ts";
import { addFavorite, listFavorites, removeFavorite } from "./favorites.service.ts";

const patientProcedure = roleProcedure("PATIENT");

export const favoritesRouter = router({
  list: patientProcedure
    .meta(favoriteRoutes.list)
    .input(ZListFavoritesInput)
    .output(pageOf(ZDoctorDto))
    .query(({ ctx, input }) => listFavorites(ctx.deps, ctx.actor, input)),
  add: patientProcedure
    .meta(favoriteRoutes.add)
    .input(ZFavoriteInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await addFavorite(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
  remove: patientProcedure
    .meta(favoriteRoutes.remove)
    .input(ZFavoriteInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await removeFavorite(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
});
