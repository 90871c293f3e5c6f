import { authedProcedure, router } from "#platform/trpc.ts";
import { ZAppointmentDto } from "./appointment-dto.ts";
import { lifecycleRoutes, statusChangeOf, ZCancelInput, ZSetStatusInput } from "./lifecycle.schema.ts";
import { cancelAppointment, changeStatus } from "./lifecycle.service.ts";

/**
 * An appointment's status after booking: the transition table (transitions.ts) decides who may do
 * what when, so every signed-in role reaches the service, which refuses by role, row and state.
 */
export const lifecycleRouter = router({
  setStatus: authedProcedure
    .meta(lifecycleRoutes.setStatus)
    .input(ZSetStatusInput)
    .output(ZAppointmentDto)
    .mutation(({ ctx, input: { id, ...change } }) =>
      changeStatus(ctx.deps, ctx.audit, ctx.actor, id, statusChangeOf(change)),
    ),
  cancel: authedProcedure
    .meta(lifecycleRoutes.cancel)
    .input(ZCancelInput)
    .output(ZAppointmentDto)
    .mutation(({ ctx, input }) => cancelAppointment(ctx.deps, ctx.audit, ctx.actor, input.id, input.reason)),
});
