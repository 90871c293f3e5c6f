import { type AppointmentStatus, appointments } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditEntry, type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { APPOINTMENT_NOT_FOUND, findVisibleAppointment } from "./access.ts";
import type { AppointmentDto } from "./appointment-dto.ts";
import { appointmentReadEvent, auditingUnreadable, sealAppointmentText } from "./appointment-phi.ts";
import { appointmentDtoOf } from "./booking.service.ts";
import { checkTransition, mayRequest, type TargetStatus } from "./transitions.ts";

type LifecycleDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher">;

/** A status change: a cancellation may say why (PHI, encrypted); the others carry nothing more. */
export type StatusChange =
  | { status: "CANCELLED"; reason?: string | undefined }
  | { status: "COMPLETED" | "NO_SHOW" };

const actionOf = (to: TargetStatus) =>
  to === "CANCELLED" ? "appointment.cancelled" : "appointment.status_changed";

/** A refused change's audit event: no patient unless the actor sees the row, never a text. */
function refusal(
  id: string,
  patientId: string | null,
  details: { to: TargetStatus } & AuditEntry["details"],
): AuditEntry {
  return {
    action: actionOf(details.to),
    outcome: "DENIED",
    targetType: "appointment",
    targetId: id,
    patientId,
    details,
  };
}

/**
 * Moves an appointment along the transition table (transitions.ts): a role that may never reach
 * the status is FORBIDDEN before any row is read; a row the actor does not see is NOT_FOUND; a
 * move the table refuses for this appointment now is INVALID_TRANSITION. The row is locked
 * (`FOR UPDATE`), so of two concurrent changes the second sees the first's status and is refused.
 * The change, its audit events (the change, and the read of the reason the answer carries) and
 * its domain event (`appointment.cancelled` or `appointment.status_changed`) commit together.
 */
export async function changeStatus(
  deps: LifecycleDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
  change: StatusChange,
): Promise<AppointmentDto> {
  const to = change.status;
  if (!mayRequest(actor.role, to)) throw new DomainError("FORBIDDEN", `A ${actor.role} cannot mark it ${to}`);
  return auditingUnreadable(deps, audit, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleAppointment(tx, actor, id, { lock: true });
      if (!row)
        return record.refuse(
          refusal(id, null, { to, reason: "not_visible" }),
          new DomainError("NOT_FOUND", APPOINTMENT_NOT_FOUND),
        );
      const current = row.appointment;
      const now = deps.clock.now();
      const verdict = checkTransition(current, to, actor.role, now);
      if (!verdict.ok)
        return record.refuse(
          refusal(id, current.patientId, { from: current.status, to, reason: verdict.reason }),
          new DomainError("INVALID_TRANSITION", `${verdict.message}.`),
        );
      await tx
        .update(appointments)
        .set(
          change.status === "CANCELLED"
            ? {
                status: "CANCELLED",
                cancelledBy: actor.userId,
                cancelledByRole: actor.role,
                cancelledAt: now,
                cancellationReason: sealAppointmentText(
                  deps.fieldCipher,
                  id,
                  "cancellation_reason",
                  change.reason,
                ),
                updatedAt: now,
              }
            : { status: change.status, updatedAt: now },
        )
        .where(eq(appointments.id, id));
      const from: AppointmentStatus = current.status;
      const withReason = change.status === "CANCELLED" && Boolean(change.reason);
      record.audit({
        action: actionOf(to),
        outcome: "SUCCESS",
        targetType: "appointment",
        targetId: id,
        patientId: current.patientId,
        // Whether a reason was written, never the text (PHI).
        details: { from, to, doctorId: current.doctorId, ...(to === "CANCELLED" ? { withReason } : {}) },
      });
      record.audit(appointmentReadEvent(current, "SUCCESS"));
      const event = {
        v: 1,
        appointmentId: id,
        doctorId: current.doctorId,
        patientId: current.patientId,
        actorId: actor.userId,
      } as const;
      if (change.status === "CANCELLED") record.emit("appointment.cancelled", event);
      else record.emit("appointment.status_changed", { ...event, from, to: change.status });
      return appointmentDtoOf(deps, tx, id);
    }),
  );
}

/** `POST /appointments/{id}/cancel`: the CANCELLED transition, with an optional reason. */
export function cancelAppointment(
  deps: LifecycleDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
  reason: string | undefined,
): Promise<AppointmentDto> {
  return changeStatus(deps, audit, actor, id, { status: "CANCELLED", reason });
}
