import { roleProcedure, router } from "#platform/trpc.ts";
import { viewRoutes, ZAppointmentPage, ZAppointmentsInput, ZMyAppointmentsInput } from "./views.schema.ts";
import { listAppointments } from "./views.service.ts";

/** The three views; each role is refused the others' (403) before any row is read. */
export const viewsRouter = router({
  mine: roleProcedure("PATIENT")
    .meta(viewRoutes.mine)
    .input(ZMyAppointmentsInput)
    .output(ZAppointmentPage)
    .query(({ ctx, input }) => listAppointments(ctx.deps, ctx.audit, ctx.actor, "patient", input)),
  doctorMine: roleProcedure("DOCTOR")
    .meta(viewRoutes.doctorMine)
    .input(ZMyAppointmentsInput)
    .output(ZAppointmentPage)
    .query(({ ctx, input }) => listAppointments(ctx.deps, ctx.audit, ctx.actor, "doctor", input)),
  list: roleProcedure("STAFF", "ADMIN")
    .meta(viewRoutes.list)
    .input(ZAppointmentsInput)
    .output(ZAppointmentPage)
    .query(({ ctx, input }) => listAppointments(ctx.deps, ctx.audit, ctx.actor, "all", input)),
});
