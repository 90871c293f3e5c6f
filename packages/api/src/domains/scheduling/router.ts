import { idempotent, idempotentCallOf } from "#platform/idempotency/idempotency.ts";
import type { Meta } from "#platform/meta.ts";
import { authedProcedure, publicReadProcedure, roleProcedure, router } from "#platform/trpc.ts";
import { ZAppointmentDetail, ZAppointmentDto } from "./appointment-dto.ts";
import { getAppointment, rescheduleAppointment } from "./appointments.service.ts";
import { bookAppointment } from "./booking.service.ts";
import {
  appointmentRoutes,
  reschedulePostRoute,
  slotsRoutes,
  ZAppointmentIdInput,
  ZBookInput,
  ZRescheduleInput,
  ZSlotSchedule,
  ZSlotsInput,
} from "./scheduling.schema.ts";
import { listSlots } from "./slots.service.ts";

/** DOCTOR is refused (403) before anything is read: doctors do not book. */
const bookerProcedure = roleProcedure("PATIENT", "STAFF", "ADMIN");

const reschedule = (meta: Meta) =>
  authedProcedure
    .meta(meta)
    .input(ZRescheduleInput)
    .output(ZAppointmentDto)
    .mutation(({ ctx, input }) =>
      rescheduleAppointment(ctx.deps, ctx.audit, ctx.actor, input.id, input.startsAt),
    );

/**
 * Appointments: booking (idempotent with a key), one appointment's detail, rescheduling. The
 * views (`/appointments/me`, …) come before `get` when they land: `/appointments/{id}` would
 * otherwise answer their literal paths.
 */
export const appointmentsRouter = router({
  book: bookerProcedure
    .meta(appointmentRoutes.book)
    .input(ZBookInput)
    .output(ZAppointmentDto)
    .mutation(({ ctx, input: { idempotencyKey, ...booking } }) =>
      idempotent(
        ctx.deps,
        idempotentCallOf(ctx, {
          operation: "appointments.book",
          inputKey: idempotencyKey,
          // The instant, not its spelling: `…T09:00:00+01:00` is the same request as `…T08:00:00Z`.
          request: { ...booking, startsAt: new Date(booking.startsAt) },
          output: ZAppointmentDto,
          successStatus: appointmentRoutes.book.successStatus ?? 200,
        }),
        (seal) => bookAppointment(ctx.deps, ctx.audit, ctx.actor, booking, seal),
      ),
    ),
  get: authedProcedure
    .meta(appointmentRoutes.get)
    .input(ZAppointmentIdInput)
    .output(ZAppointmentDetail)
    .query(({ ctx, input }) => getAppointment(ctx.deps, ctx.audit, ctx.actor, input.id)),
  reschedule: reschedule(appointmentRoutes.reschedule),
  /** The same operation at `POST`, for the clients that send one. */
  rescheduleByPost: reschedule(reschedulePostRoute),
});

/** `GET /doctors/{id}/availability/slots`, mounted beside availability's routes (`availability.slots`). */
export const slotsRouter = router({
  slots: publicReadProcedure
    .meta(slotsRoutes.slots)
    .input(ZSlotsInput)
    .output(ZSlotSchedule)
    .query(({ ctx, input: { id, from, to } }) => listSlots(ctx.deps, id, { from, to })),
});
