import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { adminProcedure, publicProcedure, router } from "#platform/trpc.ts";
import {
  specialtyRoutes,
  ZCreateSpecialtyInput,
  ZListSpecialtiesInput,
  ZUpdateSpecialtyInput,
} from "./specialties.schema.ts";
import { createSpecialty, deleteSpecialty, listSpecialties, updateSpecialty } from "./specialties.service.ts";
import { ZSpecialtyDto } from "./specialty-dto.ts";

export const specialtiesRouter = router({
  list: publicProcedure
    .meta(specialtyRoutes.list)
    .input(ZListSpecialtiesInput)
    .output(pageOf(ZSpecialtyDto, "SpecialtyPage"))
    .query(({ ctx, input }) => listSpecialties(ctx.deps, input)),
  create: adminProcedure
    .meta(specialtyRoutes.create)
    .input(ZCreateSpecialtyInput)
    .output(ZSpecialtyDto)
    .mutation(({ ctx, input }) => createSpecialty(ctx.deps, ctx.audit, input)),
  update: adminProcedure
    .meta(specialtyRoutes.update)
    .input(ZUpdateSpecialtyInput)
    .output(ZSpecialtyDto)
    .mutation(({ ctx, input: { id, ...changes } }) => updateSpecialty(ctx.deps, ctx.audit, id, changes)),
  delete: adminProcedure
    .meta(specialtyRoutes.delete)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deleteSpecialty(ctx.deps, ctx.audit, input.id);
      return null;
    }),
});
