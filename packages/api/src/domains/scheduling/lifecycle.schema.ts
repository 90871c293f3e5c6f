import { z } from "zod";
import { text } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import type { StatusChange } from "./lifecycle.service.ts";
import { TARGET_STATUSES } from "./transitions.ts";

export const MAX_CANCELLATION_REASON_LENGTH = 500;

const route = routeMeta(["appointments"]);

const seers =
  "Its patient, its doctor, STAFF and ADMIN; anyone else gets NOT_FOUND, as for an appointment that does not exist.";
const table =
  "Only a SCHEDULED appointment changes status. COMPLETED and NO_SHOW: its doctor, STAFF or ADMIN, once it has started (a PATIENT gets 403). CANCELLED: its patient before the start, its doctor, STAFF or ADMIN at any time. Any other move is 409 INVALID_TRANSITION.";
const answer =
  "The answer is the appointment as changed, with its `reason` (PHI: the read is audited). The change writes a domain event (`appointment.cancelled` or `appointment.status_changed`) with it.";

/** The REST route of each procedure. */
export const lifecycleRoutes = {
  setStatus: route("PATCH", "/appointments/{id}/status", "Change an appointment's status", {
    description: `${seers} ${table} \`reason\` goes with CANCELLED only; \`POST /appointments/{id}/cancel\` is the same cancellation. ${answer}`,
    errors: ["FORBIDDEN", "NOT_FOUND", "INVALID_TRANSITION"],
    successMessage: "Appointment status changed",
  }),
  cancel: route("POST", "/appointments/{id}/cancel", "Cancel an appointment", {
    description: `${seers} Its patient may cancel until it starts; its doctor, STAFF and ADMIN at any time, while it is SCHEDULED (409 INVALID_TRANSITION otherwise). The cancellation records who cancelled (account and role at the time), when, and the optional \`reason\` (PHI: encrypted at rest). The time is freed for booking at once. ${answer}`,
    errors: ["NOT_FOUND", "INVALID_TRANSITION"],
    successMessage: "Appointment cancelled",
  }),
};

const ZCancellationReason = text(MAX_CANCELLATION_REASON_LENGTH).meta({
  description: `Why, in at most ${MAX_CANCELLATION_REASON_LENGTH} characters (PHI: encrypted at rest, reads audited)`,
});

export const ZSetStatusInput = named(
  z
    .strictObject({
      id: z.uuid(),
      status: z
        .enum(TARGET_STATUSES)
        .meta({ description: "The new status: COMPLETED, NO_SHOW or CANCELLED" }),
      reason: ZCancellationReason.optional(),
    })
    .refine((input) => input.reason === undefined || input.status === "CANCELLED", {
      message: "A reason goes with CANCELLED only",
      path: ["reason"],
    }),
  "SetAppointmentStatusInput",
  {
    description: "The status a SCHEDULED appointment moves to; a cancellation may say why",
    example: { id: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73", status: "COMPLETED" },
  },
);
export type TSetStatusInput = z.infer<typeof ZSetStatusInput>;

export const ZCancelInput = named(
  z.strictObject({ id: z.uuid(), reason: ZCancellationReason.optional() }),
  "CancelAppointmentInput",
  {
    description: "A cancellation, with an optional reason",
    example: { id: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73", reason: "Empêchement professionnel" },
  },
);

/** The validated body as the service's change (the refinement keeps `reason` to CANCELLED). */
export function statusChangeOf({ status, reason }: Omit<TSetStatusInput, "id">): StatusChange {
  return status === "CANCELLED" ? { status, reason } : { status };
}
