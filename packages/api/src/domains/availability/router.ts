import { z } from "zod";
import { pageOf } from "#platform/list.ts";
import { publicReadProcedure, router } from "#platform/trpc.ts";
import { exceptionResource, managedDoctorResource, ruleResource } from "./access.ts";
import {
  availabilityRoutes,
  ZCreateExceptionInput,
  ZCreateRuleInput,
  ZExceptionIdInput,
  ZListExceptionsInput,
  ZListRulesInput,
  ZRuleIdInput,
  ZUpdateRuleInput,
} from "./availability.schema.ts";
import { ZAvailabilityExceptionDto, ZAvailabilityRuleDto } from "./availability-dto.ts";
import { createException, deleteException, listExceptions } from "./exceptions.service.ts";
import { createRule, deleteRule, listRules, updateRule } from "./rules.service.ts";

/**
 * A doctor's weekly hours and dated exceptions. The literal `/doctors/availability/…` paths come
 * before doctors' `/doctors/{id}` in root.ts.
 */
export const availabilityRouter = router({
  list: publicReadProcedure
    .meta(availabilityRoutes.list)
    .input(ZListRulesInput)
    .output(pageOf(ZAvailabilityRuleDto, "AvailabilityRulePage"))
    .query(({ ctx, input: { id, ...query } }) => listRules(ctx.deps, id, query)),
  create: managedDoctorResource
    .meta(availabilityRoutes.create)
    .input(ZCreateRuleInput)
    .output(ZAvailabilityRuleDto)
    .mutation(({ ctx, input: { id: _id, ...rule } }) => createRule(ctx.deps, ctx.audit, ctx.resource, rule)),
  update: ruleResource
    .meta(availabilityRoutes.update)
    .input(ZUpdateRuleInput)
    .output(ZAvailabilityRuleDto)
    .mutation(({ ctx, input: { availabilityId: _id, ...changes } }) =>
      updateRule(ctx.deps, ctx.audit, ctx.resource.id, changes),
    ),
  delete: ruleResource
    .meta(availabilityRoutes.delete)
    .input(ZRuleIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deleteRule(ctx.deps, ctx.audit, ctx.resource);
      return null;
    }),
  listExceptions: publicReadProcedure
    .meta(availabilityRoutes.listExceptions)
    .input(ZListExceptionsInput)
    .output(pageOf(ZAvailabilityExceptionDto, "AvailabilityExceptionPage"))
    .query(({ ctx, input: { id, ...query } }) => listExceptions(ctx.deps, id, query)),
  createException: managedDoctorResource
    .meta(availabilityRoutes.createException)
    .input(ZCreateExceptionInput)
    .output(ZAvailabilityExceptionDto)
    .mutation(({ ctx, input: { id: _id, ...exception } }) =>
      createException(ctx.deps, ctx.audit, ctx.resource, exception),
    ),
  deleteException: exceptionResource
    .meta(availabilityRoutes.deleteException)
    .input(ZExceptionIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deleteException(ctx.deps, ctx.audit, ctx.resource);
      return null;
    }),
});
